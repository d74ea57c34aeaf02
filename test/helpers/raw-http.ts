/**
 * HTTP/1.1 over a bare TCP socket, for requests no HTTP client library would send: absolute- or
 * asterisk-form request targets, bodies dripped one byte at a time, connections left idle.
 */
import { connect, type Socket } from 'node:net';

/** A parsed response (the connection is closed by the request, so the body is whatever followed the head). */
export interface RawResponse {
  readonly status: number;
  /** Lower-cased header names; a repeated header keeps its last value. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Opens a connection to 127.0.0.1:`port`. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Collects what the server sends until it closes the connection. */
export function readUntilClosed(socket: Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the answer (the server closing while we still write) still ends the read.
    socket.on('error', () => {});
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/**
 * Sends `requestLine` exactly as given, then `headers` (with `Host`, `Connection: close` and
 * the body's length added) and `body`, and parses the answer.
 */
export async function rawRequest(
  port: number,
  requestLine: string,
  headers: Record<string, string> = {},
  body = '',
): Promise<RawResponse> {
  const socket = await openSocket(port);
  const answer = readUntilClosed(socket);
  const lines = Object.entries({ host: '127.0.0.1', ...headers, connection: 'close' }).map(
    ([name, value]) => `${name}: ${value}`,
  );
  if (body !== '') lines.push(`content-length: ${Buffer.byteLength(body)}`);
  socket.write(`${requestLine}\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
  return parseResponse(await answer);
}

/** Parses one HTTP/1.1 response (content-length or chunked body). */
export function parseResponse(data: Buffer): RawResponse {
  const end = data.indexOf('\r\n\r\n');
  const head = (end < 0 ? data : data.subarray(0, end)).toString('latin1');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = end < 0 ? Buffer.alloc(0) : data.subarray(end + 4);
  const body = headers['transfer-encoding'] === 'chunked' ? dechunk(rest) : rest;
  return { status, headers, body: body.toString('utf8') };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
