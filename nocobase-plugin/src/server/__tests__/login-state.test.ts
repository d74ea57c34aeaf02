/**
 * What the plugin keeps between the steps of a sign-in, without NocoBase: the login transactions
 * sealed in the browser's cookie (bound to that browser, used once, bounded, nothing stored on the
 * server however many sign-ins start) and the single-use hand-off of the token to the landing page.
 */
import { describe, expect, it } from 'vitest';
import { claimHandOff, type KeyValueCache, offerHandOff } from '../handoff.js';
import { cleartextEndpoint } from '../provider.js';
import { deriveKey, seal } from '../seal.js';
import {
  addTransaction,
  MAX_COOKIE_LENGTH,
  MAX_TRANSACTIONS,
  randomToken,
  TRANSACTION_TTL_MS,
  takeTransaction,
} from '../transactions.js';

const KEY = deriveKey(randomToken(), 'login transactions v1');
const COOKIE = 'wecom_bridge_login';
const transaction = () => ({
  authenticator: 'wecom',
  issuer: 'https://sso.example.com',
  nonce: randomToken(),
  codeVerifier: randomToken(),
  returnTo: '/admin',
});

/** NocoBase's cache, in memory (ttl ignored: the tests finish well inside it). */
function memoryCache(): KeyValueCache & { size(): number } {
  const entries = new Map<string, unknown>();
  return {
    get: async (key) => entries.get(key),
    set: async (key, value) => entries.set(key, value),
    del: async (key) => entries.delete(key),
    size: () => entries.size,
  };
}

describe("login transactions in the browser's cookie", () => {
  it('gives the transaction once, only with the cookie that started it; the cookie shows nothing in clear', () => {
    const state = randomToken();
    const saved = transaction();
    const cookie = addTransaction(KEY, COOKIE, undefined, state, saved);
    for (const secret of [state, saved.nonce, saved.codeVerifier, '/admin'])
      expect(Buffer.from(cookie, 'base64url').toString('latin1')).not.toContain(secret);
    // Another browser (no cookie, or its own) cannot use the answer.
    expect(() => takeTransaction(KEY, COOKIE, undefined, state)).toThrow(
      expect.objectContaining({ failure: 'state_invalid' }),
    );
    expect(() =>
      takeTransaction(KEY, COOKIE, addTransaction(KEY, COOKIE, undefined, randomToken(), transaction()), state),
    ).toThrow(expect.objectContaining({ failure: 'state_invalid' }));
    const taken = takeTransaction(KEY, COOKIE, cookie, state);
    expect(taken.transaction).toEqual(saved);
    expect(() => takeTransaction(KEY, COOKIE, taken.cookie, state)).toThrow(
      expect.objectContaining({ failure: 'state_used' }),
    );
  });

  it('refuses forged, tampered, foreign-key and expired cookies, and odd states', () => {
    const state = randomToken();
    const cookie = addTransaction(KEY, COOKIE, undefined, state, transaction(), 1_000_000);
    const tampered = `${cookie.slice(0, 20)}${cookie[20] === 'A' ? 'B' : 'A'}${cookie.slice(21)}`;
    const foreign = addTransaction(
      deriveKey(randomToken(), 'login transactions v1'),
      COOKIE,
      undefined,
      state,
      transaction(),
      1_000_000,
    );
    const forged = seal(KEY, [{ state: 'x', expiresAt: Number.MAX_SAFE_INTEGER }], 'another purpose');
    for (const bad of [tampered, foreign, forged, 'x'.repeat(40)]) {
      expect(() => takeTransaction(KEY, COOKIE, bad, state, 1_000_001)).toThrow(
        expect.objectContaining({ failure: 'state_invalid' }),
      );
    }
    expect(() => takeTransaction(KEY, COOKIE, cookie, state, 1_000_000 + TRANSACTION_TTL_MS)).toThrow(
      expect.objectContaining({ failure: 'state_invalid' }),
    );
    for (const odd of ['', 'x'.repeat(513), ['a'], undefined]) {
      expect(() => takeTransaction(KEY, COOKIE, cookie, odd, 1_000_001)).toThrow(
        expect.objectContaining({ failure: 'state_invalid', status: 400 }),
      );
    }
  });

  it('keeps the newest sign-ins of one browser (two tabs), bounded in number and size', () => {
    let cookie: string | undefined;
    const states: string[] = [];
    for (let i = 0; i < 50; i += 1) {
      states.push(randomToken());
      cookie = addTransaction(KEY, COOKIE, cookie, states.at(-1)!, transaction());
    }
    expect(cookie!.length).toBeLessThan(2048);
    for (const state of states.slice(-MAX_TRANSACTIONS))
      expect(takeTransaction(KEY, COOKIE, cookie, state).transaction.returnTo).toBe('/admin');
    expect(() => takeTransaction(KEY, COOKIE, cookie, states[0])).toThrow(
      expect.objectContaining({ failure: 'state_invalid' }),
    );
  });
});

describe("the login cookie's size", () => {
  it("stays under a browser's 4 KB with the longest return paths, keeping the newest sign-in", () => {
    let cookie: string | undefined;
    let last = '';
    for (let i = 0; i < 5; i += 1) {
      last = randomToken();
      cookie = addTransaction(KEY, COOKIE, cookie, last, { ...transaction(), returnTo: `/admin/${'x'.repeat(2040)}` });
      expect(cookie.length).toBeLessThanOrEqual(MAX_COOKIE_LENGTH);
    }
    expect(takeTransaction(KEY, COOKIE, cookie, last).transaction.returnTo).toHaveLength(2047);
  });
});

describe('the hand-off of the token to the landing page', () => {
  it('gives the token once, to the browser holding the cookie half, and never for a guessed value', async () => {
    const cache = memoryCache();
    const { value, browser } = await offerHandOff(cache, { token: 'nocobase-token', authenticator: 'wecom' });
    expect(await claimHandOff(cache, value, randomToken())).toBeUndefined();
    expect(await claimHandOff(cache, value, undefined)).toBeUndefined();
    expect(await claimHandOff(cache, randomToken(), browser)).toBeUndefined();
    for (const odd of [undefined, '', 42, { value }, `${value}x`])
      expect(await claimHandOff(cache, odd, browser)).toBeUndefined();
    // A wrong browser does not spend it for the right one.
    expect(await claimHandOff(cache, value, browser)).toEqual({ token: 'nocobase-token', authenticator: 'wecom' });
    expect(await claimHandOff(cache, value, browser)).toBeUndefined();
    expect(cache.size()).toBe(0);
  });
});

describe('discovery under an https issuer', () => {
  it('refuses http endpoints (the secret and keys would travel in clear), loopback aside', () => {
    const endpoints = {
      authorization_endpoint: 'https://sso.example.com/authorize',
      token_endpoint: 'https://sso.example.com/token',
      jwks_uri: 'https://sso.example.com/jwks',
      userinfo_endpoint: 'https://sso.example.com/userinfo',
    };
    expect(cleartextEndpoint('https://sso.example.com', endpoints)).toBeUndefined();
    for (const field of [
      'token_endpoint',
      'jwks_uri',
      'userinfo_endpoint',
      'authorization_endpoint',
      'end_session_endpoint',
    ]) {
      expect(cleartextEndpoint('https://sso.example.com', { ...endpoints, [field]: 'http://sso.example.com/x' })).toBe(
        field,
      );
      expect(
        cleartextEndpoint('https://sso.example.com', { ...endpoints, [field]: 'http://127.0.0.1:8080/x' }),
      ).toBeUndefined();
    }
    expect(
      cleartextEndpoint('http://127.0.0.1:8080', { ...endpoints, token_endpoint: 'http://127.0.0.1:8080/token' }),
    ).toBeUndefined();
  });
});
