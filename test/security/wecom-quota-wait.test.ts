/**
 * The WeCom-quota guard holds a unit of the address's allowance while a callback's WeCom exchange
 * runs (wecom-code-guard.ts). An office behind one NAT address that signs in more people at the
 * same instant than the allowance (10 rejected codes by default) must not get 429 pages for it:
 * a callback refused only by units held in flight waits for them. Codes WeCom rejected still get
 * the 429 at once, and parallel made-up codes still get exactly the WeCom calls sequential ones
 * get (wecom-quota-race.test.ts).
 *
 * Real HTTP; WeCom calls counted by the simulator, whose answers are slowed so that the exchanges
 * overlap; store round trips counted by the bridge's own store metric. Memory store and Redis.
 * No assertion on time: "at once" is "with one reservation and no WeCom call".
 */
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { dropKeys, REDIS_TEST_URL, redisAvailable, uniquePrefix } from '../helpers/redis.js';

const withRedis = await redisAvailable();
const backends = [
  ['memory', () => ({})],
  ...(withRedis
    ? [['Redis', () => ({ REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: uniquePrefix('quota-wait') })] as const]
    : []),
] as const satisfies readonly (readonly [string, () => Record<string, string>])[];

const AUTHORIZE_QUERY = new URLSearchParams({
  client_id: CLIENTS.nocobase.id,
  redirect_uri: CLIENTS.nocobase.redirectUri,
  response_type: 'code',
  scope: 'openid',
});

/** A fresh bridge with the default limits, closed and its Redis keys dropped after `run`. */
async function withBridge<T>(backendEnv: () => Record<string, string>, run: (h: Harness) => Promise<T>): Promise<T> {
  const env = backendEnv();
  const h = await startHarness({ env, sim: { latencyMs: 30 } });
  try {
    return await run(h);
  } finally {
    await h.close();
    if (env.REDIS_KEY_PREFIX) await dropKeys(env.REDIS_KEY_PREFIX);
  }
}

/** A sign-in of `user` from 127.0.0.1 taken up to WeCom's redirect back: its callback URL, with a valid code. */
async function atCallback(h: Harness, user: string): Promise<{ browser: TestBrowser; callbackUrl: string }> {
  const browser = h.browser(user);
  const flow = await browser.follow(`${h.issuer}/authorize?${AUTHORIZE_QUERY}`, `${h.issuer}/wecom/callback`);
  expect(flow.finalUrl.startsWith(`${h.issuer}/wecom/callback?code=`)).toBe(true);
  return { browser, callbackUrl: flow.finalUrl };
}

/** A callback from `agent`'s address with a made-up code: its status. */
async function madeUpCallback(h: Harness, agent: Agent, n: number): Promise<number> {
  const browser = new TestBrowser();
  browser.dispatcher = agent;
  const start = await browser.request(`${h.issuer}/authorize?${AUTHORIZE_QUERY}`);
  await start.body?.cancel();
  const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
  const callback = await browser.request(`${h.issuer}/wecom/callback?code=made-up-${n}&state=${state}`);
  await callback.body?.cancel();
  return callback.status;
}

/** getuserinfo calls the simulator counted. */
function weComCalls(h: Harness): number {
  return h.sim.state.calls.getuserinfo;
}

/** Reservations the bridge made (`Store.reserve`, every try of a waiting callback included). */
async function reservations(h: Harness): Promise<number> {
  const text = await (await fetch(`${h.metricsUrl}/metrics`)).text();
  const line = /^wecom_oidc_store_operation_duration_seconds_count\{operation="reserve",outcome="ok"\} (\d+)$/m.exec(
    text,
  );
  return line ? Number(line[1]) : 0;
}

describe.each(backends)(
  'callbacks beyond the allowance at the same instant, on the %s store',
  (backend, backendEnv) => {
    it('32 people signing in at once from one address all get their code: none gets a 429', {
      timeout: 60_000,
    }, async () => {
      await withBridge(backendEnv, async (h) => {
        expect(h.config.rateLimit.weComCodeFailuresPerIp).toBe(10);
        const users = Array.from({ length: 32 }, (_, i) => (i % 2 === 0 ? 'zhangsan' : 'lisi'));
        const pending = await Promise.all(users.map((user) => atCallback(h, user)));
        const before = weComCalls(h);
        const answers = await Promise.all(
          pending.map(async ({ browser, callbackUrl }) => {
            const response = await browser.request(callbackUrl);
            await response.body?.cancel();
            return { status: response.status, location: response.headers.get('location') ?? '' };
          }),
        );
        const statuses: Record<number, number> = {};
        for (const { status } of answers) statuses[status] = (statuses[status] ?? 0) + 1;
        console.log(
          `[quota-wait ${backend}] 32 sign-ins at once from one address, allowance 10: statuses ${JSON.stringify(statuses)}, ${weComCalls(h) - before} WeCom code exchanges`,
        );
        expect(statuses).toEqual({ 302: 32 });
        for (const { location } of answers) {
          expect(location.startsWith(CLIENTS.nocobase.redirectUri)).toBe(true);
          expect(new URL(location).searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
        }
        expect(weComCalls(h) - before).toBe(32);
      });
    });

    it('once codes WeCom rejected have spent the allowance, the next callback gets the 429 at once: one reservation, no WeCom call', {
      timeout: 60_000,
    }, async () => {
      await withBridge(backendEnv, async (h) => {
        const agent = new Agent({ localAddress: '127.0.0.77' });
        try {
          const spent = [];
          for (let n = 0; n < 10; n += 1) spent.push(await madeUpCallback(h, agent, n));
          expect(spent.filter((status) => status === 429)).toHaveLength(0);
          const calls = weComCalls(h);
          const reserved = await reservations(h);
          expect(await madeUpCallback(h, agent, 10)).toBe(429);
          expect(weComCalls(h)).toBe(calls);
          expect((await reservations(h)) - reserved).toBe(1);
        } finally {
          await agent.close();
        }
      });
    });

    it('made-up codes in flight make the sign-ins beside them wait, then get the 429 once WeCom rejected them', {
      timeout: 60_000,
    }, async () => {
      await withBridge(backendEnv, async (h) => {
        const agent = new Agent({ localAddress: '127.0.0.78' });
        try {
          const before = weComCalls(h);
          const statuses = await Promise.all(Array.from({ length: 25 }, (_, n) => madeUpCallback(h, agent, n)));
          // Exactly the allowance reached WeCom, whatever waited; every other callback got the 429.
          expect(weComCalls(h) - before).toBe(10);
          expect(statuses.filter((status) => status === 429)).toHaveLength(15);
        } finally {
          await agent.close();
        }
      });
    });
  },
);
