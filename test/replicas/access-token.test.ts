/**
 * The WeCom access token over several token lifetimes, for four replicas sharing one Redis:
 * each replica is a WeComClient with its own Redis connection, all on one simulated clock that
 * the WeCom simulator follows, so hours pass in a second.
 */

import { Redis } from 'ioredis';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWeComSimulator, type WeComSimulator } from '../../sim/server.js';
import type { WeComConfig } from '../../src/config/types.js';
import { RedisStore } from '../../src/store/redis.js';
import { WeComClient } from '../../src/wecom/client.js';
import { REDIS_TEST_URL, redisAvailable, uniquePrefix } from '../helpers/redis.js';

const available = await redisAvailable();
const prefix = uniquePrefix('token');

let sim: WeComSimulator;
let dispatcher: Agent;
let stores: RedisStore[] = [];

describe.runIf(available)('the WeCom access token across replicas and lifetimes', () => {
  beforeAll(async () => {
    sim = await startWeComSimulator();
    dispatcher = new Agent();
  });

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await dispatcher.close();
    await sim.close();
    const raw = new Redis(REDIS_TEST_URL);
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length > 0) await raw.del(...keys);
    raw.disconnect();
  });

  it('is fetched once per lifetime for all replicas, refreshed ahead of expiry, never seen expired', async () => {
    let now = Date.now();
    const config: WeComConfig = {
      corpId: 'ww5imulat0rc0rp1d',
      agentId: '1000002',
      secret: 'sim-secret-0123456789',
      apiBase: sim.url,
      oauthBase: sim.url,
      ssoBase: sim.url,
      scope: 'snsapi_privateinfo',
      loginMode: 'auto',
    };
    stores = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const store = new RedisStore({ url: REDIS_TEST_URL, keyPrefix: prefix });
        await store.connect();
        return store;
      }),
    );
    const replicas = stores.map((store) => new WeComClient({ config, store, dispatcher, now: () => now }));
    const stepSeconds = 120;
    const lifetimes = 3;
    const steps = (lifetimes * 7200) / stepSeconds;
    for (let step = 0; step < steps; step += 1) {
      const answers = await Promise.all(replicas.map((replica) => replica.getUser('zhangsan')));
      expect(answers.every((answer) => answer.userid === 'zhangsan')).toBe(true);
      now += stepSeconds * 1000;
      sim.state.advance(stepSeconds);
    }
    const { gettoken, userget } = sim.state.calls;
    console.info(
      `[figures] ${lifetimes} token lifetimes (7200 s), ${replicas.length} replicas, ${userget} user/get calls: ` +
        `${gettoken} gettoken calls = ${sim.state.tokensIssued} new tokens + ${gettoken - sim.state.tokensIssued} early refreshes ` +
        'that WeCom answered with the still-valid token; 0 calls rejected as expired',
    );
    // No call ever met an expired token (each would have been retried: one more user/get).
    expect(userget).toBe(steps * replicas.length);
    expect(sim.state.tokensIssued).toBe(lifetimes);
    // One fetch per lifetime plus one early-refresh attempt five minutes before its end.
    expect(gettoken).toBe(2 * lifetimes);
  });
});
