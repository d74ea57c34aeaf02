/**
 * Sealing a small value so that only the holder of a secret opens it, and only for the context it
 * was sealed for.
 *
 * Why: the bridge keeps some values where others can read them, in the browser (the login
 * cookie) or in the store (a callback's result for a repeated hit, a refresh's answer for a
 * repeat, the shared WeCom token, the sign-out confirmation in a form). Sealed under a secret the
 * reader lacks (the WeCom app secret, or a browser's cookie value whose hash alone is stored),
 * they reveal nothing and cannot be forged or moved to another context.
 *
 * One format: `3.` + period + `.` + base64url(iv ‖ tag ‖ ciphertext). AES-256-GCM with a fresh
 * random IV, the context authenticated as AAD, under key = HMAC-SHA256(secret, label ‖ 0 ‖ period)
 * where the period is the hour (base36 hours since 1970). A key per hour rather than per value:
 * what one server secret seals on every request (a login cookie per `/authorize`) costs no key
 * derivation each time, and an hour's key seals far fewer values than the 2^32 random IVs NIST
 * SP 800-38D allows per key, whatever an outsider sends. The period also dates the value: one
 * sealed longer ago than its reader accepts is refused before any key is derived, so made-up
 * periods cost nothing. Anything in another format (an earlier one included) reads as expired
 * or as not ours, never as data.
 */
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { randomBuffer } from './secrets.js';

const PREFIX = '3.';
const LABEL = 'wecom-oidc-bridge seal v3\0';
/** Seconds one key is used for. */
const PERIOD_SECONDS = 3600;
/** A period as written: base36 hours since 1970. */
const PERIOD = /^[0-9a-z]{1,8}$/;
/** How far apart the clocks of two replicas may be, seconds. */
const CLOCK_SKEW_SECONDS = 60;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** A value sealed by an earlier format: `2.` + base64url, or bare base64url (no period). */
const EARLIER_FORMAT = /^(2\.)?[A-Za-z0-9_-]{38,}$/;

/** Seals `plaintext` for `context` under the current hour's key of `secret`. */
export function seal(secret: string, context: string, plaintext: string, nowMs: number): string {
  const period = periodOf(nowMs);
  return `${PREFIX}${period.toString(36)}.${encrypt(keyFor(secret, period), context, plaintext)}`;
}

/** What {@link unseal} found: the plaintext, a value sealed too long ago, or nothing of ours. */
export type Opening = { readonly plaintext: string } | { readonly plaintext?: undefined; readonly tooOld: boolean };

/**
 * Opens what {@link seal} sealed at most `maxAgeSeconds` ago (by the clock of any replica; the
 * check is by hour, so it never refuses a value younger than that). `tooOld` for a value sealed
 * before that window, or in an earlier format; otherwise, for a wrong secret or context, altered
 * data or a made-up period, `tooOld: false`.
 */
export function unseal(secret: string, context: string, sealed: string, nowMs: number, maxAgeSeconds: number): Opening {
  if (!sealed.startsWith(PREFIX)) return { tooOld: EARLIER_FORMAT.test(sealed) };
  const dot = sealed.indexOf('.', PREFIX.length);
  const text = dot === -1 ? '' : sealed.slice(PREFIX.length, dot);
  if (!PERIOD.test(text)) return { tooOld: false };
  const period = Number.parseInt(text, 36);
  if (period > periodOf(nowMs + CLOCK_SKEW_SECONDS * 1000)) return { tooOld: false };
  if (period < periodOf(nowMs - (maxAgeSeconds + CLOCK_SKEW_SECONDS) * 1000)) return { tooOld: true };
  const plaintext = decrypt(keyFor(secret, period), context, Buffer.from(sealed.slice(dot + 1), 'base64url'));
  return plaintext === undefined ? { tooOld: false } : { plaintext };
}

/** AES-256-GCM with a fresh IV: base64url(iv ‖ tag ‖ ciphertext), `context` as AAD. */
function encrypt(key: KeyObject, context: string, plaintext: string): string {
  const iv = randomBuffer(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** Opens iv ‖ tag ‖ ciphertext; undefined when key, context or data are wrong. */
function decrypt(key: KeyObject, context: string, data: Buffer): string | undefined {
  if (data.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(data.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

function periodOf(nowMs: number): number {
  return Math.floor(nowMs / 1000 / PERIOD_SECONDS);
}

/**
 * Recently used keys, least recently used first: the server secret's key of the hour stays while
 * per-browser secrets come and go (bounded: tests use many secrets). KeyObjects, not Buffers:
 * given raw bytes, createCipheriv takes a slower path.
 */
const recentKeys = new Map<string, KeyObject>();
const MAX_RECENT_KEYS = 16;

function keyFor(secret: string, period: number): KeyObject {
  const id = `${period}:${secret}`;
  let key = recentKeys.get(id);
  if (key === undefined) {
    key = createSecretKey(createHmac('sha256', secret).update(LABEL).update(String(period)).digest());
    if (recentKeys.size >= MAX_RECENT_KEYS) recentKeys.delete(recentKeys.keys().next().value!);
  } else {
    recentKeys.delete(id);
  }
  recentKeys.set(id, key);
  return key;
}
