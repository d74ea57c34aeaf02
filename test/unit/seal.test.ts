/**
 * Sealing (src/crypto/seal.ts): what one secret seals only that secret and context open, and a
 * value sealed by an older version (format v1) still opens during a rolling upgrade.
 */
import { describe, expect, it } from 'vitest';
import { seal, unseal } from '../../src/crypto/seal.js';

const SECRET = 'v1-fixture-secret-0123456789abcdefghijklmnop';
const CONTEXT = 'callback:fixture';
const PLAINTEXT = '{"location":"https://rp.example/cb?code=abc"}';

/** Sealed by the v1 code (HKDF key, no prefix) as it was released, with the values above. */
const SEALED_BY_V1 = 'SfBZgUC-nlHgfmo_l9e61guNmchYJKCd28f85HHtPhpAWwm5yTeyF-44AGlRBSlFF7JJo7E5kdllVvjH2cQdVqsEsP_gxd1L4A';

describe('seal', () => {
  it('round-trips, in format v2, with a fresh IV each time', () => {
    const first = seal(SECRET, CONTEXT, PLAINTEXT);
    const second = seal(SECRET, CONTEXT, PLAINTEXT);
    expect(first.startsWith('2.')).toBe(true);
    expect(first).not.toBe(second);
    expect(first).not.toContain('rp.example');
    expect(unseal(SECRET, CONTEXT, first)).toBe(PLAINTEXT);
    expect(unseal(SECRET, CONTEXT, second)).toBe(PLAINTEXT);
    expect(unseal(SECRET, CONTEXT, seal(SECRET, CONTEXT, '张三'))).toBe('张三');
  });

  it('opens nothing under another secret or context, or when altered', () => {
    const sealed = seal(SECRET, CONTEXT, PLAINTEXT);
    expect(unseal(`${SECRET}x`, CONTEXT, sealed)).toBeUndefined();
    expect(unseal(SECRET, 'callback:other', sealed)).toBeUndefined();
    const flipped = sealed.slice(0, -2) + (sealed.at(-2) === 'A' ? 'B' : 'A') + sealed.at(-1);
    expect(unseal(SECRET, CONTEXT, flipped)).toBeUndefined();
    expect(unseal(SECRET, CONTEXT, '2.')).toBeUndefined();
    expect(unseal(SECRET, CONTEXT, '')).toBeUndefined();
    expect(unseal(SECRET, CONTEXT, '2.not*base64')).toBeUndefined();
  });

  it('still opens format v1 (sealed by an older version), and only with its secret and context', () => {
    expect(unseal(SECRET, CONTEXT, SEALED_BY_V1)).toBe(PLAINTEXT);
    expect(unseal(`${SECRET}x`, CONTEXT, SEALED_BY_V1)).toBeUndefined();
    expect(unseal(SECRET, 'callback:other', SEALED_BY_V1)).toBeUndefined();
    // A v1 value is never read as v2, nor the other way round.
    expect(unseal(SECRET, CONTEXT, `2.${SEALED_BY_V1}`)).toBeUndefined();
    expect(unseal(SECRET, CONTEXT, seal(SECRET, CONTEXT, PLAINTEXT).slice(2))).toBeUndefined();
  });
});
