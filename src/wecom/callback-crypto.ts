/**
 * WeCom's callback encryption (企业微信 回调 加解密, WXBizMsgCrypt): what the event server
 * (`/wecom/events`) must check and open.
 *
 * - Signature: SHA-1 (hex) of the token, the timestamp, the nonce and the ciphertext, sorted as
 *   strings and concatenated.
 * - Key: Base64 of the 43-character EncodingAESKey plus "=" (32 bytes). WeCom's own samples
 *   decode leniently: the last character's unused low bits need not be zero, so the key is
 *   decoded by hand (Node's decoder would accept it too, but this way a key's validity never
 *   depends on a decoder's mood). IV = the key's first 16 bytes.
 * - AES-256-CBC, PKCS#7 padding to 32-byte blocks (not AES's 16); plaintext = 16 random bytes,
 *   a 4-byte big-endian length, the message (XML, or the echostr), the receiver id (the corp ID).
 *
 * Every check that can fail runs before more is done: the signature (constant time) before any
 * decryption, then only the ciphertext's last block is decrypted to check the padding before the
 * rest is, then the length and the corp ID.
 */
import { createCipheriv, createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { randomBuffer } from '../crypto/secrets.js';

/** WeCom's padding block size (its PKCS#7 pads to 32 bytes, not AES's 16). */
const PAD_BLOCK = 32;

/** An EncodingAESKey: 43 characters of the Base64 alphabet, letters and digits only. */
export const ENCODING_AES_KEY_PATTERN = /^[A-Za-z0-9]{43}$/;

/** Longest ciphertext opened at all (Base64 characters): contact events are a few hundred bytes. */
export const MAX_CIPHERTEXT_LENGTH = 16 * 1024;

/** Why a callback was refused (a stable reason, for logs and metrics). */
export type CallbackRefusal = 'bad_signature' | 'bad_ciphertext' | 'bad_padding' | 'bad_length' | 'foreign_corp';

/** A callback that fails a check. */
export class CallbackCryptoError extends Error {
  constructor(readonly reason: CallbackRefusal) {
    super(`WeCom callback refused: ${reason}`);
    this.name = 'CallbackCryptoError';
  }
}

/** The decoded AES key and its IV. */
export interface CallbackKey {
  readonly key: Buffer;
  readonly iv: Buffer;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The AES key of an EncodingAESKey: Base64 of the 43 characters plus "=", decoded leniently (the
 * low bits of the 43rd character are dropped, as WeCom's samples need).
 * @throws {RangeError} when it is not 43 letters and digits.
 */
export function callbackKey(encodingAesKey: string): CallbackKey {
  if (!ENCODING_AES_KEY_PATTERN.test(encodingAesKey))
    throw new RangeError('The EncodingAESKey must be 43 letters and digits');
  const key = Buffer.alloc(32);
  let bits = 0;
  let acc = 0;
  let out = 0;
  for (const char of encodingAesKey) {
    acc = (acc << 6) | ALPHABET.indexOf(char);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      key[out++] = (acc >> bits) & 0xff;
      acc &= (1 << bits) - 1;
    }
  }
  return { key, iv: Buffer.from(key.subarray(0, 16)) };
}

/** WeCom's signature: SHA-1 hex of the four strings sorted and concatenated. */
export function callbackSignature(token: string, timestamp: string, nonce: string, ciphertext: string): string {
  const parts = [token, timestamp, nonce, ciphertext].sort();
  return createHash('sha1').update(parts.join('')).digest('hex');
}

/** Whether `signature` is the signature of the rest, compared in constant time. */
export function signatureMatches(
  signature: string,
  token: string,
  timestamp: string,
  nonce: string,
  ciphertext: string,
): boolean {
  const expected = Buffer.from(callbackSignature(token, timestamp, nonce, ciphertext), 'latin1');
  const given = Buffer.from(signature.toLowerCase(), 'latin1');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** What one setting of the event server needs: its Token, its key and the corp ID. */
export interface CallbackSecrets {
  readonly token: string;
  readonly key: CallbackKey;
  readonly corpId: string;
}

/** The query WeCom signs with: `msg_signature`, `timestamp`, `nonce`. */
export interface SignedQuery {
  readonly signature: string;
  readonly timestamp: string;
  readonly nonce: string;
}

/**
 * Checks the signature of `ciphertext`, then opens it: the message (XML, or the echostr).
 * @throws {CallbackCryptoError} on any failed check.
 */
export function openCallback(secrets: CallbackSecrets, query: SignedQuery, ciphertext: string): string {
  if (!signatureMatches(query.signature, secrets.token, query.timestamp, query.nonce, ciphertext))
    throw new CallbackCryptoError('bad_signature');
  return decryptMessage(secrets, ciphertext);
}

/**
 * Decrypts a ciphertext whose signature was checked: padding first (from the last block alone),
 * then the whole, then length and corp ID.
 * @throws {CallbackCryptoError}
 */
export function decryptMessage(secrets: Pick<CallbackSecrets, 'key' | 'corpId'>, ciphertext: string): string {
  if (ciphertext.length > MAX_CIPHERTEXT_LENGTH || !/^[A-Za-z0-9+/]+={0,2}$/.test(ciphertext))
    throw new CallbackCryptoError('bad_ciphertext');
  const data = Buffer.from(ciphertext, 'base64');
  // Room for the 16 random bytes, the length and one padding block at least.
  if (data.length < PAD_BLOCK || data.length % 16 !== 0) throw new CallbackCryptoError('bad_ciphertext');
  const { key, iv } = secrets.key;
  // The padding, from the last AES block alone: CBC decrypts a block with the one before it as IV.
  const lastIv = data.length === 16 ? iv : data.subarray(data.length - 32, data.length - 16);
  const last = aesDecrypt(key, lastIv, data.subarray(data.length - 16));
  const pad = paddingLength(last);
  if (pad === undefined || pad > data.length) throw new CallbackCryptoError('bad_padding');
  const whole = aesDecrypt(key, iv, data);
  for (let i = data.length - pad; i < data.length - 16; i += 1)
    if (whole[i] !== pad) throw new CallbackCryptoError('bad_padding');
  const plain = whole.subarray(0, data.length - pad);
  if (plain.length < 20) throw new CallbackCryptoError('bad_length');
  const length = plain.readUInt32BE(16);
  if (length > plain.length - 20) throw new CallbackCryptoError('bad_length');
  const receiver = plain.subarray(20 + length);
  const expected = Buffer.from(secrets.corpId, 'utf8');
  if (receiver.length !== expected.length || !timingSafeEqual(receiver, expected))
    throw new CallbackCryptoError('foreign_corp');
  return plain.toString('utf8', 20, 20 + length);
}

/** PKCS#7 to 32 bytes: the last byte n (1–32) and the n bytes before it all equal n. */
function paddingLength(lastBlock: Buffer): number | undefined {
  const pad = lastBlock[15]!;
  if (pad < 1 || pad > PAD_BLOCK) return undefined;
  // Padding longer than one AES block also reaches into the block before: checked after the whole.
  for (let i = 16 - Math.min(pad, 16); i < 16; i += 1) if (lastBlock[i] !== pad) return undefined;
  return pad;
}

function aesDecrypt(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

/**
 * Encrypts `message` as WeCom does (the simulator and the tests send events with it): random
 * prefix, length, message, corp ID, PKCS#7 to 32 bytes.
 */
export function encryptMessage(
  secrets: Pick<CallbackSecrets, 'key' | 'corpId'>,
  message: string,
  random: Buffer = randomBuffer(16),
): string {
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([random, length, body, Buffer.from(secrets.corpId, 'utf8')]);
  const pad = PAD_BLOCK - (plain.length % PAD_BLOCK);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', secrets.key.key, secrets.key.iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

/** A signed, encrypted callback as WeCom sends it: the query and the XML body. */
export function sealCallback(
  secrets: CallbackSecrets,
  message: string,
  timestamp: string,
  nonce: string,
): { query: SignedQuery; ciphertext: string; body: string } {
  const ciphertext = encryptMessage(secrets, message);
  const signature = callbackSignature(secrets.token, timestamp, nonce, ciphertext);
  return {
    query: { signature, timestamp, nonce },
    ciphertext,
    body: `<xml><ToUserName><![CDATA[${secrets.corpId}]]></ToUserName><Encrypt><![CDATA[${ciphertext}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`,
  };
}
