/**
 * Response headers that protect the browser leg.
 *
 * Every response: `nosniff`, `Referrer-Policy: no-referrer` (codes and states travel in URLs;
 * no page of ours may leak them to another site), HSTS behind https. HTML pages additionally get
 * a strict CSP (`frame-ancestors 'none'` against clickjacking, only our own inline stylesheet by
 * hash), `X-Frame-Options: DENY` for old browsers, and `no-store`.
 *
 * There is deliberately no `form-action` directive: Chrome applies it to the redirect after a
 * form POST (logout confirmation → relying party), which it would block.
 */
import type { FastifyReply } from 'fastify';
import { STYLE_HASH } from '../pages/html.js';

/** Headers for every response. */
export function baseSecurityHeaders(httpsIssuer: boolean): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...(httpsIssuer ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}

/** The CSP of our pages; `scriptHashes` allows specific inline scripts by hash. */
export function pageCsp(scriptHashes: readonly string[] = []): string {
  const script = scriptHashes.length > 0 ? scriptHashes.join(' ') : "'none'";
  return [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    `script-src ${script}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Sends `html` with the page security headers. */
export function sendPage(
  reply: FastifyReply,
  status: number,
  html: string,
  scriptHashes?: readonly string[],
): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', pageCsp(scriptHashes))
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store')
    .send(html);
}
