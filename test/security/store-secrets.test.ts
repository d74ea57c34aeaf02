/**
 * What the shared store holds is no key to anything (records.ts: every key derived from a secret
 * is its SHA-256 hash). One complete login on the Redis store (WeCom leg, callback, code exchange
 * with a refresh token, refresh, a silent login from the session, a sign-out waiting for its
 * confirmation), then every key under the bridge's prefix and every value is read back from Redis
 * itself: none contains a WeCom state or code, an authorization code, an access or refresh token,
 * a cookie value or a sign-out handle that crossed the wire, nor the WeCom access token (sealed).
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, type ConformanceRp, conformanceRp, exchange } from '../conformance/rp.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { REDIS_TEST_URL, redisAvailable, uniquePrefix } from '../helpers/redis.js';

const available = await redisAvailable();
const prefix = uniquePrefix('store-secrets');

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/** Every key under the prefix with its value as Redis holds it, as `key => value` lines. */
async function dump(redis: Redis): Promise<Map<string, string>> {
  const entries = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      let value: unknown;
      if (type === 'string') value = await redis.get(key);
      else if (type === 'hash') value = await redis.hgetall(key);
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else if (type === 'set') value = await redis.smembers(key);
      else if (type === 'zset') value = await redis.zrange(key, '0', '-1', 'WITHSCORES');
      else value = `<${type}>`;
      if (type !== 'none') entries.set(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
  } while (cursor !== '0');
  return entries;
}

/** Asserts that no key and no value contains any of `secrets` (and that the dump is not empty). */
function expectNoSecrets(entries: Map<string, string>, secrets: Map<string, string>): void {
  expect(entries.size).toBeGreaterThan(0);
  for (const [what, secret] of secrets) {
    expect(secret.length, what).toBeGreaterThanOrEqual(32);
    for (const [key, value] of entries) {
      expect(key.includes(secret), `${what} in the key ${key}`).toBe(false);
      expect(value.includes(secret), `${what} in the value of ${key}`).toBe(false);
    }
  }
}

/**
 * The secret part of our opaque tokens: `<grantId>.<random>`. The grant id is a public handle by
 * design (revocation marks are stored under it); the random part is what makes the token a bearer.
 */
function tokenSecrets(name: string, token: string): [string, string][] {
  const dot = token.indexOf('.');
  expect(dot, name).toBeGreaterThan(0);
  return [
    [name, token],
    [`${name} (random part)`, token.slice(dot + 1)],
  ];
}

describe.runIf(available)('the Redis store after a complete login', () => {
  let h: Harness;
  let rp: ConformanceRp;
  let redis: Redis;

  beforeAll(async () => {
    h = await startHarness({ env: { REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: prefix } });
    rp = await conformanceRp(h);
    redis = new Redis(REDIS_TEST_URL);
  });

  afterAll(async () => {
    await h?.close();
    if (!redis) return;
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('holds no WeCom state, code, token, cookie value, sign-out handle or WeCom access token, in keys or values', async () => {
    const secrets = new Map<string, string>();
    const browser = h.browser('zhangsan');
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();

    // Up to WeCom's redirect back: nothing is stored, the login transaction is sealed in a cookie.
    const url = oidc.buildAuthorizationUrl(rp.config, {
      redirect_uri: CLIENTS.modern.redirectUri,
      scope: 'openid profile offline_access',
      state,
      nonce,
    });
    const toCallback = await browser.follow(url.href, `${h.issuer}/wecom/callback`);
    const callback = new URL(toCallback.finalUrl);
    const weComState = callback.searchParams.get('state')!;
    secrets.set('WeCom state', weComState);
    secrets.set('WeCom code', callback.searchParams.get('code')!);
    secrets.set('binding cookie', browser.cookies.get('wecom-oidc-login')!.value);
    const loginCookie = [...browser.cookies].find(([name]) => name.startsWith('wecom-oidc-login-'));
    secrets.set('sealed login cookie', loginCookie![1].value);
    const pending = await dump(redis);
    expect([...pending.keys()].filter((key) => !key.startsWith(`${prefix}rate-limit:`))).toEqual([]);

    // The callback: a code for the RP, the session and its cookie.
    const back = await browser.request(toCallback.finalUrl);
    expect(back.status).toBe(302);
    const callbackUrl = back.headers.get('location')!;
    const code = new URL(callbackUrl).searchParams.get('code')!;
    secrets.set('authorization code', code);
    secrets.set('session cookie', browser.cookies.get('wecom-oidc-session')!.value);
    const issued = await dump(redis);
    expect(issued.has(`${prefix}code:${sha256(code)}`)).toBe(true);
    expect(issued.has(`${prefix}session:${sha256(secrets.get('session cookie')!)}`)).toBe(true);
    expectNoSecrets(issued, secrets);

    // The exchange (with a refresh token), a refresh, and a silent login from the session.
    const { tokens } = await exchange(rp, { callbackUrl, params: {}, state, nonce, visited: [] });
    expect(tokens!.refresh_token).toBeTruthy();
    for (const entry of tokenSecrets('access token', tokens!.access_token)) secrets.set(...entry);
    for (const entry of tokenSecrets('refresh token', tokens!.refresh_token!)) secrets.set(...entry);
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens!.refresh_token!);
    for (const entry of tokenSecrets('refreshed access token', refreshed.access_token)) secrets.set(...entry);
    for (const entry of tokenSecrets('rotated refresh token', refreshed.refresh_token!)) secrets.set(...entry);
    const silent = await authorize(rp, browser, { extra: { prompt: 'none' } });
    expect(silent.tokens).toBeDefined();
    secrets.set('silent code', silent.params.code!);
    for (const entry of tokenSecrets('silent access token', silent.tokens!.access_token)) secrets.set(...entry);

    // A sign-out waiting for its confirmation stores nothing; once confirmed, a single-use mark
    // under the hash of its token.
    const beforeAsking = await dump(redis);
    const ask = await (await browser.request(`${h.issuer}/logout`)).text();
    const handle = /name="logout_confirm" value="([^"]+)"/.exec(ask)![1]!;
    secrets.set('sign-out handle', handle);
    expect(
      [...(await dump(redis)).keys()].filter((key) => !beforeAsking.has(key) && !key.includes('rate-limit:')),
    ).toEqual([]);
    expect(
      (
        await browser.request(`${h.issuer}/logout`, {
          method: 'POST',
          body: `logout_confirm=${encodeURIComponent(handle)}`,
        })
      ).status,
    ).toBe(200);

    // The WeCom access token the replicas share: stored, but sealed (the one gettoken answers while valid).
    secrets.set('WeCom access token', h.sim.state.issueToken().token);

    const after = await dump(redis);
    for (const [name, key] of [
      ['access token', `at:${sha256(refreshed.access_token)}`],
      ['refresh token', `rt:${sha256(refreshed.refresh_token!)}`],
      ['rotation mark', `rt-used:${sha256(tokens!.refresh_token!)}`],
      // The rotation's answer for a repeat within the grace window: sealed, so its tokens are not in clear.
      ['rotation answer', `rt-repeat:${sha256(tokens!.refresh_token!)}`],
      ['confirmed sign-out', `logout-done:${sha256(handle)}`],
    ]) {
      expect(after.has(`${prefix}${key}`), name).toBe(true);
    }
    expectNoSecrets(after, secrets);
  });
});
