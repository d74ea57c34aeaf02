/**
 * Random values, hashes and constant-time comparison: the small crypto toolbox of the bridge.
 */
import { hash, randomFillSync, timingSafeEqual } from 'node:crypto';

/**
 * Random bytes are drawn from the CSPRNG in 4 KB batches and handed out once each: every
 * `randomBytes()` call has a fixed cost whatever its size, and a login needs a dozen
 * random values (state, cookies, code, ids, token; a request id per request). Bytes are never
 * handed out twice, so each value is exactly as random as its own `randomBytes()` call would be.
 */
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** Marks `bytes` fresh random bytes of {@link pool} as used and returns where they start. */
function takeRandom(bytes: number): number {
  if (bytes > POOL_SIZE) throw new RangeError(`at most ${POOL_SIZE} random bytes at once`);
  if (poolOffset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const start = poolOffset;
  poolOffset += bytes;
  return start;
}

/**
 * A random, URL-safe secret (codes, tokens, cookie values): `bytes` random bytes, base64url.
 * 32 bytes give 256 bits, above the 128-bit floor for codes (RFC 6749 §10.10).
 */
export function randomSecret(bytes = 32): string {
  const start = takeRandom(bytes);
  return pool.toString('base64url', start, start + bytes);
}

/** `bytes` random bytes in a buffer of their own (IVs, nonces). */
export function randomBuffer(bytes: number): Buffer {
  const start = takeRandom(bytes);
  return Buffer.from(pool.subarray(start, start + bytes));
}

/** `bytes` random bytes as lowercase hex (request ids, handles that must be `[0-9a-f]`). */
export function randomHex(bytes: number): string {
  const start = takeRandom(bytes);
  return pool.toString('hex', start, start + bytes);
}

/**
 * A random alphanumeric handle (`[0-9a-f]`, 48 characters = 192 bits): the WeCom `state`, which
 * WeCom restricts to `[A-Za-z0-9]{1,128}`.
 */
export function randomAlnum(): string {
  return randomHex(24);
}

/**
 * SHA-256 of a secret, base64url. Store keys and stored bindings use this, so that a reader of
 * the store (e.g. Redis) learns no code, token or cookie value it could replay. (`crypto.hash` is
 * the one-shot form: a third of the cost of `createHash().update().digest()`.)
 */
export function sha256(value: string): string {
  return hash('sha256', value, 'base64url');
}

/**
 * Compares two strings in constant time. Both sides are hashed first, so neither the length nor
 * the position of the first difference leaks through timing.
 */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(hash('sha256', a, 'buffer'), hash('sha256', b, 'buffer'));
}
