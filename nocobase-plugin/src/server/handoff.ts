/**
 * The hand-off of a finished sign-in to NocoBase's client without the NocoBase token in a URL
 * (proxy logs, history, Referer): the landing page gets a single-use value in its
 * `wecomBridgeHandOff` parameter, the browser an HttpOnly cookie, and the plugin's client
 * exchanges the two by `POST wecomBridge:handOff` for the token within a minute.
 *
 * The token waits in NocoBase's cache under the value's hash. Only a completed sign-in (a real
 * member at the provider) creates an entry, so outsiders cannot fill the cache with them.
 */
import { timingSafeEqual } from 'node:crypto';
import { randomToken, sha256 } from './transactions.js';

/** How long a hand-off waits for the landing page to claim it. */
export const HANDOFF_TTL_MS = 60 * 1000;

export { HANDOFF_PARAM } from '../constants.js';

/** NocoBase's cache as this module uses it (ttl in ms). */
export interface KeyValueCache {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttl?: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

/** What the landing page's client receives. */
export interface SignedIn {
  readonly token: string;
  readonly authenticator: string;
}

interface Waiting extends SignedIn {
  /** SHA-256 of the browser cookie's value. */
  readonly browser: string;
}

/** Parks `signedIn` for a minute; returns the URL's value and the browser cookie's value. */
export async function offerHandOff(
  cache: KeyValueCache,
  signedIn: SignedIn,
): Promise<{ value: string; browser: string }> {
  const [value, browser] = [randomToken(), randomToken()];
  const waiting: Waiting = { token: signedIn.token, authenticator: signedIn.authenticator, browser: sha256(browser) };
  await cache.set(key(value), waiting, HANDOFF_TTL_MS);
  return { value, browser };
}

/**
 * The sign-in parked under `value`, once, for the browser holding `browser`; undefined for an
 * unknown, expired, used or malformed value, or another browser (which does not spend it).
 */
export async function claimHandOff(
  cache: KeyValueCache,
  value: unknown,
  browser: string | undefined,
): Promise<SignedIn | undefined> {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(value) || !browser) return undefined;
  const waiting = (await cache.get(key(value))) as Waiting | undefined;
  if (!waiting || !sameText(sha256(browser), waiting.browser)) return undefined;
  await cache.del(key(value));
  return { token: waiting.token, authenticator: waiting.authenticator };
}

function key(value: string): string {
  return `handoff:${sha256(value)}`;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
