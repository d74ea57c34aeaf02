/**
 * The simulator as the sender of the corp's contact-change events: a member deleted or disabled
 * through the control API reaches the configured event server as WeCom sends it (signed query,
 * encrypted XML envelope, the change_contact event inside), an identical resend, and WeCom's URL
 * verification. The receiver here reads the scheme with node's crypto directly.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeComSimulator, type WeComSimulator } from '../../sim/server.js';
import { AGENT_ID, CORP_ID, type Json } from './sim-client.js';

const TOKEN = 'eventToken123';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

/** One request the event server received, decrypted. */
interface Received {
  method: string;
  query: URLSearchParams;
  body: string;
  signatureValid: boolean;
  envelope: { toUserName?: string; agentId?: string };
  message?: string;
  receiverId?: string;
}

let sim: WeComSimulator;
let receiver: Server;
let received: Received[] = [];
/** What the receiver answers to a URL verification: the plaintext, or something else. */
let echoMode: 'plaintext' | 'wrong' = 'plaintext';

function decrypt(encrypted: string): { message: string; receiverId: string } {
  const key = Buffer.from(`${AES_KEY}=`, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
  const content = plain.subarray(16, plain.length - plain[plain.length - 1]!);
  const length = content.readUInt32BE(0);
  return {
    message: content.subarray(4, 4 + length).toString(),
    receiverId: content.subarray(4 + length).toString(),
  };
}

function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>(?:<!\\[CDATA\\[)?(.*?)(?:\\]\\]>)?</${name}>`, 's').exec(xml)?.[1];
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

beforeAll(async () => {
  receiver = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://receiver');
    const body = await readBody(request);
    const q = url.searchParams;
    const encrypted = request.method === 'GET' ? (q.get('echostr') ?? '') : (tag(body, 'Encrypt') ?? '');
    const expected = createHash('sha1')
      .update([TOKEN, q.get('timestamp') ?? '', q.get('nonce') ?? '', encrypted].sort().join(''))
      .digest('hex');
    const entry: Received = {
      method: request.method ?? '',
      query: q,
      body,
      signatureValid: expected === q.get('msg_signature'),
      envelope: { toUserName: tag(body, 'ToUserName'), agentId: tag(body, 'AgentID') },
      ...decrypt(encrypted),
    };
    received.push(entry);
    if (request.method === 'GET') response.end(echoMode === 'plaintext' ? entry.message : 'not the echo');
    else response.end('success');
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  sim = await startWeComSimulator();
});
afterAll(async () => {
  await sim.close();
  await new Promise((resolve) => receiver.close(resolve));
});
beforeEach(async () => {
  sim.state.reset();
  received = [];
  echoMode = 'plaintext';
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/wecom/events`;
  const configured = await control('PUT', '/config', { eventTarget: { url, token: TOKEN, encodingAesKey: AES_KEY } });
  expect(configured.status).toBe(200);
});

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${sim.url}/_sim${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Json };
}

describe('contact events sent to the event server', () => {
  it('deletes a member and sends delete_user, signed and encrypted as WeCom does', async () => {
    const answer = await control('DELETE', '/members/LISI');
    expect(answer).toEqual({ status: 200, json: { ok: true, event: { status: 200, body: 'success' } } });
    expect(sim.state.findMember('lisi')).toBeUndefined();
    expect(received).toHaveLength(1);
    const [event] = received;
    expect(event!.method).toBe('POST');
    expect(event!.query.get('timestamp')).toMatch(/^\d{10}$/);
    expect(event!.query.get('nonce')).toMatch(/^\d+$/);
    expect(event!.signatureValid).toBe(true);
    expect(event!.envelope).toEqual({ toUserName: CORP_ID, agentId: AGENT_ID });
    expect(event!.receiverId).toBe(CORP_ID);
    const message = event!.message!;
    expect(tag(message, 'MsgType')).toBe('event');
    expect(tag(message, 'Event')).toBe('change_contact');
    expect(tag(message, 'ChangeType')).toBe('delete_user');
    expect(tag(message, 'UserID')).toBe('lisi');
    expect(tag(message, 'FromUserName')).toBe('sys');
    expect(tag(message, 'ToUserName')).toBe(CORP_ID);
    expect(Number(tag(message, 'CreateTime'))).toBe(Number(event!.query.get('timestamp')));
    expect(tag(message, 'Status')).toBeUndefined();
  });

  it('disables a member and sends update_user with Status 2', async () => {
    const answer = await control('POST', '/members/Li.Na-01/disable');
    expect(answer.json).toMatchObject({ ok: true, event: { status: 200 } });
    expect(sim.state.findMember('li.na-01')?.status).toBe(2);
    const message = received[0]!.message!;
    expect(tag(message, 'ChangeType')).toBe('update_user');
    expect(tag(message, 'UserID')).toBe('Li.Na-01');
    expect(tag(message, 'Status')).toBe('2');
    expect((await control('POST', '/members/nobody/disable')).status).toBe(404);
    expect((await control('DELETE', '/members/nobody')).status).toBe(404);
    expect(received).toHaveLength(1);
  });

  it('resends the last event byte for byte, as WeCom retries', async () => {
    await control('DELETE', '/members/zhangsan');
    expect((await control('POST', '/events/resend')).json).toMatchObject({ ok: true, event: { status: 200 } });
    expect(received).toHaveLength(2);
    expect(received[1]!.body).toBe(received[0]!.body);
    expect(received[1]!.query.toString()).toBe(received[0]!.query.toString());
  });

  it('reports an unreachable event server as status 0, and sends nothing when none is configured', async () => {
    await control('PUT', '/config', {
      eventTarget: { url: 'http://127.0.0.1:9/wecom/events', token: TOKEN, encodingAesKey: AES_KEY },
    });
    expect((await control('DELETE', '/members/lisi')).json).toMatchObject({ ok: true, event: { status: 0 } });
    await control('PUT', '/config', { eventTarget: null });
    expect(await control('DELETE', '/members/zhangsan')).toEqual({ status: 200, json: { ok: true } });
    expect((await control('POST', '/events/verify')).status).toBe(409);
    expect(received).toHaveLength(0);
  });

  it('refuses a malformed event server and never shows its Token or EncodingAESKey', async () => {
    for (const eventTarget of [
      { url: 'ftp://x', token: TOKEN, encodingAesKey: AES_KEY },
      { url: 'http://x', token: TOKEN, encodingAesKey: 'short' },
      { url: 'http://x', token: 'bad token!', encodingAesKey: AES_KEY },
      { url: 'http://x', token: TOKEN, encodingAesKey: AES_KEY, extra: 1 },
    ])
      expect((await control('PUT', '/config', { eventTarget })).status).toBe(400);
    const shown = JSON.stringify((await control('PUT', '/config', {})).json);
    expect(shown).not.toContain(TOKEN);
    expect(shown).not.toContain(AES_KEY);
  });
});

describe("WeCom's URL verification", () => {
  it('passes when the server answers the plaintext of echostr, and fails otherwise', async () => {
    const passed = await control('POST', '/events/verify');
    expect(passed.json).toMatchObject({ ok: true, status: 200 });
    const request = received[0]!;
    expect(request.method).toBe('GET');
    expect(request.signatureValid).toBe(true);
    expect(request.receiverId).toBe(CORP_ID);
    expect(request.message).toMatch(/^\d+$/);
    expect(passed.json.body).toBe(request.message);
    echoMode = 'wrong';
    expect((await control('POST', '/events/verify')).json).toMatchObject({ ok: false, body: 'not the echo' });
  });
});
