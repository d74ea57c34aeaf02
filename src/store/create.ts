/**
 * Picks the store from the configuration: Redis when REDIS_URL is set, memory otherwise.
 */
import { hostname } from 'node:os';
import type { Config } from '../config/types.js';
import { MemoryStore } from './memory.js';
import type { Store } from './store.js';

/**
 * Creates (and, for Redis, connects) the configured store. `now` drives memory-store expiry (tests
 * move it); Redis expires keys by its own clock.
 */
export async function createStore(config: Config, now?: () => number): Promise<Store> {
  if (!config.redis) return new MemoryStore(now ? { now } : {});
  // Loaded only when used: ioredis adds ~8 MB to the resident size of a memory-store bridge.
  const { RedisStore } = await import('./redis.js');
  const store = new RedisStore({
    url: config.redis.url,
    keyPrefix: config.redis.keyPrefix,
    // Shown by CLIENT LIST: which replica holds which connection.
    connectionName: `wecom-oidc-bridge@${hostname()}:${process.pid}`,
  });
  await store.connect();
  return store;
}
