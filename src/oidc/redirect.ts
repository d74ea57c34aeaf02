/**
 * Redirects back to a relying party: success (`code`, `state`) and errors (`error`,
 * `error_description`, `state`).
 *
 * The registered redirect URI is used exactly as registered: its query is kept byte for byte and
 * our parameters are appended (re-serialising it through `URL` could change its encoding).
 */
import type { FastifyReply } from 'fastify';
import type { BridgeError } from '../errors/bridge-error.js';

/** Appends `params` to `uri` (which has no fragment; config validation guarantees it). */
export function withQuery(uri: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.append(name, value);
  if (query.size === 0) return uri;
  const separator = !uri.includes('?') ? '?' : uri.endsWith('?') || uri.endsWith('&') ? '' : '&';
  return `${uri}${separator}${query.toString()}`;
}

/** The URL that reports `error` to the relying party. */
export function errorRedirectUrl(redirectUri: string, error: BridgeError, state: string | undefined): string {
  return withQuery(redirectUri, { error: error.code, error_description: error.publicDescription, state });
}

/**
 * Sends the browser to `location`: 302 after GET, 303 after POST (a 307 would re-POST the form,
 * credentials included, to the next site; OIDC Core §16.22 forbids it).
 */
export function redirectBrowser(reply: FastifyReply, method: string, location: string): FastifyReply {
  return reply
    .code(method === 'POST' ? 303 : 302)
    .header('location', location)
    .header('cache-control', 'no-store')
    .send();
}
