/**
 * Sealing a small value with a key only the holder of a secret can derive.
 *
 * The key is derived from a high-entropy secret (a browser's cookie value whose hash alone is
 * stored server-side, or the WeCom app secret) and the `context`, so the store holds ciphertext
 * it cannot open: whoever reads Redis learns neither the sealed value nor the key. AES-256-GCM
 * authenticates the ciphertext and the `context` it was sealed for.
 *
 * Two formats are read, one is written:
 * - v2 (written): `2.` + base64url(iv ‖ tag ‖ ciphertext); key = HMAC-SHA256(secret, label ‖ 0 ‖
 *   context), a single-block PRF derivation (NIST SP 800-108), sound for a secret that is already
 *   high-entropy. It replaced v1 because HKDF cost the callback 24–44 µs per login in place,
 *   against ~20 µs for the HMAC.
 * - v1 (read only): bare base64url of the same layout; key = HKDF-SHA256(secret, salt = context).
 *   Kept so that, during a rolling upgrade, a replica of this version still opens what an older
 *   one sealed (a repeated callback within its 30 s, the shared WeCom token).
 *
 * {@link sealPeriodic} writes a third format for what one server secret seals on every request
 * (the login cookies: one per `/authorize`), where a key per value would cost a derivation each
 * time: v3 = `3.` + period + `.` + base64url(iv ‖ tag ‖ ciphertext), key = HMAC-SHA256(secret,
 * label ‖ 0 ‖ period), derived once per hour and cached, the context authenticated as AAD. An
 * hour's key seals at most what the bridge answers in an hour, far below the 2^32 random IVs
 * NIST SP 800-38D allows per key, however many requests an outsider sends. (A replica of a
 * version before v3 cannot open it: a login started on a new replica and finished on an old one
 * during an upgrade shows the "another browser" page, and starting again works.)
 */
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { randomBuffer } from './secrets.js';

const V2_PREFIX = '2.';
const V2_LABEL = 'wecom-oidc-bridge seal v2\0';
const V1_INFO = 'wecom-oidc-bridge seal v1';
const V3_PREFIX = '3.';
const V3_LABEL = 'wecom-oidc-bridge seal v3\0';
/** Seconds one v3 key is used for. */
const PERIOD_SECONDS = 3600;
/** A period as v3 writes it: base36 hours since 1970. */
const PERIOD = /^[0-9a-z]{1,8}$/;
/** How far apart the clocks of two replicas may be, seconds. */
const CLOCK_SKEW_SECONDS = 60;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Seals `plaintext` for `context` under a key derived from `secret` (format v2). */
export function seal(secret: string, context: string, plaintext: string): string {
  return V2_PREFIX + encrypt(keyV2(secret, context), context, plaintext);
}

/**
 * Seals `plaintext` for `context` under the current hour's key of `secret` (format v3): for
 * values sealed on every request under one server secret. Opened by {@link unsealPeriodic}.
 */
export function sealPeriodic(secret: string, context: string, plaintext: string, nowMs: number): string {
  const period = periodOf(nowMs);
  return `${V3_PREFIX}${period.toString(36)}.${encrypt(keyV3(secret, period), context, plaintext)}`;
}

/** What {@link unsealPeriodic} found: the plaintext, a value sealed too long ago, or nothing of ours. */
export type PeriodicOpening = { readonly plaintext: string } | { readonly plaintext?: undefined; readonly tooOld: boolean };

/**
 * Opens what {@link sealPeriodic} sealed at most `maxAgeSeconds` ago (by the clock of any
 * replica), or a v2/v1 value of an older version. A period outside that window is refused before
 * any key is derived (made-up periods cost nothing): `tooOld` when it lies in the past.
 */
export function unsealPeriodic(secret: string, context: string, sealed: string, nowMs: number, maxAgeSeconds: number): PeriodicOpening {
  const opened = (plaintext: string | undefined): PeriodicOpening => (plaintext === undefined ? { tooOld: false } : { plaintext });
  if (!sealed.startsWith(V3_PREFIX)) return opened(unseal(secret, context, sealed));
  const dot = sealed.indexOf('.', V3_PREFIX.length);
  const text = dot === -1 ? '' : sealed.slice(V3_PREFIX.length, dot);
  if (!PERIOD.test(text)) return { tooOld: false };
  const period = Number.parseInt(text, 36);
  if (period > periodOf(nowMs + CLOCK_SKEW_SECONDS * 1000)) return { tooOld: false };
  if (period < periodOf(nowMs - (maxAgeSeconds + CLOCK_SKEW_SECONDS) * 1000)) return { tooOld: true };
  return opened(decrypt(keyV3(secret, period), context, Buffer.from(sealed.slice(dot + 1), 'base64url')));
}

/**
 * Opens what {@link seal} produced (v2, or v1 from an older version); undefined when the key or
 * context is wrong or the data altered.
 */
export function unseal(secret: string, context: string, sealed: string): string | undefined {
  const v2 = sealed.startsWith(V2_PREFIX);
  const data = Buffer.from(v2 ? sealed.slice(V2_PREFIX.length) : sealed, 'base64url');
  if (data.length < IV_BYTES + TAG_BYTES) return undefined;
  return decrypt(v2 ? keyV2(secret, context) : keyV1(secret, context), context, data);
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

// KeyObjects, not Buffers: given raw bytes, createCipheriv takes a slow path (~18 µs instead of
// ~3 µs on Node 24), and every login seals once.
function keyV2(secret: string, context: string): KeyObject {
  return createSecretKey(createHmac('sha256', secret).update(V2_LABEL).update(context).digest());
}

function keyV1(secret: string, context: string): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', secret, context, V1_INFO, 32)));
}

function periodOf(nowMs: number): number {
  return Math.floor(nowMs / 1000 / PERIOD_SECONDS);
}

/** The v3 keys in use: a few periods of a few secrets (tests use many secrets; keep it bounded). */
const periodKeys = new Map<string, KeyObject>();
const MAX_PERIOD_KEYS = 16;

function keyV3(secret: string, period: number): KeyObject {
  const id = `${period}:${secret}`;
  let key = periodKeys.get(id);
  if (key === undefined) {
    key = createSecretKey(createHmac('sha256', secret).update(V3_LABEL).update(String(period)).digest());
    if (periodKeys.size >= MAX_PERIOD_KEYS) periodKeys.delete(periodKeys.keys().next().value!);
    periodKeys.set(id, key);
  }
  return key;
}
