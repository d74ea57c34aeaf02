/**
 * Graceful shutdown of the real process: SIGTERM (orchestrators, `docker stop`) or SIGINT (Ctrl-C
 * in a terminal) while a login callback is waiting on WeCom. The listener closes at
 * once, the in-flight request completes, Redis is closed, the exit code is 0.
 */
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWeComSimulator, type WeComSimulator } from '../../sim/server.js';
import { generateSigningKeyPem } from '../../src/keys/generate.js';
import { TestBrowser } from '../helpers/browser.js';
import { freePort } from '../helpers/free-port.js';
import { CLIENTS, type Harness, harnessEnv } from '../helpers/harness.js';
import { ChildBridge, requireBuild } from '../helpers/process.js';
import { REDIS_TEST_URL, redisAvailable, uniquePrefix } from '../helpers/redis.js';
import { nocobaseClient } from '../helpers/rp.js';

const available = await redisAvailable();
const prefix = uniquePrefix('shutdown');
let sim: WeComSimulator;
let raw: Redis;

async function connectionNames(): Promise<string[]> {
  const list = String(await raw.client('LIST'));
  return [...list.matchAll(/ name=(\S*)/g)].map((match) => match[1]!);
}

describe.runIf(available)('graceful shutdown', () => {
  beforeAll(async () => {
    requireBuild();
    sim = await startWeComSimulator();
    raw = new Redis(REDIS_TEST_URL);
  });

  afterAll(async () => {
    await sim.close();
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length > 0) await raw.del(...keys);
    raw.disconnect();
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s finishes the request in flight, closes Redis and exits 0',
    async (signal) => {
      const port = await freePort();
      const issuer = `http://127.0.0.1:${port}`;
      const bridge = new ChildBridge(
        harnessEnv(port, sim.url, {
          REDIS_URL: REDIS_TEST_URL,
          REDIS_KEY_PREFIX: prefix,
          SIGNING_KEY: generateSigningKeyPem('RS256'),
        }),
      );
      await bridge.waitFor('wecom-oidc-bridge listening');
      const connection = `wecom-oidc-bridge@${hostname()}:${bridge.child.pid}`;
      expect(await connectionNames()).toContain(connection);

      // A login up to WeCom's redirect back; then its callback is left hanging on user/get.
      const browser = new TestBrowser(undefined, 'zhangsan', sim.url);
      const client = await nocobaseClient({ issuer } as Harness);
      const start = await browser.request(
        client.authorizationUrl({ scope: 'openid', state: 'st', redirect_uri: CLIENTS.nocobase.redirectUri }),
      );
      const back = await browser.request(start.headers.get('location')!);
      const usergetBefore = sim.state.calls.userget;
      sim.state.addFault({ api: 'userget', hangMs: 1500 });
      const inFlight = browser.request(back.headers.get('location')!);
      while (sim.state.calls.userget === usergetBefore) await new Promise((r) => setTimeout(r, 10));

      bridge.child.kill(signal);
      await bridge.waitFor('"msg":"shutting down"');
      // No new connections once shutdown began.
      await expect(fetch(`${issuer}/healthz`)).rejects.toThrow();

      const response = await inFlight;
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toMatch(
        new RegExp(`^${CLIENTS.nocobase.redirectUri.replace(/[.:/]/g, '\\$&')}\\?code=`),
      );
      const exitCode = await bridge.exited;
      expect(exitCode).toBe(0);
      const lines = bridge.logLines();
      expect(lines.find((line) => line.msg === 'shutting down')?.signal).toBe(signal);
      expect(lines.find((line) => line.msg === 'shutdown complete')?.signal).toBe(signal);
      const messages = lines.map((line) => line.msg);
      expect(messages.indexOf('login succeeded')).toBeGreaterThan(messages.indexOf('shutting down'));
      // The in-flight request's own access-log line may land just before or after it (its onResponse
      // hook races the server's close); nothing else may follow the shutdown.
      expect(messages.filter((message) => message !== 'request').at(-1)).toBe('shutdown complete');
      expect(await connectionNames()).not.toContain(connection);
      expect(bridge.stderr).toBe('');
    },
  );
});
