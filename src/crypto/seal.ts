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
 */
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { randomBuffer } from './secrets.js';

const V2_PREFIX = '2.';
const V2_LABEL = 'wecom-oidc-bridge seal v2\0';
const V1_INFO = 'wecom-oidc-bridge seal v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Seals `plaintext` for `context` under a key derived from `secret` (format v2). */
export function seal(secret: string, context: string, plaintext: string): string {
  const iv = randomBuffer(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyV2(secret, context), iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return V2_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/**
 * Opens what {@link seal} produced (v2, or v1 from an older version); undefined when the key or
 * context is wrong or the data altered.
 */
export function unseal(secret: string, context: string, sealed: string): string | undefined {
  const v2 = sealed.startsWith(V2_PREFIX);
  const data = Buffer.from(v2 ? sealed.slice(V2_PREFIX.length) : sealed, 'base64url');
  if (data.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const key = v2 ? keyV2(secret, context) : keyV1(secret, context);
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
