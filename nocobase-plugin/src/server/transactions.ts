/**
 * Login transactions: what a sign-in remembers between the redirect to the provider and its
 * answer (nonce, PKCE verifier, page to return to), sealed into the browser's own cookie rather
 * than NocoBase's cache. A flood of sign-in starts then costs the server nothing and evicts
 * nobody's sign-in, and the transaction is bound to the browser that started it by construction.
 *
 * The cookie holds the few newest sign-ins of this browser (two tabs may sign in at once); a
 * used one stays as a marker until it expires, so a replayed answer gets its own page.
 * Pure: no NocoBase imports.
 */
import { createHash, randomBytes } from 'node:crypto';
import { SignInError } from './errors.js';
import { type SealKey, seal, unseal } from './seal.js';

/** How long a person has to finish a sign-in at the provider. */
export const TRANSACTION_TTL_MS = 10 * 60 * 1000;

/** How many sign-ins one browser keeps in progress (the oldest is dropped): bounds the cookie. */
export const MAX_TRANSACTIONS = 3;

/** The sealed cookie's longest value: browsers drop a cookie over 4 KB silently, name and attributes included. */
export const MAX_COOKIE_LENGTH = 3600;

/** One sign-in in progress. */
export interface LoginTransaction {
  readonly authenticator: string;
  readonly issuer: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** The NocoBase path to land on. */
  readonly returnTo: string;
}

/** A transaction as the cookie holds it: keyed by the state's hash; `used` once answered. */
interface Entry {
  readonly state: string;
  readonly expiresAt: number;
  readonly transaction?: LoginTransaction;
}

/** A new random value for state, nonce, PKCE verifier or a hand-off (256 bits). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 of `value`, base64url. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** The cookie's new value: `transaction` under `state` added to what `cookie` held (still live). */
export function addTransaction(
  key: SealKey,
  context: string,
  cookie: string | undefined,
  state: string,
  transaction: LoginTransaction,
  now = Date.now(),
): string {
  const entry: Entry = { state: sha256(state), expiresAt: now + TRANSACTION_TTL_MS, transaction };
  const kept = liveEntries(key, context, cookie, now)
    .filter((other) => other.transaction)
    .slice(0, MAX_TRANSACTIONS - 1);
  // Long return paths (up to 2 KB each) may not fit three times: the oldest go first.
  for (;;) {
    const sealed = seal(key, [entry, ...kept], context);
    if (sealed.length <= MAX_COOKIE_LENGTH || kept.length === 0) return sealed;
    kept.pop();
  }
}

/**
 * Takes the transaction of `state` from `cookie`, once. Returns it with the cookie's new value
 * (the entry kept as a used marker). A second answer with the same state gets `state_used`; an
 * unknown or expired state, or an answer in a browser without the cookie, `state_invalid`.
 */
export function takeTransaction(
  key: SealKey,
  context: string,
  cookie: string | undefined,
  state: unknown,
  now = Date.now(),
): { transaction: LoginTransaction; cookie: string } {
  if (typeof state !== 'string' || state === '' || state.length > 512)
    throw new SignInError('state_invalid', 'the answer carries no usable state');
  const hash = sha256(state);
  const entries = liveEntries(key, context, cookie, now);
  const entry = entries.find((candidate) => candidate.state === hash);
  if (!entry) {
    const why = cookie
      ? 'unknown or expired state (older than 10 minutes, or started in another browser)'
      : 'this browser holds no sign-in in progress (another browser started it, or cookies are blocked)';
    throw new SignInError('state_invalid', why);
  }
  if (!entry.transaction) throw new SignInError('state_used', 'the state was already used');
  const rest = entries.map((other) => (other === entry ? { state: other.state, expiresAt: other.expiresAt } : other));
  return { transaction: entry.transaction, cookie: seal(key, rest, context) };
}

function liveEntries(key: SealKey, context: string, cookie: string | undefined, now: number): Entry[] {
  if (!cookie || cookie.length > 4096) return [];
  const opened = unseal(key, cookie, context);
  if (!Array.isArray(opened)) return [];
  return opened.filter((entry): entry is Entry => isEntry(entry) && entry.expiresAt > now).slice(0, MAX_TRANSACTIONS);
}

function isEntry(value: unknown): value is Entry {
  const entry = value as Entry | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.state === 'string' &&
    typeof entry.expiresAt === 'number'
  );
}
