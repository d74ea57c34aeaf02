/**
 * The simulator's WeCom callback crypto against WeCom's OWN published samples (WXBizMsgCrypt's
 * callback samples: the older corp wx5823bf96d3bd56c7 with Token QDG6eK, and the 2016 samples of
 * the weworkapi_python library, corp ww1436e0e65a779aee), not only round trips through itself:
 * the signatures they show, the plaintexts they decrypt to, and the exact ciphertext again when
 * encrypting with the sample's own random prefix.
 */
import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesKeyOf, callbackSignature, decryptMessage, encryptMessage } from '../../sim/callback-crypto.js';

/** WXBizMsgCrypt's samples (Sample.cs / Sample.java / Sample.py of WeCom's callback libraries). */
const SAMPLES = [
  {
    name: 'WXBizMsgCrypt (corp wx5823bf96d3bd56c7)',
    token: 'QDG6eK',
    key: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
    corpId: 'wx5823bf96d3bd56c7',
    verify: {
      signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
      timestamp: '1409659589',
      nonce: '263014780',
      echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
      plaintext: '1616140317555161061',
    },
    message: {
      signature: '477715d11cdb4164915debcba66cb864d751f3e6',
      timestamp: '1409659813',
      nonce: '1372623149',
      encrypt:
        'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
      contains: [
        '<Content><![CDATA[hello]]></Content>',
        '<MsgId>4561255354251345929</MsgId>',
        '<AgentID>218</AgentID>',
      ],
    },
  },
  {
    name: 'weworkapi_python callback/Sample.py (corp ww1436e0e65a779aee)',
    token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
    key: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
    corpId: 'ww1436e0e65a779aee',
    verify: {
      signature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb',
      timestamp: '1476416373',
      nonce: '47744683',
      echostr: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==',
      plaintext: '1288432023552776189',
    },
    message: {
      signature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e',
      timestamp: '1476422779',
      nonce: '1597212914',
      encrypt:
        'Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+',
      contains: ['<FromUserName>ChenJiaShun</FromUserName>', '<Content>你好</Content>', '<AgentID>1000002</AgentID>'],
    },
  },
] as const;

/** The sample's 16-byte random prefix (read with node's AES directly, not with the code under test). */
function randomPrefix(key: string, encrypted: string): Buffer {
  const aes = Buffer.from(`${key}=`, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', aes, aes.subarray(0, 16));
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]).subarray(0, 16);
}

describe.each(SAMPLES)("WeCom's callback samples: $name", (sample) => {
  it('signs the URL verification and the message as the sample does', () => {
    const { verify, message } = sample;
    expect(callbackSignature(sample.token, verify.timestamp, verify.nonce, verify.echostr)).toBe(verify.signature);
    expect(callbackSignature(sample.token, message.timestamp, message.nonce, message.encrypt)).toBe(message.signature);
    expect(callbackSignature(`${sample.token}x`, message.timestamp, message.nonce, message.encrypt)).not.toBe(
      message.signature,
    );
  });

  it("decrypts the sample's echostr and message, with the corp ID as receiver", () => {
    expect(decryptMessage(sample.key, sample.verify.echostr)).toEqual({
      message: sample.verify.plaintext,
      receiverId: sample.corpId,
    });
    const decrypted = decryptMessage(sample.key, sample.message.encrypt);
    expect(decrypted.receiverId).toBe(sample.corpId);
    for (const part of sample.message.contains) expect(decrypted.message).toContain(part);
  });

  it("encrypts to the sample's exact ciphertext given the sample's random prefix", () => {
    for (const encrypted of [sample.verify.echostr, sample.message.encrypt]) {
      const { message, receiverId } = decryptMessage(sample.key, encrypted);
      expect(encryptMessage(sample.key, message, receiverId, randomPrefix(sample.key, encrypted))).toBe(encrypted);
    }
  });
});

describe('the scheme around the samples', () => {
  const key = SAMPLES[0].key;

  it('pads PKCS#7 to 32-byte blocks (a full block when the plaintext is a multiple of 32)', () => {
    // 16 random + 4 length + 12 message + 0 receiver = 32 bytes: one whole block of padding added.
    const encrypted = encryptMessage(key, 'x'.repeat(12), '');
    expect(Buffer.from(encrypted, 'base64').length).toBe(64);
    expect(decryptMessage(key, encrypted)).toEqual({ message: 'x'.repeat(12), receiverId: '' });
    expect(Buffer.from(encryptMessage(key, 'x', 'corp'), 'base64').length).toBe(32);
  });

  it('round-trips UTF-8 and uses fresh random bytes each time', () => {
    const a = encryptMessage(key, '<xml>张三离职</xml>', 'wwcorp');
    expect(a).not.toBe(encryptMessage(key, '<xml>张三离职</xml>', 'wwcorp'));
    expect(decryptMessage(key, a)).toEqual({ message: '<xml>张三离职</xml>', receiverId: 'wwcorp' });
  });

  it('refuses malformed keys, ciphertexts and paddings', () => {
    expect(() => aesKeyOf('short')).toThrow(/43 characters/);
    expect(aesKeyOf(key)).toHaveLength(32);
    expect(() => decryptMessage(key, '')).toThrow(/whole AES blocks/);
    expect(() => decryptMessage(key, Buffer.alloc(17).toString('base64'))).toThrow(/whole AES blocks/);
    // Another key decrypts to garbage whose padding (almost always) fails.
    expect(() => decryptMessage(SAMPLES[1].key, SAMPLES[0].verify.echostr)).toThrow();
  });
});
