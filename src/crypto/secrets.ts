/**
 * Random values, hashes and constant-time comparison: the small crypto toolbox of the bridge.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A random, URL-safe secret (codes, tokens, cookie values): `bytes` random bytes, base64url.
 * 32 bytes give 256 bits, above the 128-bit floor for codes (RFC 6749 §10.10).
 */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * A random alphanumeric handle (`[0-9a-f]`, 48 characters = 192 bits): the WeCom `state`, which
 * WeCom restricts to `[A-Za-z0-9]{1,128}`.
 */
export function randomAlnum(): string {
  return randomBytes(24).toString('hex');
}

/**
 * SHA-256 of a secret, base64url. Store keys and stored bindings use this, so that a reader of
 * the store (e.g. Redis) learns no code, token or cookie value it could replay.
 */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/**
 * Compares two strings in constant time. Both sides are hashed first, so neither the length nor
 * the position of the first difference leaks through timing.
 */
export function safeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}
