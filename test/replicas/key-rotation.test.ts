/**
 * The key rotation procedure of the README ("Rotating keys"), rolled through two replicas behind
 * a load balancer on one Redis, one replica at a time: publish the new key, switch signing to it,
 * retire the old one. Logins and id_token_hint keep working at every step until the old key is
 * removed.
 */

import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWeComSimulator, type WeComSimulator } from '../../sim/server.js';
import type { BuiltApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { generateSigningKeyPem } from '../../src/keys/generate.js';
import { startServer } from '../../src/server.js';
import { Balancer } from '../helpers/balancer.js';
import { TestBrowser } from '../helpers/browser.js';
import { freePort } from '../helpers/free-port.js';
import { CLIENTS, type Harness, harnessEnv } from '../helpers/harness.js';
import { REDIS_TEST_URL, redisAvailable, uniquePrefix } from '../helpers/redis.js';
import { nocobaseClient, nocobaseLogin } from '../helpers/rp.js';

const available = await redisAvailable();
const prefix = uniquePrefix('rotation');
const OLD = generateSigningKeyPem('RS256');
const NEW = generateSigningKeyPem('RS256');

let sim: WeComSimulator;
let balancer: Balancer;
let issuer: string;
let ports: number[] = [];
const replicas: (BuiltApp | undefined)[] = [];

/** (Re)starts replica `index` with SIGNING_KEY = these PEM blocks, in order. */
async function deploy(index: number, keys: readonly string[]): Promise<void> {
  await replicas[index]?.app.close();
  const env = harnessEnv(ports[index]!, sim.url, {
    PUBLIC_URL: issuer,
    REDIS_URL: REDIS_TEST_URL,
    REDIS_KEY_PREFIX: prefix,
    SIGNING_KEY: keys.join('\n'),
  });
  replicas[index] = await startServer(loadConfig(env), { logger: pino({ level: 'silent' }) });
}

const view = () => ({ issuer }) as Harness;
const kidOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()).kid as string;
const jwksKids = async (index: number) =>
  ((await (await fetch(`http://127.0.0.1:${ports[index]}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map(
    (key) => key.kid,
  );

/** A login; returns the ID token's kid (openid-client v5 verified it against the JWKS). */
async function login(browser: TestBrowser): Promise<{ kid: string; idToken: string }> {
  const result = await nocobaseLogin(view(), browser);
  expect(result.tokenSet?.claims().sub).toBe(browser.simUser);
  return { kid: kidOf(result.tokenSet!.id_token!), idToken: result.tokenSet!.id_token! };
}

/** prompt=none with an id_token_hint, in a browser that has a session: the callback's params. */
async function silentWithHint(browser: TestBrowser, hint: string): Promise<Record<string, string>> {
  const client = await nocobaseClient(view());
  const url = client.authorizationUrl({
    scope: 'openid',
    state: 'hint',
    redirect_uri: CLIENTS.nocobase.redirectUri,
    prompt: 'none',
    id_token_hint: hint,
  });
  const flow = await browser.follow(url, CLIENTS.nocobase.redirectUri);
  return Object.fromEntries(new URL(flow.finalUrl).searchParams);
}

describe.runIf(available)('rotating the signing key across replicas', () => {
  beforeAll(async () => {
    const lbPort = await freePort();
    issuer = `http://127.0.0.1:${lbPort}`;
    sim = await startWeComSimulator({ trustedDomains: [`127.0.0.1:${lbPort}`] });
    ports = [await freePort(), await freePort()];
    balancer = new Balancer(ports, lbPort);
    await balancer.listen();
  });

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica?.app.close()));
    await balancer?.close();
    await sim?.close();
    const raw = new Redis(REDIS_TEST_URL);
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length > 0) await raw.del(...keys);
    raw.disconnect();
  });

  it('publishes, switches and retires without a failed login', async () => {
    await deploy(0, [OLD]);
    await deploy(1, [OLD]);
    const browser = new TestBrowser(undefined, 'zhangsan', sim.url);
    const first = await login(browser);
    const [oldKid] = await jwksKids(0);
    expect(first.kid).toBe(oldKid);

    // 1. Publish: the new key second, on one replica after the other. The old key still signs.
    for (const index of [0, 1]) {
      await deploy(index, [OLD, NEW]);
      expect((await login(browser)).kid).toBe(oldKid);
    }
    const [, newKid] = await jwksKids(0);
    expect(await jwksKids(1)).toEqual([oldKid, newKid]);

    // 2. Switch: the new key first. Mid-rollout both kids are being issued; every RP verifies
    //    either, because every replica publishes both.
    await deploy(0, [NEW, OLD]);
    const midRollout = new Set<string>();
    for (let i = 0; i < 4; i += 1) midRollout.add((await login(new TestBrowser(undefined, 'lisi', sim.url))).kid);
    expect(midRollout).toEqual(new Set([oldKid, newKid]));
    await deploy(1, [NEW, OLD]);
    expect((await login(browser)).kid).toBe(newKid);
    expect(await jwksKids(0)).toEqual([newKid, oldKid]);
    // An ID token signed with the old key still works as id_token_hint, on both replicas.
    for (let i = 0; i < 2; i += 1) {
      const answer = await silentWithHint(browser, first.idToken);
      expect(answer).toHaveProperty('code');
      expect(answer).not.toHaveProperty('error');
    }

    // 3. Retire: only the new key. Tokens signed with the old one are no longer ours.
    await deploy(0, [NEW]);
    await deploy(1, [NEW]);
    expect(await jwksKids(1)).toEqual([newKid]);
    expect((await login(browser)).kid).toBe(newKid);
    const refused = await silentWithHint(browser, first.idToken);
    expect(refused).toMatchObject({ error: 'invalid_request', state: 'hint' });
  });
});
