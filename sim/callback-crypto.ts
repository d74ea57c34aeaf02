/**
 * WeCom's callback encryption, as WeCom itself applies it to the events it sends (the simulator
 * plays WeCom; the bridge's own reading of the scheme lives in src/ and is written apart):
 *
 * - key: the 43-character EncodingAESKey plus `=`, Base64-decoded (32 bytes; WeCom's own sample keys
 *   carry non-zero bits in the last character, which Base64 decoders must ignore); IV: its first
 *   16 bytes;
 * - plaintext: 16 random bytes, the message's length (4 bytes, big-endian), the message, the
 *   receiver id (the corp ID); padded PKCS#7 to a multiple of 32 bytes, AES-256-CBC, Base64;
 * - signature (`msg_signature`): SHA-1, hex, over token, timestamp, nonce and ciphertext sorted as
 *   strings and concatenated.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** The block size WeCom pads to (PKCS#7 with 32-byte blocks, not AES's 16). */
const PAD_BLOCK = 32;

/** The 32-byte AES key of an EncodingAESKey; throws on one that is not 43 Base64 characters. */
export function aesKeyOf(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey))
    throw new Error('an EncodingAESKey is 43 characters of A-Z, a-z, 0-9, + and /');
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new Error('the EncodingAESKey does not decode to 32 bytes');
  return key;
}

/** `msg_signature`: SHA-1 (hex) of the sorted, concatenated token, timestamp, nonce and ciphertext. */
export function callbackSignature(token: string, timestamp: string, nonce: string, encrypted: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypted].sort().join('')).digest('hex');
}

/** Encrypts `message` for `receiverId` (the corp ID) as WeCom does; `random` is for tests. */
export function encryptMessage(
  encodingAesKey: string,
  message: string,
  receiverId: string,
  random: Buffer = randomBytes(16),
): string {
  const key = aesKeyOf(encodingAesKey);
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([random, length, body, Buffer.from(receiverId, 'utf8')]);
  const pad = PAD_BLOCK - (plain.length % PAD_BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString(
    'base64',
  );
}

/** Decrypts `encrypted`: the message and its receiver id. Throws on a bad length or padding. */
export function decryptMessage(encodingAesKey: string, encrypted: string): { message: string; receiverId: string } {
  const key = aesKeyOf(encodingAesKey);
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) throw new Error('the ciphertext is not whole AES blocks');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data), decipher.final()]);
  const pad = plain.at(-1) ?? 0;
  if (pad < 1 || pad > PAD_BLOCK || pad > plain.length || !plain.subarray(-pad).every((byte) => byte === pad))
    throw new Error('bad PKCS#7 padding');
  const content = plain.subarray(16, plain.length - pad);
  if (content.length < 4) throw new Error('the plaintext is too short');
  const length = content.readUInt32BE(0);
  if (4 + length > content.length) throw new Error('the message length exceeds the plaintext');
  return {
    message: content.subarray(4, 4 + length).toString('utf8'),
    receiverId: content.subarray(4 + length).toString('utf8'),
  };
}
