/**
 * Sealing (src/crypto/seal.ts): what one secret seals only that secret and context open, within
 * its age; a value in an earlier format (v1, v2) reads as expired, never as data.
 */
import { describe, expect, it } from 'vitest';
import { seal, unseal } from '../../src/crypto/seal.js';

const SECRET = 'v1-fixture-secret-0123456789abcdefghijklmnop';
const CONTEXT = 'callback:fixture';
const PLAINTEXT = '{"location":"https://rp.example/cb?code=abc"}';

/** Sealed by the v1 code (HKDF key, no prefix) as it was released, with the values above. */
const SEALED_BY_V1 =
  'SfBZgUC-nlHgfmo_l9e61guNmchYJKCd28f85HHtPhpAWwm5yTeyF-44AGlRBSlFF7JJo7E5kdllVvjH2cQdVqsEsP_gxd1L4A';
/** Sealed by the v2 code (HMAC key per context, `2.` prefix) as it was released, with the values above. */
const SEALED_BY_V2 =
  '2.UdPSL4ek1TlxCGel4xpm3soG-2N5KES8kt2r13FNtUjBw745YxeHDI1CyARhnjyGlav6tX1NPfrsYOvXlK9Zzxx-vayfMGbegQ';

describe("seal (the hour's key)", () => {
  const NOW = Date.UTC(2026, 11, 6, 21, 59, 30);
  const HOUR = 3600_000;
  const MAX_AGE = 600;

  it('round-trips with a fresh IV each time, and opens only with its secret and context', () => {
    const first = seal(SECRET, CONTEXT, PLAINTEXT, NOW);
    const second = seal(SECRET, CONTEXT, PLAINTEXT, NOW);
    expect(first).toMatch(/^3\.[0-9a-z]+\.[A-Za-z0-9_-]+$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('rp.example');
    expect(unseal(SECRET, CONTEXT, first, NOW, MAX_AGE)).toEqual({ plaintext: PLAINTEXT });
    expect(unseal(SECRET, CONTEXT, second, NOW, MAX_AGE)).toEqual({ plaintext: PLAINTEXT });
    expect(unseal(SECRET, CONTEXT, seal(SECRET, CONTEXT, '张三', NOW), NOW, MAX_AGE)).toEqual({ plaintext: '张三' });
    expect(unseal(`${SECRET}x`, CONTEXT, first, NOW, MAX_AGE)).toEqual({ tooOld: false });
    expect(unseal(SECRET, 'callback:other', first, NOW, MAX_AGE)).toEqual({ tooOld: false });
    const flipped = first.slice(0, -2) + (first.at(-2) === 'A' ? 'B' : 'A') + first.at(-1);
    expect(unseal(SECRET, CONTEXT, flipped, NOW, MAX_AGE)).toEqual({ tooOld: false });
    expect(unseal(SECRET, CONTEXT, '', NOW, MAX_AGE)).toEqual({ tooOld: false });
    // The period is part of the key: the same bytes under another period (the next one, within
    // the clock difference allowed) open nothing.
    const [, period, body] = first.split('.');
    const shifted = `3.${(Number.parseInt(period!, 36) + 1).toString(36)}.${body}`;
    expect(unseal(SECRET, CONTEXT, shifted, NOW, MAX_AGE)).toEqual({ tooOld: false });
  });

  it('opens across an hour boundary and a minute of clock difference between replicas, until max age', () => {
    const sealedAt = Date.UTC(2026, 11, 6, 21, 59, 50);
    const sealed = seal(SECRET, CONTEXT, PLAINTEXT, sealedAt);
    // Opened in the next hour, within max age.
    expect(unseal(SECRET, CONTEXT, sealed, sealedAt + 300_000, MAX_AGE).plaintext).toBe(PLAINTEXT);
    // Opened by a replica whose clock is 30 s behind, so still in the previous hour.
    const ahead = seal(SECRET, CONTEXT, PLAINTEXT, Date.UTC(2026, 11, 6, 22, 0, 5));
    expect(unseal(SECRET, CONTEXT, ahead, Date.UTC(2026, 11, 6, 21, 59, 35), MAX_AGE).plaintext).toBe(PLAINTEXT);
    // Long after max age its period is out of the window: too old, without trying a key.
    expect(unseal(SECRET, CONTEXT, sealed, sealedAt + 2 * HOUR, MAX_AGE)).toEqual({ tooOld: true });
  });

  it('refuses made-up periods (future, huge, malformed) as not ours', () => {
    const body = seal(SECRET, CONTEXT, PLAINTEXT, NOW).split('.')[2];
    const future = `3.${(Math.floor(NOW / HOUR) + 2).toString(36)}.${body}`;
    for (const sealed of [
      future,
      `3.zzzzzzzzz.${body}`,
      `3.1x!.${body}`,
      `3..${body}`,
      `3.${body}`,
      '3.',
      `3.-1.${body}`,
    ]) {
      expect(unseal(SECRET, CONTEXT, sealed, NOW, MAX_AGE)).toEqual({ tooOld: false });
    }
  });

  it('reads what an earlier format sealed (v2 and v1) as expired, whatever its secret and context', () => {
    expect(unseal(SECRET, CONTEXT, SEALED_BY_V2, NOW, MAX_AGE)).toEqual({ tooOld: true });
    expect(unseal(SECRET, CONTEXT, SEALED_BY_V1, NOW, MAX_AGE)).toEqual({ tooOld: true });
    expect(unseal(`${SECRET}x`, 'callback:other', SEALED_BY_V1, NOW, MAX_AGE)).toEqual({ tooOld: true });
    // Nor is a current value read as an earlier one with its prefix cut off.
    expect(
      unseal(SECRET, CONTEXT, seal(SECRET, CONTEXT, PLAINTEXT, NOW).replace(/^3\.[0-9a-z]+\./, ''), NOW, MAX_AGE)
        .plaintext,
    ).toBeUndefined();
  });
});
