/**
 * Authenticated encryption of the plugin's browser-held state (AES-256-GCM), under a key derived
 * from NocoBase's APP_KEY: every NocoBase process of one site shares it, so a sign-in started on
 * one process finishes on another, and nothing of it is stored on the server.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A key for {@link seal} / {@link unseal}, derived for one purpose. */
export type SealKey = Buffer;

/**
 * The key of `purpose` derived from `secret` (NocoBase's APP_KEY). Different purposes get
 * unrelated keys, so a value sealed for one cannot be opened as another.
 */
export function deriveKey(secret: string | Buffer, purpose: string): SealKey {
  return Buffer.from(hkdfSync('sha256', secret, 'wecom-oidc-bridge nocobase plugin', purpose, 32));
}

/** `value` as JSON, encrypted and authenticated; `context` (e.g. the cookie's name) is bound in. */
export function seal(key: SealKey, value: unknown, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** The value {@link seal} sealed with `key` and `context`; undefined for anything else. */
export function unseal(key: SealKey, sealed: string, context: string): unknown {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES + 2) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return JSON.parse(plain.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
