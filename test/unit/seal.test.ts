/**
 * Sealing (src/crypto/seal.ts): what one secret seals only that secret and context open, and a
 * value sealed by an older version (formats v1, v2) still opens during a rolling upgrade.
 */
import { describe, expect, it } from 'vitest';
import { seal, sealPeriodic, unseal, unsealPeriodic } from '../../src/crypto/seal.js';

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

describe('sealPeriodic (format v3, the hour\'s key)', () => {
  const NOW = Date.UTC(2026, 11, 6, 21, 59, 30);
  const HOUR = 3600_000;
  const MAX_AGE = 600;

  it('round-trips with a fresh IV each time, and opens only with its secret and context', () => {
    const first = sealPeriodic(SECRET, CONTEXT, PLAINTEXT, NOW);
    const second = sealPeriodic(SECRET, CONTEXT, PLAINTEXT, NOW);
    expect(first).toMatch(/^3\.[0-9a-z]+\.[A-Za-z0-9_-]+$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('rp.example');
    expect(unsealPeriodic(SECRET, CONTEXT, first, NOW, MAX_AGE)).toEqual({ plaintext: PLAINTEXT });
    expect(unsealPeriodic(SECRET, CONTEXT, sealPeriodic(SECRET, CONTEXT, '张三', NOW), NOW, MAX_AGE)).toEqual({ plaintext: '张三' });
    expect(unsealPeriodic(`${SECRET}x`, CONTEXT, first, NOW, MAX_AGE)).toEqual({ tooOld: false });
    expect(unsealPeriodic(SECRET, 'callback:other', first, NOW, MAX_AGE)).toEqual({ tooOld: false });
    const flipped = first.slice(0, -2) + (first.at(-2) === 'A' ? 'B' : 'A') + first.at(-1);
    expect(unsealPeriodic(SECRET, CONTEXT, flipped, NOW, MAX_AGE)).toEqual({ tooOld: false });
    // The period is part of the key: the same bytes under another period (the next one, within
    // the clock difference allowed) open nothing.
    const [, period, body] = first.split('.');
    const shifted = `3.${(Number.parseInt(period!, 36) + 1).toString(36)}.${body}`;
    expect(unsealPeriodic(SECRET, CONTEXT, shifted, NOW, MAX_AGE)).toEqual({ tooOld: false });
  });

  it('opens across an hour boundary and a minute of clock difference between replicas, until max age', () => {
    const sealedAt = Date.UTC(2026, 11, 6, 21, 59, 50);
    const sealed = sealPeriodic(SECRET, CONTEXT, PLAINTEXT, sealedAt);
    // Opened in the next hour, within max age.
    expect(unsealPeriodic(SECRET, CONTEXT, sealed, sealedAt + 300_000, MAX_AGE).plaintext).toBe(PLAINTEXT);
    // Opened by a replica whose clock is 30 s behind, so still in the previous hour.
    const ahead = sealPeriodic(SECRET, CONTEXT, PLAINTEXT, Date.UTC(2026, 11, 6, 22, 0, 5));
    expect(unsealPeriodic(SECRET, CONTEXT, ahead, Date.UTC(2026, 11, 6, 21, 59, 35), MAX_AGE).plaintext).toBe(PLAINTEXT);
    // Long after max age its period is out of the window: too old, without trying a key.
    expect(unsealPeriodic(SECRET, CONTEXT, sealed, sealedAt + 2 * HOUR, MAX_AGE)).toEqual({ tooOld: true });
  });

  it('refuses made-up periods (future, huge, malformed) as not ours', () => {
    const body = sealPeriodic(SECRET, CONTEXT, PLAINTEXT, NOW).split('.')[2];
    const future = `3.${(Math.floor(NOW / HOUR) + 2).toString(36)}.${body}`;
    for (const sealed of [future, `3.zzzzzzzzz.${body}`, `3.1x!.${body}`, `3..${body}`, `3.${body}`, '3.', `3.-1.${body}`]) {
      expect(unsealPeriodic(SECRET, CONTEXT, sealed, NOW, MAX_AGE)).toEqual({ tooOld: false });
    }
  });

  it('still opens what an older version sealed (v2 and v1) during a rolling upgrade', () => {
    expect(unsealPeriodic(SECRET, CONTEXT, seal(SECRET, CONTEXT, PLAINTEXT), NOW, MAX_AGE)).toEqual({ plaintext: PLAINTEXT });
    expect(unsealPeriodic(SECRET, CONTEXT, SEALED_BY_V1, NOW, MAX_AGE)).toEqual({ plaintext: PLAINTEXT });
    // A v3 value is not a v2 or v1 one.
    expect(unseal(SECRET, CONTEXT, sealPeriodic(SECRET, CONTEXT, PLAINTEXT, NOW))).toBeUndefined();
  });
});
