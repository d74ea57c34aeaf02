/**
 * The WeCom-quota guard under parallel callbacks (issue 27, finding 1). The guard used to read
 * its counts, call WeCom, then count the rejected code: 40 callbacks with made-up codes sent at
 * once from one address all passed the read and made 40 WeCom calls against an allowance of 10.
 * Now a unit of both budgets is reserved atomically before the call, so parallel callbacks get
 * exactly as many WeCom calls as the same callbacks one after the other.
 *
 * Real HTTP from real loopback source addresses (undici `localAddress`, no TRUST_PROXY); WeCom
 * calls are counted by the simulator's control API (`GET /_sim/stats`), whose answers are slowed
 * a little so that parallel calls really overlap. On the memory store and on Redis.
 */
import fc from 'fast-check';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { dropKeys, REDIS_TEST_URL, redisAvailable, uniquePrefix } from '../helpers/redis.js';
import { nocobaseLogin } from '../helpers/rp.js';

type Mode = 'sequential' | 'parallel';

/** What one attack did: WeCom calls counted by the simulator, and the callbacks' statuses. */
interface Outcome {
  readonly calls: number;
  readonly statuses: Record<number, number>;
}

const withRedis = await redisAvailable();
const backends = [
  ['memory', () => ({})],
  ...(withRedis
    ? [['Redis', () => ({ REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: uniquePrefix('quota-race') })] as const]
    : []),
] as const satisfies readonly (readonly [string, () => Record<string, string>])[];

/** getuserinfo calls the simulator counted, through its control API. */
async function weComCalls(h: Harness): Promise<number> {
  const stats = (await (await fetch(`${h.sim.url}/_sim/stats`)).json()) as { calls: { getuserinfo: number } };
  return stats.calls.getuserinfo;
}

/** A login started from `agent`'s address, waiting for its WeCom callback. */
async function startedLogin(h: Harness, agent: Agent): Promise<{ browser: TestBrowser; state: string }> {
  const browser = new TestBrowser();
  browser.dispatcher = agent;
  const query = new URLSearchParams({
    client_id: CLIENTS.nocobase.id,
    redirect_uri: CLIENTS.nocobase.redirectUri,
    response_type: 'code',
    scope: 'openid',
  });
  const start = await browser.request(`${h.issuer}/authorize?${query}`);
  await start.body?.cancel();
  return { browser, state: new URL(start.headers.get('location')!).searchParams.get('state')! };
}

/**
 * `perAddress[i]` logins from address 127.0.0.(first + i), each then called back with a made-up
 * code: all callbacks at once, or one after the other.
 */
async function attack(h: Harness, perAddress: readonly number[], mode: Mode, first: number): Promise<Outcome> {
  const agents = perAddress.map((_, i) => new Agent({ localAddress: `127.0.0.${first + i}` }));
  const logins = [];
  for (const [i, count] of perAddress.entries())
    for (let n = 0; n < count; n += 1) logins.push(await startedLogin(h, agents[i]!));
  const before = await weComCalls(h);
  const callback = async ({ browser, state }: { browser: TestBrowser; state: string }, n: number) => {
    const response = await browser.request(`${h.issuer}/wecom/callback?code=made-up-${n}&state=${state}`);
    await response.body?.cancel();
    return response.status;
  };
  const statuses: number[] = [];
  if (mode === 'parallel') statuses.push(...(await Promise.all(logins.map(callback))));
  else for (const [n, login] of logins.entries()) statuses.push(await callback(login, n));
  await Promise.all(agents.map((agent) => agent.close()));
  const counted: Record<number, number> = {};
  for (const status of statuses) counted[status] = (counted[status] ?? 0) + 1;
  return { calls: (await weComCalls(h)) - before, statuses: counted };
}

/** A fresh bridge (fresh counters) with `limits`, closed and its Redis keys dropped after `run`. */
async function withBridge<T>(
  backendEnv: () => Record<string, string>,
  limits: Record<string, string>,
  run: (h: Harness) => Promise<T>,
): Promise<T> {
  const env = { ...backendEnv(), ...limits };
  const h = await startHarness({ env, sim: { latencyMs: 20 } });
  try {
    return await run(h);
  } finally {
    await h.close();
    if (env.REDIS_KEY_PREFIX) await dropKeys(env.REDIS_KEY_PREFIX);
  }
}

describe.each(backends)('the WeCom-quota guard under parallel callbacks, on the %s store', (backend, backendEnv) => {
  it('40 made-up codes at once from one address get no more WeCom calls than one after the other (the per-address allowance)', {
    timeout: 60_000,
  }, async () => {
    const limits = { RATE_LIMIT_WECOM_CODE_FAILURES_PER_IP: '10' };
    const sequential = await withBridge(backendEnv, limits, (h) => attack(h, [40], 'sequential', 30));
    const parallel = await withBridge(backendEnv, limits, (h) => attack(h, [40], 'parallel', 30));
    console.log(
      `[quota-race ${backend}] one address × 40 made-up codes, allowance 10: sequential ${JSON.stringify(sequential)}, parallel ${JSON.stringify(parallel)}`,
    );
    expect(sequential.calls).toBe(10);
    expect(parallel.calls).toBe(sequential.calls);
    expect(parallel.statuses[429]).toBe(30);
  });

  it('50 made-up codes at once from five addresses get no more WeCom calls than one after the other (the hourly cap)', {
    timeout: 60_000,
  }, async () => {
    const limits = { RATE_LIMIT_WECOM_CODE_FAILURES_PER_IP: '10', RATE_LIMIT_WECOM_CODE_FAILURES_PER_HOUR: '20' };
    const sequential = await withBridge(backendEnv, limits, (h) => attack(h, [10, 10, 10, 10, 10], 'sequential', 40));
    const parallel = await withBridge(backendEnv, limits, (h) => attack(h, [10, 10, 10, 10, 10], 'parallel', 40));
    console.log(
      `[quota-race ${backend}] five addresses × 10 made-up codes, hourly cap 20: sequential ${JSON.stringify(sequential)}, parallel ${JSON.stringify(parallel)}`,
    );
    expect(sequential.calls).toBe(20);
    expect(parallel.calls).toBe(sequential.calls);
    expect(parallel.statuses[429]).toBe(30);
  });

  it('any parallel attack gets exactly the calls its budgets allow: min(hourly cap, Σ min(allowance, callbacks per address))', {
    timeout: 120_000,
  }, async () => {
    const plan = fc.record({
      perAddress: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 4 }),
      allowance: fc.integer({ min: 1, max: 6 }),
      hourlyCap: fc.integer({ min: 1, max: 16 }),
    });
    await fc.assert(
      fc.asyncProperty(plan, async ({ perAddress, allowance, hourlyCap }) => {
        const limits = {
          RATE_LIMIT_WECOM_CODE_FAILURES_PER_IP: String(allowance),
          RATE_LIMIT_WECOM_CODE_FAILURES_PER_HOUR: String(hourlyCap),
        };
        const { calls } = await withBridge(backendEnv, limits, (h) => attack(h, perAddress, 'parallel', 60));
        const budget = Math.min(
          hourlyCap,
          perAddress.reduce((sum, count) => sum + Math.min(allowance, count), 0),
        );
        expect(calls).toBe(budget);
      }),
      { numRuns: 6 },
    );
  });

  it('a successful sign-in gives its unit back: an address people sign in from keeps its whole allowance for rejected codes', {
    timeout: 60_000,
  }, async () => {
    await withBridge(backendEnv, { RATE_LIMIT_WECOM_CODE_FAILURES_PER_IP: '3' }, async (h) => {
      // Five sign-ins from 127.0.0.1, one after the other, each with one WeCom code exchange.
      for (const user of ['zhangsan', 'lisi', 'zhangsan', 'lisi', 'zhangsan']) {
        expect((await nocobaseLogin(h, h.browser(user))).tokenSet?.claims().sub).toBe(user);
      }
      const agent = new Agent({ localAddress: '127.0.0.1' });
      try {
        const logins = await Promise.all(Array.from({ length: 6 }, () => startedLogin(h, agent)));
        const before = await weComCalls(h);
        const statuses = await Promise.all(
          logins.map(async ({ browser, state }, n) => {
            const response = await browser.request(`${h.issuer}/wecom/callback?code=made-up-${n}&state=${state}`);
            await response.body?.cancel();
            return response.status;
          }),
        );
        expect((await weComCalls(h)) - before).toBe(3);
        expect(statuses.filter((status) => status === 429)).toHaveLength(3);
      } finally {
        await agent.close();
      }
    });
  });
});
