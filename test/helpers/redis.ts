/**
 * Redis for tests: a real server (127.0.0.1:6379 unless REDIS_TEST_URL says otherwise).
 *
 * When Redis is unreachable the Redis tests are skipped with a visible notice, except under CI
 * or REQUIRE_REDIS=1 (which `.ci/run` sets): there they fail, so CI never skips them silently.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** URL of the test Redis (database 15, away from anything else on the machine). */
export const REDIS_TEST_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379/15';

/** Whether a Redis answers at {@link REDIS_TEST_URL}. Throws instead when Redis is mandatory. */
export async function redisAvailable(): Promise<boolean> {
  const client = new Redis(REDIS_TEST_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch (error) {
    if (process.env.CI === 'true' || process.env.REQUIRE_REDIS === '1') {
      throw new Error(
        `Redis is required for these tests but ${REDIS_TEST_URL} does not answer: ${(error as Error).message}`,
      );
    }
    console.warn(
      `\n[tests] Redis at ${REDIS_TEST_URL} is unreachable: Redis tests are SKIPPED (set REQUIRE_REDIS=1 to fail instead)\n`,
    );
    return false;
  } finally {
    client.disconnect();
  }
}

/** A key prefix unique to one test file run, so parallel runs never share keys. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under `prefix` in the test Redis (a test's own namespace). */
export async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_TEST_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}
