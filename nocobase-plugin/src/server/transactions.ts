/**
 * Login transactions: what a sign-in remembers between the redirect to the provider and its
 * answer (nonce, PKCE verifier, page to return to), kept in NocoBase's cache under a hash of the
 * `state` and bound to the browser that started it by a random cookie value (only its hash is
 * stored). A used state is remembered for as long as a transaction lives, so a replayed answer
 * gets its own page.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SignInError } from './errors.js';

/** How long a person has to finish a sign-in at the provider. */
export const TRANSACTION_TTL_MS = 10 * 60 * 1000;

/** NocoBase's cache as this module uses it (`app.cacheManager.createCache(…)`: ttl in ms). */
export interface KeyValueCache {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttl?: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

/** One sign-in in progress. */
export interface LoginTransaction {
  readonly authenticator: string;
  readonly issuer: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** The NocoBase path to land on. */
  readonly returnTo: string;
  /** SHA-256 (base64url) of the browser-binding cookie's value. */
  readonly browser: string;
}

/** A new random value for state, nonce, PKCE verifier or the binding cookie (256 bits). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 of `value`, base64url. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** Saves `transaction` under `state`. */
export async function saveTransaction(cache: KeyValueCache, state: string, transaction: LoginTransaction): Promise<void> {
  await cache.set(`txn:${sha256(state)}`, transaction, TRANSACTION_TTL_MS);
}

/**
 * Takes the transaction of `state` for the browser holding `binding`, once: a second answer with
 * the same state gets `state_used`; an unknown or expired state, or another browser's, `state_invalid`.
 */
export async function takeTransaction(cache: KeyValueCache, state: unknown, binding: string | undefined): Promise<LoginTransaction> {
  if (typeof state !== 'string' || state === '' || state.length > 512) throw new SignInError('state_invalid', 'the answer carries no usable state');
  const key = sha256(state);
  if (await cache.get(`used:${key}`)) throw new SignInError('state_used', 'the state was already used');
  const transaction = (await cache.get(`txn:${key}`)) as LoginTransaction | undefined;
  if (!transaction) throw new SignInError('state_invalid', 'unknown or expired state (older than 10 minutes, or never issued here)');
  if (!binding || !sameText(sha256(binding), transaction.browser)) {
    throw new SignInError('state_invalid', 'the sign-in was started in another browser (the binding cookie is missing or differs)');
  }
  await cache.set(`used:${key}`, true, TRANSACTION_TTL_MS);
  await cache.del(`txn:${key}`);
  return transaction;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
