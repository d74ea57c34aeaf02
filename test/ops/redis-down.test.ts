/**
 * Redis goes away and comes back, under a running bridge: readiness turns 503, login requests
 * fail fast with a page (authorize, callback) or JSON (token, userinfo), none hangs, and the
 * bridge recovers by itself. The Redis here is this test's own server, never the shared one.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPem } from '../../src/keys/generate.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server.js';
import { nocobaseClient, nocobaseLogin } from '../helpers/rp.js';

const available = redisServerAvailable();
const KEY = generateSigningKeyPem('RS256');

/** Every request of this file gives up after this long: a hang fails the test instead of stalling it. */
const NO_HANG = 5000;

let redis: OwnRedis;
let h: Harness;

async function get(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${h.issuer}${path}`, { ...init, redirect: 'manual', signal: AbortSignal.timeout(NO_HANG) });
}

async function readiness(): Promise<{ status: number; body: { checks: Record<string, string> } }> {
  const response = await get('/readyz');
  return { status: response.status, body: (await response.json()) as { checks: Record<string, string> } };
}

async function waitUntilReady(): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await readiness()).status !== 200) {
    if (Date.now() > deadline) throw new Error('the bridge did not become ready again');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function authorizeUrl(): Promise<string> {
  const client = await nocobaseClient(h);
  return client.authorizationUrl({ scope: 'openid profile', state: 'st', redirect_uri: CLIENTS.nocobase.redirectUri });
}

/** Asserts the page a browser gets while the store is down. */
async function expectUnavailablePage(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  expect(response.headers.get('location')).toBeNull();
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  const html = await response.text();
  expect(html).toContain('Sign-in is temporarily unavailable');
  expect(html).toContain('Redis (REDIS_URL) does not answer');
}

/** Asserts the JSON an RP gets while the store is down. */
async function expectUnavailableJson(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await response.json()).toMatchObject({ error: 'temporarily_unavailable' });
}

describe.runIf(available)('Redis outage', () => {
  beforeAll(async () => {
    redis = await OwnRedis.start();
    h = await startHarness({ env: { REDIS_URL: redis.url, SIGNING_KEY: KEY } });
  });

  afterAll(async () => {
    await h?.close();
    await redis?.stop();
  });

  it('is ready and logs in while Redis runs', async () => {
    expect((await readiness()).status).toBe(200);
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    expect(login.tokenSet?.claims().sub).toBe('zhangsan');
  });

  it('fails fast with clear answers while Redis is down, and recovers by itself', async () => {
    // A login already at WeCom when Redis stops, and a token issued before.
    const browser = h.browser('zhangsan');
    const toWeCom = await browser.request(await authorizeUrl());
    const toCallback = await browser.request(toWeCom.headers.get('location')!.split('#')[0]!);
    const callbackUrl = toCallback.headers.get('location')!;
    const earlier = await nocobaseLogin(h, h.browser('lisi'));
    const accessToken = earlier.tokenSet!.access_token!;

    await redis.stop();

    const ready = await readiness();
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toMatchObject({ store: 'unreachable', keys: 'ok', lifecycle: 'ok' });
    expect((await get('/healthz')).status).toBe(200);

    const authorize = new URL(await authorizeUrl());
    await expectUnavailablePage(
      await get(authorize.pathname + authorize.search, { headers: { accept: 'text/html', 'accept-language': 'en' } }),
    );
    await expectUnavailablePage(await browser.request(callbackUrl, { headers: { 'accept-language': 'en' } }));
    await expectUnavailableJson(
      await get('/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: 'x'.repeat(43),
          redirect_uri: CLIENTS.nocobase.redirectUri,
          client_id: CLIENTS.nocobase.id,
          client_secret: CLIENTS.nocobase.secret,
        }),
      }),
    );
    await expectUnavailableJson(await get('/userinfo', { headers: { authorization: `Bearer ${accessToken}` } }));

    const metrics = await (await fetch(`${h.metricsUrl}/metrics`, { signal: AbortSignal.timeout(NO_HANG) })).text();
    expect(metrics).toMatch(
      /wecom_oidc_store_operation_duration_seconds_count\{operation="(get|getMany|set)",outcome="error"\} [1-9]/,
    );

    await redis.start();
    await waitUntilReady();
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    expect(login.tokenSet?.claims().sub).toBe('zhangsan');
  });

  it('answers within the command timeout while Redis hangs (paused process)', async () => {
    redis.pause();
    try {
      const ready = await readiness();
      expect(ready.status).toBe(503);
      expect(ready.body.checks.store).toBe('timeout');
      const url = new URL(await authorizeUrl());
      await expectUnavailablePage(
        await get(url.pathname + url.search, { headers: { accept: 'text/html', 'accept-language': 'en' } }),
      );
    } finally {
      redis.resume();
    }
    await waitUntilReady();
  });
});

describe.runIf(available)('Redis full (maxmemory with noeviction, as the compose example runs it)', () => {
  let full: OwnRedis;
  let harness: Harness;
  let admin: Redis;

  beforeAll(async () => {
    full = await OwnRedis.start();
    harness = await startHarness({ env: { REDIS_URL: full.url, SIGNING_KEY: KEY } });
    admin = new Redis(full.url);
  });

  afterAll(async () => {
    admin?.disconnect();
    await harness?.close();
    await full?.stop();
  });

  it('refuses writes loudly: sign-ins get 503 store_unavailable naming maxmemory, /readyz says "full"; both recover', async () => {
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    // Below what Redis already uses: every write is refused from now on.
    await admin.config('SET', 'maxmemory', '1');
    try {
      const ready = await fetch(`${harness.issuer}/readyz`, { signal: AbortSignal.timeout(NO_HANG) });
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { store: 'full' } });
      const client = await nocobaseClient(harness);
      const url = client.authorizationUrl({ scope: 'openid', state: 'st', redirect_uri: CLIENTS.nocobase.redirectUri });
      const page = await harness.browser().request(url, { headers: { 'accept-language': 'en' } });
      expect(page.status).toBe(503);
      const html = await page.text();
      expect(html).toContain('store_unavailable');
      expect(html).toContain('maxmemory');
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
    expect((await fetch(`${harness.issuer}/readyz`, { signal: AbortSignal.timeout(NO_HANG) })).status).toBe(200);
    expect((await nocobaseLogin(harness, harness.browser('zhangsan'))).tokenSet?.claims().sub).toBe('zhangsan');
  });
});

describe.runIf(available)('bridge started while Redis is down', () => {
  it('starts, is not ready, and becomes ready when Redis appears', async () => {
    const late = await OwnRedis.start();
    await late.stop();
    const harness = await startHarness({ env: { REDIS_URL: late.url, SIGNING_KEY: KEY } });
    try {
      const first = await fetch(`${harness.issuer}/readyz`, { signal: AbortSignal.timeout(NO_HANG) });
      expect(first.status).toBe(503);
      await late.start();
      const deadline = Date.now() + 15_000;
      while ((await fetch(`${harness.issuer}/readyz`, { signal: AbortSignal.timeout(NO_HANG) })).status !== 200) {
        if (Date.now() > deadline) throw new Error('never became ready');
        await new Promise((r) => setTimeout(r, 100));
      }
      const login = await nocobaseLogin(harness, harness.browser('lisi'));
      expect(login.tokenSet?.claims().sub).toBe('lisi');
    } finally {
      await harness.close();
      await late.stop();
    }
  });
});
