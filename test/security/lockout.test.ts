/**
 * Nobody outside can lock a company out (issue 19), tried as an attacker would, with the default
 * limits and real HTTP from many loopback source addresses (undici's `localAddress`: all of
 * 127.0.0.0/8 is local on Linux, as the Agent's `localAddress`; no TRUST_PROXY, so the bridge sees each as its own peer):
 *
 * - 24 addresses × 290 junk `POST /token` naming the NocoBase client with a wrong secret, then the
 *   genuine relying party's code exchange (openid-client v5, as NocoBase uses it) succeeds;
 * - 24 addresses × 290 junk `GET /authorize` naming the client, then a genuine sign-in succeeds;
 * - a flood of abandoned authorizations while a person is scanning the QR code: their login
 *   still gets its code (a store capped at 50 entries shows that /authorize stores nothing);
 * - one address calling the callback with made-up WeCom codes causes at most
 *   RATE_LIMIT_WECOM_CODE_FAILURES_PER_IP WeCom calls per window, counted by the simulator.
 *
 * Each on the memory store and on Redis. The figures are printed for the issue's note.
 */
import { Redis } from 'ioredis';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { MemoryStore } from '../../src/store/memory.js';
import { TestBrowser } from '../helpers/browser.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { dropKeys, REDIS_TEST_URL, redisAvailable, uniquePrefix } from '../helpers/redis.js';
import { nocobaseLogin } from '../helpers/rp.js';

/** The attacking source addresses: 127.0.0.10 … 127.0.0.(10 + count − 1). */
function attackers(count: number, first = 10): Agent[] {
  return Array.from({ length: count }, (_, i) => new Agent({ localAddress: `127.0.0.${first + i}` }));
}

/** Sends `perAgent` requests from each agent, 32 at a time; returns how many got each status. */
async function flood(
  agents: Agent[],
  perAgent: number,
  send: (agent: Agent) => Promise<{ status: number; arrayBuffer(): Promise<ArrayBuffer> }>,
): Promise<Record<number, number>> {
  const jobs = agents.flatMap((agent) => Array.from({ length: perAgent }, () => agent));
  const counts: Record<number, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const response = await send(jobs[next++]!);
      await response.arrayBuffer();
      counts[response.status] = (counts[response.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return counts;
}

function junkToken(h: Harness) {
  return (agent: Agent) =>
    undiciFetch(`${h.issuer}/token`, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${CLIENTS.nocobase.id}:guess-${Math.random()}`).toString('base64')}`,
      },
      body: 'grant_type=authorization_code&code=junk&redirect_uri=x',
    });
}

function junkAuthorize(h: Harness) {
  const query = new URLSearchParams({
    client_id: CLIENTS.nocobase.id,
    redirect_uri: CLIENTS.nocobase.redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: 'junk',
  });
  return (agent: Agent) => undiciFetch(`${h.issuer}/authorize?${query}`, { dispatcher: agent, redirect: 'manual' });
}

const withRedis = await redisAvailable();
const backends = [
  ['memory', () => ({})],
  ...(withRedis
    ? [['Redis', () => ({ REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: uniquePrefix('lockout') })] as const]
    : []),
] as const;

describe.each(backends)('with the default limits, on the %s store', (backend, extraEnv) => {
  let h: Harness;
  const env: Record<string, string> = extraEnv();

  beforeAll(async () => {
    h = await startHarness({ env });
  });

  afterAll(async () => {
    await h.close();
    if (env.REDIS_KEY_PREFIX) await dropKeys(env.REDIS_KEY_PREFIX);
  });

  it('7,000 junk token requests naming the client from 24 addresses leave its genuine code exchange working', {
    timeout: 120_000,
  }, async () => {
    const counts = await flood(attackers(24), 290, junkToken(h));
    console.log(`[lockout ${backend}] /token flood, 24 addresses × 290: ${JSON.stringify(counts)}`);
    expect(counts[401]! + counts[429]!).toBe(24 * 290);
    // Each address had at most its 20 failures, then 429 whatever it sent (once the client had
    // 100 failures, new addresses got one).
    expect(counts[401]).toBeGreaterThanOrEqual(24);
    expect(counts[401]).toBeLessThanOrEqual(24 * 20);
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    expect(login.tokenSet?.claims().sub).toBe('zhangsan');
  });

  it('7,000 junk authorization requests naming the client from 24 addresses leave a genuine sign-in working', {
    timeout: 120_000,
  }, async () => {
    const counts = await flood(attackers(24, 40), 290, junkAuthorize(h));
    console.log(`[lockout ${backend}] /authorize flood, 24 addresses × 290: ${JSON.stringify(counts)}`);
    expect(counts).toEqual({ 302: 24 * 290 });
    const login = await nocobaseLogin(h, h.browser('lisi'));
    expect(login.tokenSet?.claims().sub).toBe('lisi');
  });

  it('a flood of abandoned authorizations while a person scans the QR code does not push out their login', {
    timeout: 120_000,
  }, async () => {
    // In memory, a store of 50 entries per namespace: a flood that stored anything per request
    // would evict everything else at once. In Redis, the keys the flood leaves are counted.
    const small =
      backend === 'memory' ? new MemoryStore({ maxEntriesPerNamespace: 50, sweepIntervalMs: 0 }) : undefined;
    const own = env.REDIS_URL ? { ...env, REDIS_KEY_PREFIX: uniquePrefix('lockout-scan') } : env;
    const h = await startHarness({ env: own, ...(small ? { app: { store: small } } : {}) });
    onTestFinished(async () => {
      await h.close();
      if (own.REDIS_KEY_PREFIX) await dropKeys(own.REDIS_KEY_PREFIX);
    });
    const browser = h.browser('zhangsan');
    const query = new URLSearchParams({
      client_id: CLIENTS.nocobase.id,
      redirect_uri: CLIENTS.nocobase.redirectUri,
      response_type: 'code',
      scope: 'openid',
      state: 'scanning',
    });
    const atWeCom = await browser.follow(`${h.issuer}/authorize?${query}`, `${h.issuer}/wecom/callback`);
    const counts = await flood(attackers(40, 80), 100, junkAuthorize(h));
    console.log(`[lockout ${backend}] /authorize flood during a scan, 40 addresses × 100: ${JSON.stringify(counts)}`);
    expect(counts).toEqual({ 302: 4000 });
    // What the flood left: one rate-limit counter per address, nothing else.
    const left = small ? small.sizes() : await redisKeyCounts(own.REDIS_KEY_PREFIX!);
    console.log(`[lockout ${backend}] store after the flood: ${JSON.stringify(left)}`);
    expect(Object.keys(left).filter((namespace) => namespace !== 'rate-limit')).toEqual([]);
    const back = await browser.follow(atWeCom.finalUrl, CLIENTS.nocobase.redirectUri);
    const answer = new URL(back.finalUrl).searchParams;
    expect(answer.get('state')).toBe('scanning');
    expect(answer.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('one address with made-up WeCom codes reaches WeCom only a few times per window, then gets the page without a WeCom call', {
    timeout: 60_000,
  }, async () => {
    const [agent] = attackers(1, 150);
    const before = h.sim.state.calls.getuserinfo;
    const statuses: number[] = [];
    for (let i = 0; i < 30; i += 1) {
      const attacker = new TestBrowser();
      attacker.dispatcher = agent;
      const start = await attacker.request(
        `${h.issuer}/authorize?${new URLSearchParams({ client_id: CLIENTS.nocobase.id, redirect_uri: CLIENTS.nocobase.redirectUri, response_type: 'code', scope: 'openid' })}`,
      );
      const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
      const callback = await attacker.request(`${h.issuer}/wecom/callback?code=made-up-${i}&state=${state}`);
      await callback.body?.cancel();
      statuses.push(callback.status);
    }
    const calls = h.sim.state.calls.getuserinfo - before;
    console.log(
      `[lockout ${backend}] one address, 30 callbacks with made-up codes: ${calls} WeCom calls; statuses ${JSON.stringify(statuses)}`,
    );
    expect(calls).toBe(h.config.rateLimit.weComCodeFailuresPerIp);
    expect(statuses.slice(-5)).toEqual([429, 429, 429, 429, 429]);
    // Other people are not affected.
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    expect(login.tokenSet?.claims().sub).toBe('zhangsan');
  });
});

describe('an attack on the WeCom quota from many addresses', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: { RATE_LIMIT_WECOM_CODE_FAILURES_PER_IP: '5', RATE_LIMIT_WECOM_CODE_FAILURES_PER_HOUR: '12' },
    });
  });
  afterAll(async () => h.close());

  async function madeUpCallback(agent: Agent): Promise<{ status: number; body: string }> {
    const attacker = new TestBrowser();
    attacker.dispatcher = agent;
    const start = await attacker.request(
      `${h.issuer}/authorize?${new URLSearchParams({ client_id: CLIENTS.nocobase.id, redirect_uri: CLIENTS.nocobase.redirectUri, response_type: 'code', scope: 'openid' })}`,
    );
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const callback = await attacker.request(`${h.issuer}/wecom/callback?code=made-up&state=${state}`);
    return { status: callback.status, body: await callback.text() };
  }

  it('past the hourly budget only networks people signed in from today reach WeCom', { timeout: 60_000 }, async () => {
    // A person signs in from the office (127.0.0.1) before the attack.
    expect((await nocobaseLogin(h, h.browser('zhangsan'))).tokenSet).toBeDefined();
    const before = h.sim.state.calls.getuserinfo;
    for (const agent of attackers(6, 200)) for (let i = 0; i < 3; i += 1) await madeUpCallback(agent);
    const calls = h.sim.state.calls.getuserinfo - before;
    console.log(`[lockout] 6 addresses × 3 made-up codes with an hourly budget of 12: ${calls} WeCom calls`);
    expect(calls).toBe(12);
    const fresh = await madeUpCallback(attackers(1, 220)[0]!);
    expect(fresh.status).toBe(429);
    expect(fresh.body).toContain('wecom_code_failures_hour');
    expect(h.sim.state.calls.getuserinfo - before).toBe(12);
    // The office still signs in.
    expect((await nocobaseLogin(h, h.browser('lisi'))).tokenSet?.claims().sub).toBe('lisi');
  });
});

/** Keys under `prefix` by namespace (the part before the first `:`). */
async function redisKeyCounts(prefix: string): Promise<Record<string, number>> {
  const redis = new Redis(REDIS_TEST_URL);
  const keys = await redis.keys(`${prefix}*`);
  redis.disconnect();
  const counts: Record<string, number> = {};
  for (const key of keys) {
    const namespace = key.slice(prefix.length).split(':')[0]!;
    counts[namespace] = (counts[namespace] ?? 0) + 1;
  }
  return counts;
}
