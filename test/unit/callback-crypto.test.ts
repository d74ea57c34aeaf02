/**
 * WeCom's callback crypto (src/wecom/callback-crypto.ts) against WeCom's own published samples:
 * the URL verification and message of the official Python SDK sample (sbzhu/weworkapi_python,
 * callback/Sample.py), and the sample whose EncodingAESKey needs lenient Base64 decoding
 * (jWmYm7qr…B2C, from WeCom's C# sample: its last character carries non-zero unused bits). Then
 * every bad input, and the tiny XML reader.
 */
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CallbackCryptoError,
  callbackKey,
  callbackSignature,
  decryptMessage,
  encryptMessage,
  openCallback,
  sealCallback,
} from '../../src/wecom/callback-crypto.js';
import { isPlainXml, xmlField } from '../../src/wecom/callback-xml.js';

/** WeCom's official sample settings (weworkapi_python callback/Sample.py). */
const OFFICIAL = {
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  key: callbackKey('6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt'),
  corpId: 'ww1436e0e65a779aee',
};

const VERIFY = {
  query: { signature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb', timestamp: '1476416373', nonce: '47744683' },
  echostr: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==',
};

const MESSAGE = {
  query: { signature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e', timestamp: '1476422779', nonce: '1597212914' },
  encrypt:
    'Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+',
};

function refusal(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof CallbackCryptoError) return error.reason;
    throw error;
  }
}

describe('WeCom callback crypto: WeCom’s published samples', () => {
  it('verifies and decrypts the official URL-verification echostr', () => {
    expect(callbackSignature(OFFICIAL.token, VERIFY.query.timestamp, VERIFY.query.nonce, VERIFY.echostr)).toBe(
      VERIFY.query.signature,
    );
    expect(openCallback(OFFICIAL, VERIFY.query, VERIFY.echostr)).toBe('1288432023552776189');
  });

  it('verifies and decrypts the official encrypted message', () => {
    const xml = openCallback(OFFICIAL, MESSAGE.query, MESSAGE.encrypt);
    expect(xmlField(xml, 'FromUserName')).toBe('ChenJiaShun');
    expect(xmlField(xml, 'Content')).toBe('你好');
    expect(xmlField(xml, 'ToUserName')).toBe('ww1436e0e65a779aee');
  });

  it('decodes an EncodingAESKey leniently, as WeCom’s sample with non-zero trailing bits needs', () => {
    const secrets = {
      token: 'QDG6eK',
      key: callbackKey('jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C'),
      corpId: 'wx5823bf96d3bd56c7',
    };
    const xml = openCallback(
      secrets,
      { signature: '477715d11cdb4164915debcba66cb864d751f3e6', timestamp: '1409659813', nonce: '1372623149' },
      'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
    );
    expect(xmlField(xml, 'Content')).toBe('hello');
    expect(xmlField(xml, 'AgentID')).toBe('218');
  });

  it('round-trips what it encrypts, with WeCom’s layout (16 random bytes, length, message, corp ID)', () => {
    const message = '<xml><Event><![CDATA[change_contact]]></Event></xml>';
    const sealed = sealCallback(OFFICIAL, message, '1700000000', 'n0nce');
    expect(openCallback(OFFICIAL, sealed.query, sealed.ciphertext)).toBe(message);
    expect(Buffer.from(sealed.ciphertext, 'base64').length % 32).toBe(0);
    expect(xmlField(sealed.body, 'Encrypt')).toBe(sealed.ciphertext);
  });

  it('refuses keys that are not 43 letters and digits', () => {
    expect(() => callbackKey('short')).toThrow(RangeError);
    expect(() => callbackKey(`${'a'.repeat(42)}+`)).toThrow(RangeError);
  });
});

describe('WeCom callback crypto: bad input', () => {
  it('a wrong signature is refused before anything is decrypted', () => {
    const wrong = { ...VERIFY.query, signature: '0'.repeat(40) };
    expect(refusal(() => openCallback(OFFICIAL, wrong, VERIFY.echostr))).toBe('bad_signature');
    expect(refusal(() => openCallback(OFFICIAL, { ...VERIFY.query, signature: 'x' }, VERIFY.echostr))).toBe(
      'bad_signature',
    );
    expect(refusal(() => openCallback(OFFICIAL, { ...VERIFY.query, nonce: '1' }, VERIFY.echostr))).toBe(
      'bad_signature',
    );
    expect(refusal(() => openCallback({ ...OFFICIAL, token: 'other' }, VERIFY.query, VERIFY.echostr))).toBe(
      'bad_signature',
    );
  });

  it('a message for another corp ID is refused', () => {
    expect(
      refusal(() => openCallback({ ...OFFICIAL, corpId: 'ww0000000000000000' }, VERIFY.query, VERIFY.echostr)),
    ).toBe('foreign_corp');
    const foreign = encryptMessage({ key: OFFICIAL.key, corpId: 'wwforeign' }, '<xml/>');
    expect(refusal(() => decryptMessage(OFFICIAL, foreign))).toBe('foreign_corp');
  });

  it('a bad padding is refused from the last block, before the rest is decrypted', () => {
    // 64 bytes whose padding byte is 0 (invalid), encrypted without PKCS#7.
    const plain = Buffer.alloc(64, 0x41);
    plain[63] = 0;
    expect(refusal(() => decryptMessage(OFFICIAL, rawEncrypt(plain)))).toBe('bad_padding');
    plain[63] = 33; // above WeCom's 32-byte block
    expect(refusal(() => decryptMessage(OFFICIAL, rawEncrypt(plain)))).toBe('bad_padding');
    plain.fill(20, 44);
    plain[50] = 7; // inconsistent padding bytes
    expect(refusal(() => decryptMessage(OFFICIAL, rawEncrypt(plain)))).toBe('bad_padding');
  });

  it('a length beyond the plaintext is refused', () => {
    const plain = Buffer.alloc(64, 8);
    plain.writeUInt32BE(1000, 16);
    expect(refusal(() => decryptMessage(OFFICIAL, rawEncrypt(plain)))).toBe('bad_length');
  });

  it('a malformed or oversized ciphertext is refused without decrypting', () => {
    expect(refusal(() => decryptMessage(OFFICIAL, 'not base64!'))).toBe('bad_ciphertext');
    expect(refusal(() => decryptMessage(OFFICIAL, 'AAAA'))).toBe('bad_ciphertext');
    expect(refusal(() => decryptMessage(OFFICIAL, 'A'.repeat(20_000)))).toBe('bad_ciphertext');
    expect(refusal(() => decryptMessage(OFFICIAL, Buffer.alloc(40).toString('base64')))).toBe('bad_ciphertext');
  });
});

describe('WeCom callback XML reader', () => {
  it('reads text and CDATA fields, the predefined entities and numeric references only', () => {
    const xml =
      '<xml><ToUserName><![CDATA[ww1]]></ToUserName><UserID>zhang&amp;san</UserID><Status>2</Status><N>&#x4e00;</N></xml>';
    expect(xmlField(xml, 'ToUserName')).toBe('ww1');
    expect(xmlField(xml, 'UserID')).toBe('zhang&san');
    expect(xmlField(xml, 'Status')).toBe('2');
    expect(xmlField(xml, 'N')).toBe('一');
    expect(xmlField(xml, 'Missing')).toBeUndefined();
    expect(xmlField('<xml><A>&bomb;</A></xml>', 'A')).toBeUndefined();
    expect(xmlField('<xml><A><B>x</B></A></xml>', 'A')).toBeUndefined();
  });

  it('refuses documents with a DOCTYPE or entity declarations (entity bombs, external entities)', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><xml><Encrypt>&lol2;</Encrypt></xml>';
    expect(isPlainXml(bomb)).toBe(false);
    expect(isPlainXml('<!entity x SYSTEM "file:///etc/passwd"><xml/>')).toBe(false);
    expect(isPlainXml('<xml><Encrypt><![CDATA[abc]]></Encrypt></xml>')).toBe(true);
  });
});

/** AES-256-CBC of `plain` under the official key with no padding added (crafted bad inputs). */
function rawEncrypt(plain: Buffer): string {
  const cipher = createCipheriv('aes-256-cbc', OFFICIAL.key.key, OFFICIAL.key.iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}
