/**
 * Answers for requests Node's HTTP parser refuses before any route sees them: a malformed request
 * line or target (`GET evil.example:443`, `GET https:/// HTTP/1.1`), headers over 16 KB, and a
 * request that did not arrive within REQUEST_TIMEOUT (a client dripping its body). fastify's own
 * answer is JSON in a format of its own; these are the bridge's OAuth-style errors instead, so a
 * client sees one error format whatever it sent. The connection is closed after the answer.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'The request is malformed',
  408: 'The request did not arrive in time',
  431: 'The request headers are too large',
};

/** The status for a parser error: 408 for a timeout, 431 for oversized headers, 400 otherwise. */
function statusOf(error: NodeJS.ErrnoException): number {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (error.code === 'HPE_HEADER_OVERFLOW') return 431;
  return 400;
}

/** fastify's `clientErrorHandler` (runs with the fastify instance as `this`). */
export function clientErrorHandler(
  this: { log: FastifyBaseLogger },
  error: NodeJS.ErrnoException,
  socket: Socket,
): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = statusOf(error);
  this.log.debug({ status, code: error.code }, 'request refused by the HTTP parser');
  if (socket.writable) {
    const body = JSON.stringify({ error: 'invalid_request', error_description: DESCRIPTIONS[status] });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncache-control: no-store\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
