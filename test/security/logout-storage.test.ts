/**
 * `/logout` is bounded (issue 21): the "Sign out?" confirmation stores nothing until the person
 * confirms (its form carries a sealed, browser-bound, expiring token instead), the parameters it
 * echoes are bounded, and one address may ask only so often. Before, every hint-less GET stored a
 * pending sign-out for LOGIN_TTL with `ui_locales` up to 2,048 characters, without any limit: one
 * address filled Redis at thousands of requests per second.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { REDIS_TEST_URL, redisAvailable, uniquePrefix } from '../helpers/redis.js';
import { expectSafePage } from './page-checks.js';

/** What the flood sent: the longest ui_locales and state /logout used to accept. */
const FLOOD_QUERY = new URLSearchParams({
  client_id: CLIENTS.modern.id,
  post_logout_redirect_uri: CLIENTS.modern.postLogoutRedirectUri,
  state: 's'.repeat(500),
  ui_locales: `en ${'x'.repeat(2044)}`,
}).toString();

async function askMany(h: Harness, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(`${h.issuer}/logout?${FLOOD_QUERY}`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    await response.body?.cancel();
  }
}

function handleOf(page: string): string {
  return /name="logout_confirm" value="([^"]+)"/.exec(page)![1]!;
}

describe('in memory', () => {
  let h: Harness;
  let store: MemoryStore;

  beforeAll(async () => {
    let offset = 0;
    const now = () => Date.now() + offset;
    store = new MemoryStore({ now, sweepIntervalMs: 0 });
    // No limit here: this measures what each request stores, not how many may come.
    h = await startHarness({ env: { RATE_LIMIT_LOGOUT_PER_IP: '0' }, app: { store, now } });
    const advance = h.clock.advance;
    h.clock.advance = (seconds) => {
      offset += seconds * 1000;
      advance(seconds);
    };
  });

  afterAll(async () => {
    await h.close();
  });

  it('asking "Sign out?" 500 times stores nothing', async () => {
    const before = store.usage();
    await askMany(h, 500);
    expect(store.usage()).toEqual(before);
  });

  it('the confirmation still works, once, in the browser that asked; confirming stores one small mark', async () => {
    const browser = h.browser();
    const ask = await browser.request(`${h.issuer}/logout?${new URLSearchParams({ ui_locales: 'fr-CA en' })}`);
    const page = await ask.text();
    expect(page).toContain('Sign out?');
    const handle = handleOf(page);
    const before = store.usage();
    const done = await browser.request(`${h.issuer}/logout`, {
      method: 'POST',
      body: `logout_confirm=${encodeURIComponent(handle)}`,
    });
    expect(done.status).toBe(200);
    // The language asked for at the start carries over to the "signed out" page.
    expect(await done.text()).toContain('You are signed out');
    const marks = store.usage()['logout-done']!;
    expect(marks.entries - (before['logout-done']?.entries ?? 0)).toBe(1);
    expect(marks.bytes).toBeLessThan(200);
    const again = await browser.request(`${h.issuer}/logout`, {
      method: 'POST',
      body: `logout_confirm=${encodeURIComponent(handle)}`,
    });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('logout_expired');
  });

  it('a confirmation token altered in any way is refused', async () => {
    const browser = h.browser();
    const handle = handleOf(await (await browser.request(`${h.issuer}/logout`)).text());
    const dot = handle.indexOf('.');
    const laterExpiry = `${Number(handle.slice(0, dot)) + 3600}${handle.slice(dot)}`;
    const flipped = `${handle.slice(0, -2)}${handle.at(-2) === 'A' ? 'B' : 'A'}${handle.at(-1)}`;
    for (const forged of [laterExpiry, flipped, handle.slice(0, -4)]) {
      const response = await browser.request(`${h.issuer}/logout`, {
        method: 'POST',
        body: `logout_confirm=${encodeURIComponent(forged)}`,
      });
      expect(response.status).toBe(400);
    }
  });

  it('ui_locales is cut to a short list of well-formed tags', async () => {
    const browser = h.browser();
    const longTag = `${'a'.repeat(36)} en`;
    // Only well-formed tags count, and only the first five of them.
    for (const [uiLocales, heading] of [
      ['de fr it ja ko en', '退出登录？'],
      ['de fr it ja en', 'Sign out?'],
      [longTag, 'Sign out?'],
      ['<b> en', 'Sign out?'],
    ] as const) {
      const response = await browser.request(`${h.issuer}/logout?${new URLSearchParams({ ui_locales: uiLocales })}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain(`<h1>${heading}</h1>`);
    }
    const tooLong = await browser.request(
      `${h.issuer}/logout?${new URLSearchParams({ ui_locales: `en ${'x'.repeat(2046)}` })}`,
    );
    expect(tooLong.status).toBe(400);
  });

  it('a state longer than 512 characters is refused with a clear page, before anything else', async () => {
    const browser = h.browser();
    const ok = await browser.request(`${h.issuer}/logout?${new URLSearchParams({ state: 's'.repeat(512) })}`);
    expect(ok.status).toBe(200);
    const long = await browser.request(`${h.issuer}/logout?${new URLSearchParams({ state: 's'.repeat(513) })}`);
    expect(long.status).toBe(400);
    expect(long.headers.get('location')).toBeNull();
    const page = await long.text();
    expectSafePage(long.headers, page);
    expect(page).toContain('logout_state_too_long');
    expect(page).toContain('512');
  });
});

describe('per-address limit', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: { RATE_LIMIT_LOGOUT_PER_IP: '5' } });
  });

  afterAll(async () => {
    await h.close();
  });

  it('the 6th sign-out request from one address in a window gets a 429 page with Retry-After; the window ends', async () => {
    const browser = h.browser();
    for (let i = 0; i < 5; i += 1) {
      const response = await browser.request(`${h.issuer}/logout`);
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
    const limited = await browser.request(`${h.issuer}/logout`, { method: 'POST', body: 'logout_confirm=x' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expectSafePage(limited.headers, await limited.text());
    h.clock.advance(61);
    expect((await browser.request(`${h.issuer}/logout`)).status).toBe(200);
  });
});

describe.runIf(await redisAvailable())('on Redis', () => {
  let h: Harness;
  let redis: Redis;
  const prefix = uniquePrefix('logout-storage');

  beforeAll(async () => {
    h = await startHarness({
      env: { REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_LOGOUT_PER_IP: '0' },
    });
    redis = new Redis(REDIS_TEST_URL);
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await h.close();
  });

  it('a flood of "Sign out?" requests adds no key', async () => {
    const before = (await redis.keys(`${prefix}*`)).length;
    await askMany(h, 1000);
    const after = await redis.keys(`${prefix}*`);
    let bytes = 0;
    for (const key of after) bytes += (await redis.memory('USAGE', key)) ?? 0;
    console.info(`[logout flood] 1000 requests: keys ${before} → ${after.length}, ${bytes} bytes`);
    expect(after.length).toBe(before);
  });
});
