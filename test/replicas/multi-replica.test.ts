/**
 * Two bridge processes (the compiled service, as in production) on one Redis and one configured
 * signing key, behind a load balancer that sends every hop of a login to a different replica.
 * Logins complete with openid-client v5 (NocoBase's way) and v6; a code redeemed on both replicas
 * at once succeeds exactly once; the WeCom access token is fetched once for all replicas and a
 * forced refresh does not stampede.
 */

import { Redis } from 'ioredis';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWeComSimulator, type WeComSimulator } from '../../sim/server.js';
import { unseal } from '../../src/crypto/seal.js';
import { generateSigningKeyPem } from '../../src/keys/generate.js';
import { Balancer } from '../helpers/balancer.js';
import { TestBrowser, USER_AGENTS } from '../helpers/browser.js';
import { freePort } from '../helpers/free-port.js';
import { CLIENTS, type Harness, harnessEnv } from '../helpers/harness.js';
import { ChildBridge, requireBuild } from '../helpers/process.js';
import { REDIS_TEST_URL, redisAvailable, uniquePrefix } from '../helpers/redis.js';
import { modernLogin, nocobaseClient, nocobaseLogin, nocobaseState } from '../helpers/rp.js';

const available = await redisAvailable();
const prefix = uniquePrefix('replicas');

let sim: WeComSimulator;
let balancer: Balancer;
let replicas: ChildBridge[] = [];
let replicaPorts: number[] = [];
let issuer: string;

/** What the RP helpers need of a harness: the issuer (the balancer). */
const rpView = () => ({ issuer }) as Harness;
const browser = (user: string, ua = USER_AGENTS.desktop) => new TestBrowser(ua, user, sim.url);
const gettokenCalls = () => sim.state.calls.gettoken;

/** The WeCom access token the replicas share through Redis (sealed with the app secret there). */
async function sharedWeComToken(): Promise<string> {
  const raw = new Redis(REDIS_TEST_URL);
  const key = 'wecom-token:ww5imulat0rc0rp1d:1000002';
  try {
    const stored = JSON.parse((await raw.get(`${prefix}${key}`))!) as { sealed: string };
    return unseal(harnessEnv(0, sim.url).WECOM_SECRET!, key, stored.sealed, Date.now(), 7200).plaintext!;
  } finally {
    raw.disconnect();
  }
}

/** One complete login (authorize, callback, token, userinfo), alternating the RP library. */
async function completeLogin(index: number, user = 'zhangsan'): Promise<void> {
  if (index % 2 === 0) {
    const login = await nocobaseLogin(rpView(), browser(user));
    expect(login.params.state).toBe(nocobaseState());
    expect(login.tokenSet!.claims().sub).toBe(user);
    const info = await login.client.userinfo(login.tokenSet!.access_token!);
    expect(info.sub).toBe(user);
  } else {
    const login = await modernLogin(rpView(), browser(user, USER_AGENTS.wecom));
    const claims = login.tokens!.claims()!;
    expect(claims).toMatchObject({ iss: issuer, sub: user, nonce: login.nonce });
    const info = await oidc.fetchUserInfo(login.config, login.tokens!.access_token, user);
    expect(info.sub).toBe(user);
  }
}

/** A fresh code for the NocoBase client, not yet redeemed. */
async function freshCode(): Promise<string> {
  const client = await nocobaseClient(rpView());
  const url = client.authorizationUrl({
    scope: 'openid profile',
    state: 's',
    redirect_uri: CLIENTS.nocobase.redirectUri,
  });
  const flow = await browser('lisi').follow(url, CLIENTS.nocobase.redirectUri);
  const code = new URL(flow.finalUrl).searchParams.get('code');
  if (!code) throw new Error(`no code: ${flow.finalUrl}`);
  return code;
}

/** POST /token straight to one replica (client_secret_post). */
async function redeemOn(port: number, code: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: CLIENTS.nocobase.redirectUri,
      client_id: CLIENTS.nocobase.id,
      client_secret: CLIENTS.nocobase.secret,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.runIf(available)('several replicas on one Redis', () => {
  beforeAll(async () => {
    requireBuild();
    const lbPort = await freePort();
    issuer = `http://127.0.0.1:${lbPort}`;
    sim = await startWeComSimulator({ trustedDomains: [`127.0.0.1:${lbPort}`] });
    replicaPorts = [await freePort(), await freePort()];
    const key = generateSigningKeyPem('RS256');
    replicas = replicaPorts.map(
      (port) =>
        new ChildBridge(
          harnessEnv(port, sim.url, {
            PUBLIC_URL: issuer,
            REDIS_URL: REDIS_TEST_URL,
            REDIS_KEY_PREFIX: prefix,
            SIGNING_KEY: key,
          }),
        ),
    );
    await Promise.all(replicas.map((replica) => replica.waitFor('wecom-oidc-bridge listening')));
    balancer = new Balancer(replicaPorts, lbPort);
    await balancer.listen();
  });

  afterAll(async () => {
    await balancer?.close();
    const codes = await Promise.all(replicas.map((replica) => replica.stop()));
    expect(codes).toEqual(replicas.map(() => 0));
    await sim?.close();
    const raw = new Redis(REDIS_TEST_URL);
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length > 0) await raw.del(...keys);
    raw.disconnect();
  });

  it('completes logins whose every hop lands on another replica, with one gettoken for all', async () => {
    const before = gettokenCalls();
    const sequential = 8;
    for (let i = 0; i < sequential; i += 1) await completeLogin(i);
    const concurrent = 8;
    await Promise.all(
      Array.from({ length: concurrent }, (_, i) => completeLogin(i, i % 3 === 0 ? 'lisi' : 'zhangsan')),
    );
    const calls = gettokenCalls() - before;
    console.info(
      `[figures] ${sequential + concurrent} logins across 2 replicas (${concurrent} of them concurrent): ${calls} gettoken call(s)`,
    );
    expect(calls).toBe(1);
    for (const path of ['/authorize', '/wecom/callback', '/token', '/userinfo']) {
      expect(new Set(balancer.replicasFor(path)), path).toEqual(new Set([0, 1]));
    }
    // In the sequential logins, the callback always reached the other replica than the authorize.
    const authorize = balancer.replicasFor('/authorize').slice(0, sequential);
    const callback = balancer.replicasFor('/wecom/callback').slice(0, sequential);
    expect(callback).toEqual(authorize.map((replica) => 1 - replica));
  });

  it('publishes the same JWKS on both replicas', async () => {
    const [a, b] = await Promise.all(
      replicaPorts.map((port) => fetch(`http://127.0.0.1:${port}/jwks`).then((r) => r.json())),
    );
    expect(a).toEqual(b);
    const discovery = (await Promise.all(
      replicaPorts.map((port) =>
        fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`).then((r) => r.json()),
      ),
    )) as Record<string, unknown>[];
    expect(discovery[0]).toEqual(discovery[1]);
    expect(discovery[0]!.issuer).toBe(issuer);
  });

  it('redeems a code sent to both replicas at once exactly once, and revokes the winner on the replay', async () => {
    const rounds = 10;
    for (let round = 0; round < rounds; round += 1) {
      const code = await freshCode();
      const answers = await Promise.all([...replicaPorts, ...replicaPorts].map((port) => redeemOn(port, code)));
      const winners = answers.filter((answer) => answer.status === 200);
      expect(winners).toHaveLength(1);
      for (const loser of answers.filter((answer) => answer.status !== 200)) {
        expect(loser).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      }
      // The replay revoked the tokens of the grant on every replica.
      const token = String(winners[0]!.body.access_token);
      for (const port of replicaPorts) {
        const info = await fetch(`http://127.0.0.1:${port}/userinfo`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(info.status).toBe(401);
      }
    }
  });

  it.each([
    ['expires it (42001)', 42001, () => sim.state.expireTokens()],
    ['invalidates it early (40014)', 40014, () => sim.state.invalidateTokens()],
  ] as const)(
    'refreshes the WeCom token once for all replicas after WeCom %s (no stampede)',
    async (_what, errcode, kill) => {
      await completeLogin(0);
      const before = { ...sim.state.calls };
      const held = await sharedWeComToken();
      expect(sim.state.checkToken(held)).toBe(0);
      kill();
      expect(sim.state.checkToken(held)).toBe(errcode);
      const logins = 10;
      await Promise.all(Array.from({ length: logins }, (_, i) => completeLogin(i)));
      const calls = gettokenCalls() - before.gettoken;
      console.info(
        `[figures] forced refresh (${errcode}) under ${logins} concurrent logins on 2 replicas: ${calls} gettoken call(s), ` +
          `${sim.state.calls.getuserinfo - before.getuserinfo} getuserinfo calls (logins + retries after ${errcode})`,
      );
      expect(calls).toBe(1);
      // Some logins did meet the dead token (their getuserinfo was retried after the refresh).
      expect(sim.state.calls.getuserinfo - before.getuserinfo).toBeGreaterThan(logins);
      // The replicas now share the new token.
      const fresh = await sharedWeComToken();
      expect(fresh).not.toBe(held);
      expect(sim.state.checkToken(fresh)).toBe(0);
    },
  );
});
