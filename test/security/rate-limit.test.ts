/**
 * Rate limits on /token and /authorize (issue 3 "Hardening", rewritten for issue 19): per source
 * address, 429 with Retry-After, in the route's own format; a client's token budget spent only by
 * requests that authenticated as it; failed client authentications limited per address and per
 * client; shared by replicas through Redis. Source addresses come from X-Forwarded-For (the test
 * client on loopback is the trusted proxy: TRUST_PROXY=127.0.0.1/8), so each test uses its own.
 * The attacks themselves, from real source addresses with the defaults: lockout.test.ts.
 */

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { REDIS_TEST_URL, redisAvailable, uniquePrefix } from '../helpers/redis.js';
import { expectSafePage } from './page-checks.js';

const LIMITS = {
  TRUST_PROXY: '127.0.0.1/8, ::1',
  RATE_LIMIT_AUTHORIZE_PER_IP: '3',
  RATE_LIMIT_TOKEN_PER_IP: '3',
  RATE_LIMIT_TOKEN_PER_CLIENT: '5',
  RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_IP: '2',
  RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_CLIENT: '3',
};

function tokenRequest(
  h: Harness,
  ip: string,
  client: keyof typeof CLIENTS = 'modern',
  secret: string = CLIENTS[client].secret,
): Promise<Response> {
  const { id } = CLIENTS[client];
  return fetch(`${h.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: 'unknown',
      client_id: id,
      client_secret: secret,
    }).toString(),
  });
}

function authorizeRequest(h: Harness, ip: string, client: keyof typeof CLIENTS = 'modern'): Promise<Response> {
  const { id, redirectUri } = CLIENTS[client];
  const query = new URLSearchParams({
    client_id: id,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid',
  });
  return fetch(`${h.issuer}/authorize?${query}`, {
    headers: { 'x-forwarded-for': ip, accept: 'text/html' },
    redirect: 'manual',
  });
}

async function statuses(requests: (() => Promise<Response>)[]): Promise<number[]> {
  const result: number[] = [];
  for (const send of requests) {
    const response = await send();
    await response.body?.cancel();
    result.push(response.status);
  }
  return result;
}

describe('in memory (one process)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: LIMITS });
  });
  afterAll(async () => {
    await h.close();
  });

  it('/token: the 4th request from one address gets 429 OAuth JSON with Retry-After; other addresses go on', async () => {
    expect(await statuses([1, 2, 3].map(() => () => tokenRequest(h, '10.0.1.1')))).toEqual([400, 400, 400]);
    const limited = await tokenRequest(h, '10.0.1.1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(limited.headers.get('content-type')).toMatch(/^application\/json/);
    expect(limited.headers.get('cache-control')).toBe('no-store');
    expect(await limited.json()).toMatchObject({
      error: 'temporarily_unavailable',
      error_description: expect.stringMatching(/^Too many requests/),
    });
    expect((await tokenRequest(h, '10.0.1.2')).status).toBe(400);
  });

  it("/token: a client's budget is spent only by requests that authenticated as it", async () => {
    // Requests with a wrong secret, from many addresses, spend nothing of it.
    const junk = await statuses(
      ['10.0.2.11', '10.0.2.12'].map((ip) => () => tokenRequest(h, ip, 'other', 'wrong-secret-0123456789')),
    );
    expect(junk).toEqual([401, 401]);
    const sent = await statuses(
      ['10.0.2.1', '10.0.2.2', '10.0.2.3', '10.0.2.4', '10.0.2.5'].map((ip) => () => tokenRequest(h, ip, 'other')),
    );
    expect(sent).toEqual([400, 400, 400, 400, 400]);
    expect((await tokenRequest(h, '10.0.2.6', 'other')).status).toBe(429);
    expect((await tokenRequest(h, '10.0.2.6', 'nocobase')).status).toBe(400);
  });

  it('/token: an address past its failed authentications gets 429 even with the right secret', async () => {
    expect(
      await statuses([1, 2].map(() => () => tokenRequest(h, '10.0.6.1', 'nocobase', 'wrong-secret-0123456789'))),
    ).toEqual([401, 401]);
    const limited = await tokenRequest(h, '10.0.6.1', 'nocobase');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await limited.json()).toMatchObject({
      error: 'temporarily_unavailable',
      error_description: expect.stringMatching(/failed client authentications from this address/),
    });
    expect((await tokenRequest(h, '10.0.6.2', 'nocobase')).status).toBe(400);
  });

  it('/token: a client guessed at from many addresses: addresses that failed are stopped before the comparison, clean ones pass', async () => {
    // A bridge of its own: the budgets of the other tests' clients are spent.
    const h = await startHarness({ env: LIMITS });
    onTestFinished(() => h.close());
    const guesses = await statuses(
      ['10.0.7.1', '10.0.7.2', '10.0.7.3'].map((ip) => () => tokenRequest(h, ip, 'modern', 'wrong-secret-0123456789')),
    );
    expect(guesses).toEqual([401, 401, 401]);
    // The client is now under attack: a guessing address, even with the right secret, gets 429 …
    expect((await tokenRequest(h, '10.0.7.1', 'modern')).status).toBe(429);
    expect((await tokenRequest(h, '10.0.7.2', 'modern', 'another-guess-0123456789')).status).toBe(429);
    // … while the relying party's server, which never failed, exchanges its codes.
    expect((await tokenRequest(h, '10.0.7.9', 'modern')).status).toBe(400);
  });

  it('/authorize: the 4th request from one address gets a 429 page with Retry-After', async () => {
    expect(await statuses([1, 2, 3].map(() => () => authorizeRequest(h, '10.0.3.1')))).toEqual([302, 302, 302]);
    const limited = await authorizeRequest(h, '10.0.3.1');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.headers.get('location')).toBeNull();
    const page = await limited.text();
    expectSafePage(limited.headers, page);
    expect(page).toMatch(/Too many sign-in attempts|登录请求过于频繁/);
  });

  it('/authorize: IPv6 counts per /64; a client is never limited as such, from any number of addresses', async () => {
    const ips = ['2001:db8:1:1::1', '2001:db8:1:1::2', '2001:db8:1:1::3'];
    expect(await statuses(ips.map((ip) => () => authorizeRequest(h, ip, 'nocobase')))).toEqual([302, 302, 302]);
    expect((await authorizeRequest(h, '2001:db8:1:1::ffff', 'nocobase')).status).toBe(429);
    const many = Array.from({ length: 12 }, (_, i) => `10.0.4.${i + 1}`);
    expect(await statuses(many.map((ip) => () => authorizeRequest(h, ip, 'nocobase')))).toEqual(many.map(() => 302));
  });

  it("counts a forged X-Forwarded-For that is no address as the socket's peer", async () => {
    const forged = await statuses(
      ['junk-1', 'junk-2', 'junk-3', 'x'.repeat(2000)].map((ip) => () => authorizeRequest(h, ip)),
    );
    expect(forged.slice(0, 3)).toEqual([302, 302, 302]);
    expect(forged[3]).toBe(429);
  });

  it('other endpoints are not limited', async () => {
    const sent = await statuses(
      Array.from(
        { length: 8 },
        () => () => fetch(`${h.issuer}/userinfo`, { headers: { 'x-forwarded-for': '10.0.5.1' } }),
      ),
    );
    expect(sent.every((status) => status === 401)).toBe(true);
  });
});

const available = await redisAvailable();

describe.runIf(available)('in Redis (counters shared by replicas)', () => {
  const prefix = uniquePrefix('ratelimit');
  const env = { ...LIMITS, REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: prefix };
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    [a, b] = await Promise.all([startHarness({ env }), startHarness({ env })]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    const redis = new Redis(REDIS_TEST_URL);
    const leftovers = await redis.keys(`${prefix}*`);
    if (leftovers.length > 0) await redis.del(...leftovers);
    redis.disconnect();
  });

  it('requests to two bridges count together, under the configured key prefix', async () => {
    expect(
      await statuses([
        () => tokenRequest(a, '10.1.0.1'),
        () => tokenRequest(b, '10.1.0.1'),
        () => tokenRequest(a, '10.1.0.1'),
      ]),
    ).toEqual([400, 400, 400]);
    const limited = await tokenRequest(b, '10.1.0.1');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    const redis = new Redis(REDIS_TEST_URL);
    const keys = await redis.keys(`${prefix}rate-limit:*`);
    redis.disconnect();
    expect(keys.some((key) => key.endsWith('token:ip:10.1.0.1'))).toBe(true);
  });
});

describe('Redis unreachable', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { ...LIMITS, REDIS_URL: 'redis://127.0.0.1:1/0' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('the limited endpoints fail closed: 503 JSON at /token, a 503 page at /authorize', async () => {
    const token = await tokenRequest(h, '10.2.0.1');
    expect(token.status).toBe(503);
    expect(await token.json()).toMatchObject({ error: 'temporarily_unavailable' });
    const authorize = await authorizeRequest(h, '10.2.0.1');
    expect(authorize.status).toBe(503);
    expect(authorize.headers.get('location')).toBeNull();
    expectSafePage(authorize.headers, await authorize.text());
  });
});
