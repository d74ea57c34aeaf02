import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { BridgeError } from '../../src/errors/bridge-error.js';
import { RedisStore } from '../../src/store/redis.js';
import { REDIS_TEST_URL, redisAvailable, uniquePrefix } from '../helpers/redis.js';
import { storeConformance } from './conformance.js';

const available = await redisAvailable();
const prefix = uniquePrefix('store');

describe.runIf(available)('RedisStore', () => {
  storeConformance({
    name: 'redis',
    make: async () => {
      const store = new RedisStore({ url: REDIS_TEST_URL, keyPrefix: prefix });
      await store.connect();
      return store;
    },
    // Redis expires keys by its own clock: wait for real.
    advance: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 50)),
  });

  it('prefixes every key and stores values as JSON', async () => {
    const store = new RedisStore({ url: REDIS_TEST_URL, keyPrefix: prefix });
    await store.connect();
    await store.set('code:abc', { a: 1 }, 30);
    const raw = new Redis(REDIS_TEST_URL);
    expect(await raw.get(`${prefix}code:abc`)).toBe('{"a":1}');
    expect(await raw.ttl(`${prefix}code:abc`)).toBeGreaterThan(25);
    raw.disconnect();
    await store.close();
  });

  it('fails fast with a clear error when Redis is unreachable', async () => {
    const store = new RedisStore({ url: 'redis://127.0.0.1:1/0', keyPrefix: prefix, commandTimeoutMs: 300 });
    await store.connect();
    const started = Date.now();
    const error = await store.get('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridgeError);
    expect((error as BridgeError).code).toBe('temporarily_unavailable');
    expect((error as BridgeError).hint).toMatch(/REDIS_URL/);
    expect(Date.now() - started).toBeLessThan(1500);
    await expect(store.ping()).rejects.toBeInstanceOf(BridgeError);
    await store.close();
  });

  afterAll(async () => {
    const raw = new Redis(REDIS_TEST_URL);
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length > 0) await raw.del(...keys);
    raw.disconnect();
  });
});
