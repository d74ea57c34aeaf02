/**
 * Slow clients are cut off (issue 21): a request must arrive whole within REQUEST_TIMEOUT, so a
 * client dripping its body (or its headers) one byte at a time cannot hold a connection for
 * minutes, and MAX_CONNECTIONS bounds how many connections are open at all. Before, 200 token
 * requests dripping a byte every 20 s stayed open past 130 s. Raw sockets, since no HTTP client
 * sends that slowly on purpose.
 */
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/harness.js';
import { openSocket, parseResponse, readUntilClosed } from '../helpers/raw-http.js';

/** How long the drip would take to finish: far beyond the configured timeout. */
const DRIP_BYTES = 60;
const DRIP_EVERY_MS = 250;

/**
 * Writes `head`, then `body` one byte every {@link DRIP_EVERY_MS} until the server closes the
 * connection or the body is out. Resolves with how many body bytes went out, how long the
 * connection lived, and what the server answered.
 */
async function drip(
  port: number,
  head: string,
  body: string,
): Promise<{ sent: number; seconds: number; answer: string }> {
  const socket = await openSocket(port);
  const started = Date.now();
  const closed = readUntilClosed(socket);
  let open = true;
  void closed.then(() => {
    open = false;
  });
  socket.write(head);
  let sent = 0;
  while (open && sent < body.length) {
    await new Promise((resolve) => setTimeout(resolve, DRIP_EVERY_MS));
    if (open && writeByte(socket, body[sent]!)) sent += 1;
  }
  const answer = (await closed).toString('latin1');
  return { sent, seconds: (Date.now() - started) / 1000, answer };
}

function writeByte(socket: Socket, byte: string): boolean {
  if (socket.destroyed || !socket.writable) return false;
  socket.write(byte);
  return true;
}

describe('REQUEST_TIMEOUT', () => {
  let h: Harness;
  let port: number;

  beforeAll(async () => {
    h = await startHarness({ env: { REQUEST_TIMEOUT: '2' } });
    port = Number(new URL(h.issuer).port);
  });

  afterAll(async () => {
    await h.close();
  });

  it('cuts off a POST /token whose body drips in: 408 JSON, connection closed long before the body is out', async () => {
    const body = 'grant_type=authorization_code&code='.padEnd(DRIP_BYTES, 'x');
    const head = `POST /token HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ${body.length}\r\n\r\n`;
    const result = await drip(port, head, body);
    console.info(
      `[slow clients] dripped body cut off after ${result.seconds.toFixed(1)} s (${result.sent} of ${body.length} bytes sent)`,
    );
    expect(result.sent).toBeLessThan(body.length);
    const response = parseResponse(Buffer.from(result.answer, 'latin1'));
    expect(response.status).toBe(408);
    expect(JSON.parse(response.body)).toEqual({
      error: 'invalid_request',
      error_description: 'The request did not arrive in time',
    });
  });

  it('cuts off headers that drip in (slowloris)', async () => {
    const headers = `x-padding: ${'a'.repeat(DRIP_BYTES)}\r\n\r\n`;
    const result = await drip(port, 'GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n', headers);
    console.info(`[slow clients] dripped headers cut off after ${result.seconds.toFixed(1)} s`);
    expect(result.sent).toBeLessThan(headers.length);
  });

  it('closes a connection that never sends a request', async () => {
    const socket = await openSocket(port);
    const started = Date.now();
    await readUntilClosed(socket);
    console.info(`[slow clients] silent connection closed after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it('leaves ordinary requests alone', async () => {
    const response = await fetch(`${h.issuer}/healthz`);
    expect(response.status).toBe(200);
  });
});

describe('MAX_CONNECTIONS', () => {
  let h: Harness;
  let port: number;

  beforeAll(async () => {
    h = await startHarness({ env: { MAX_CONNECTIONS: '4' } });
    port = Number(new URL(h.issuer).port);
  });

  afterAll(async () => {
    await h.close();
  });

  it('drops connections beyond the limit at once; a freed slot serves again', async () => {
    const held = await Promise.all(Array.from({ length: 4 }, () => openSocket(port)));
    // Each is counted once the server accepted it: a request on each proves it.
    for (const socket of held) socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    await Promise.all(held.map((socket) => new Promise((resolve) => socket.once('data', resolve))));
    const extra = await openSocket(port);
    const dropped = readUntilClosed(extra);
    extra.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n');
    expect((await dropped).length).toBe(0);
    held[0]!.destroy();
    // The server learns of the closed slot asynchronously: ask until it serves (or give up).
    let status = 0;
    for (let attempt = 0; attempt < 40 && status !== 200; attempt += 1) {
      const again = await openSocket(port);
      const answer = readUntilClosed(again);
      again.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n');
      status = parseResponse(await answer).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(200);
    for (const socket of held) socket.destroy();
  });
});
