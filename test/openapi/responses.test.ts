/**
 * Real responses conform to openapi.yaml: complete logins (openid-client v6 over real HTTP,
 * through the WeCom simulator) and the failures people meet, each response of the bridge
 * recorded and checked against the spec's status codes, headers, Location targets, media types
 * and schemas. At the end, every documented operation must have been seen.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackKey, sealCallback } from '../../src/wecom/callback-crypto.js';
import { USER_AGENTS } from '../helpers/browser.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { nocobaseState } from '../helpers/rp.js';
import { PENDING_OPERATIONS } from './pending.js';
import { ResponseLog } from './recorder.js';
import { loadSpec, SpecChecker, specOperations } from './spec.js';

const PENDING = PENDING_OPERATIONS;
const EVENTS_KEY = '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt';
const EVENTS = { token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo', key: callbackKey(EVENTS_KEY), corpId: 'ww5imulat0rc0rp1d' };
const logoutPending = PENDING.includes('GET /logout');

let h: Harness;
let checker: SpecChecker;
const seen = new Set<string>();

beforeAll(async () => {
  h = await startHarness({
    env: {
      WECOM_DOMAIN_VERIFY_FILE: 'WW_verify_Spec42.txt:Spec42',
      WECOM_CALLBACK_TOKEN: EVENTS.token,
      WECOM_CALLBACK_AES_KEY: EVENTS_KEY,
    },
  });
  checker = new SpecChecker(loadSpec(), h.issuer);
});

afterAll(async () => {
  await h.close();
});

/** Asserts that every recorded response conforms, and notes which operations were seen. */
function expectConforms(log: ResponseLog, against: SpecChecker = checker): void {
  expect(log.entries.length).toBeGreaterThan(0);
  const problems = log.entries.flatMap((entry) => against.problems(entry));
  expect(problems).toEqual([]);
  for (const entry of log.entries) seen.add(`${entry.method} ${templateOf(entry.url, against)}`);
}

function templateOf(url: string, against: SpecChecker = checker): string {
  const path = against.relativePath(url);
  return path.startsWith('/WW_verify_') ? '/WW_verify_{token}.txt' : path;
}

type ClientKey = 'nocobase' | 'modern';

/** openid-client v6 configured for `client`, recording the back channel into `log`. */
async function rpConfig(log: ResponseLog, client: ClientKey): Promise<oidc.Configuration> {
  const c = CLIENTS[client];
  const auth = client === 'nocobase' ? oidc.ClientSecretBasic(c.secret) : oidc.ClientSecretPost(c.secret);
  const config = await oidc.discovery(new URL(h.issuer), c.id, c.secret, auth, {
    execute: [oidc.allowInsecureRequests],
    [oidc.customFetch]: log.fetch,
  });
  config[oidc.customFetch] = log.fetch;
  return config;
}

/** A complete login: authorize → WeCom → callback → token → userinfo. */
async function login(log: ResponseLog, client: ClientKey, userAgent: string, user = 'zhangsan') {
  const config = await rpConfig(log, client);
  const redirectUri = CLIENTS[client].redirectUri;
  const verifier = oidc.randomPKCECodeVerifier();
  const modern = client === 'modern';
  const state = modern ? oidc.randomState() : nocobaseState();
  const nonce = modern ? oidc.randomNonce() : undefined;
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email phone offline_access',
    state,
    ...(modern
      ? {
          nonce: nonce!,
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
        }
      : {}),
  });
  const browser = log.browser(userAgent, user, h.sim.url);
  const flow = await browser.follow(url.href, redirectUri);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(flow.finalUrl), {
    expectedState: state,
    ...(modern ? { pkceCodeVerifier: verifier, expectedNonce: nonce } : {}),
    idTokenExpected: true,
  });
  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
  return { config, browser, flow, tokens, userinfo, url };
}

function idTokenPayload(idToken: string): unknown {
  return JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString('utf8'));
}

describe('logins conform to openapi.yaml', () => {
  it('desktop web login, NocoBase-style client (Basic, no nonce, no PKCE)', async () => {
    const log = new ResponseLog(h.issuer);
    const { tokens, userinfo } = await login(log, 'nocobase', USER_AGENTS.desktop);
    expect(userinfo.sub).toBe('zhangsan');
    expect(checker.validate('/components/schemas/IdTokenClaims', idTokenPayload(tokens.id_token!))).toEqual([]);
    expectConforms(log);
  });

  it('in-client login with consent, modern client (post, PKCE, nonce): every claim', async () => {
    const log = new ResponseLog(h.issuer);
    const { tokens, userinfo } = await login(log, 'modern', USER_AGENTS.wecom);
    expect(userinfo).toMatchObject({ phone_number: '+8613800138000', email: 'zhangsan@corp.example' });
    expect(checker.validate('/components/schemas/IdTokenClaims', idTokenPayload(tokens.id_token!))).toEqual([]);
    expectConforms(log);
  });

  it('WeCom events: URL verification, an event, its repeat, refusals', async () => {
    const log = new ResponseLog(h.issuer);
    const timestamp = String(Math.floor(h.clock.now() / 1000));
    const verify = sealCallback(EVENTS, '1288432023552776189', timestamp, 'spec1');
    const query = (q: { signature: string; timestamp: string; nonce: string }) =>
      new URLSearchParams({ msg_signature: q.signature, timestamp: q.timestamp, nonce: q.nonce });
    await log.fetch(`${h.issuer}/wecom/events?${query(verify.query)}&echostr=${encodeURIComponent(verify.ciphertext)}`);
    await log.fetch(`${h.issuer}/wecom/events?${query({ ...verify.query, signature: '0'.repeat(40) })}&echostr=x`);
    await log.fetch(`${h.issuer}/wecom/events?echostr=x`);
    const event = sealCallback(
      EVENTS,
      '<xml><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>delete_user</ChangeType><UserID>nobody</UserID></xml>',
      timestamp,
      'spec2',
    );
    const post = (q: string, body: string) =>
      log.fetch(`${h.issuer}/wecom/events?${q}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
    await post(query(event.query).toString(), event.body);
    await post(query(event.query).toString(), event.body);
    await post(query({ ...event.query, signature: '0'.repeat(40) }).toString(), event.body);
    await post(query(event.query).toString(), `<xml><Encrypt>${'A'.repeat(70_000)}</Encrypt></xml>`);
    await post(query(event.query).toString(), '<!DOCTYPE x><xml/>');
    expect(log.entries.map((e) => e.status)).toEqual([200, 403, 400, 200, 200, 403, 413, 400]);
    expectConforms(log);
  });

  it('a refresh_token grant answers with rotated tokens', async () => {
    const log = new ResponseLog(h.issuer);
    const { config, tokens } = await login(log, 'modern', USER_AGENTS.desktop);
    expect(tokens.refresh_token).toBeDefined();
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeDefined();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(checker.validate('/components/schemas/IdTokenClaims', idTokenPayload(refreshed.id_token!))).toEqual([]);
    // The refresh is the last /token call: the 200 checked below includes its answer.
    expect(log.entries.filter((entry) => entry.url.endsWith('/token')).map((entry) => entry.status)).toEqual([
      200, 200,
    ]);
    expectConforms(log);
  });

  it('a second login in the same browser is answered from the SSO session; a form POST gets 303', async () => {
    const log = new ResponseLog(h.issuer);
    const { browser, url } = await login(log, 'modern', USER_AGENTS.desktop);
    const again = await browser.request(url.href);
    expect(again.status).toBe(302);
    const posted = await browser.request(`${h.issuer}/authorize`, {
      method: 'POST',
      body: url.searchParams.toString(),
    });
    expect(posted.status).toBe(303);
    expectConforms(log);
  });

  it('a member who may not sign in sees why, with a link that returns access_denied to the relying party', async () => {
    const log = new ResponseLog(h.issuer);
    const config = await rpConfig(log, 'nocobase');
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CLIENTS.nocobase.redirectUri,
      scope: 'openid',
      state: 's1',
    });
    const flow = await log
      .browser(USER_AGENTS.desktop, 'wangwu', h.sim.url)
      .follow(url.href, CLIENTS.nocobase.redirectUri);
    expect(flow.response?.status).toBe(403);
    const back = new URL(/href="([^"]+)"/.exec(flow.body!)![1]!.replace(/&#38;|&amp;/g, '&'));
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('s1');
    expectConforms(log);
  });

  it('a dead WeCom code restarts the WeCom leg; a setup problem shows the page with the fix', async () => {
    const log = new ResponseLog(h.issuer);
    const config = await rpConfig(log, 'nocobase');
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CLIENTS.nocobase.redirectUri,
      scope: 'openid',
      state: 's2',
    });
    h.sim.state.addFault({ api: 'getuserinfo', errcode: 40029, times: 1 });
    const restarted = await log
      .browser(USER_AGENTS.desktop, 'zhangsan', h.sim.url)
      .follow(url.href, CLIENTS.nocobase.redirectUri);
    expect(restarted.hops.filter((hop) => hop.url.startsWith(`${h.issuer}/wecom/callback`))).toHaveLength(2);
    h.sim.state.addFault({ api: 'getuserinfo', errcode: 60020, times: 1 });
    const failed = await log
      .browser(USER_AGENTS.desktop, 'zhangsan', h.sim.url)
      .follow(url.href, CLIENTS.nocobase.redirectUri);
    expect(failed.response?.status).toBe(502);
    expect(failed.body).toContain('企业可信IP');
    expectConforms(log);
  });
});

describe('the first-login hand-off conforms to openapi.yaml', () => {
  it('desktop waiting page, status, phone scan and continue', async () => {
    const first = await startHarness({ env: { REQUIRE_CLAIMS: 'phone_number', PROFILE_TTL: '0' } });
    try {
      const against = new SpecChecker(loadSpec(), first.issuer);
      const log = new ResponseLog(first.issuer);
      const query = new URLSearchParams({
        client_id: CLIENTS.nocobase.id,
        redirect_uri: CLIENTS.nocobase.redirectUri,
        response_type: 'code',
        scope: 'openid phone',
        state: 'ho',
      });
      const desktop = log.browser(USER_AGENTS.desktop, 'zhangsan', first.sim.url);
      const waiting = await desktop.follow(`${first.issuer}/authorize?${query}`, CLIENTS.nocobase.redirectUri);
      expect(waiting.response?.status).toBe(200);
      const handle = new URL(waiting.finalUrl).searchParams.get('h')!;
      const scan = /<code>(http[^<]+\/handoff\/scan\?s=[^<]+)<\/code>/
        .exec(waiting.body!)![1]!
        .replace(/&#38;|&amp;/g, '&');
      expect(await (await desktop.request(`${first.issuer}/handoff/status?h=${handle}`)).json()).toEqual({
        status: 'pending',
      });
      const phone = log.browser(USER_AGENTS.wecom, 'zhangsan', first.sim.url);
      const done = await phone.follow(scan, 'http://never.example/');
      expect(done.response?.status).toBe(200);
      expect(await (await desktop.request(`${first.issuer}/handoff/status?h=${handle}`)).json()).toEqual({
        status: 'done',
      });
      const finished = await desktop.follow(
        `${first.issuer}/handoff/continue?h=${handle}`,
        CLIENTS.nocobase.redirectUri,
      );
      expect(new URL(finished.finalUrl).searchParams.get('state')).toBe('ho');
      expectConforms(log, against);
    } finally {
      await first.close();
    }
  });
});

describe('failures conform to openapi.yaml', () => {
  it('authorization requests that must not redirect get a page; the others are redirected', async () => {
    const log = new ResponseLog(h.issuer);
    const browser = log.browser(USER_AGENTS.desktop, 'zhangsan', h.sim.url);
    const base = `${h.issuer}/authorize?response_type=code&scope=openid&client_id=${CLIENTS.modern.id}`;
    const redirect = `&redirect_uri=${encodeURIComponent(CLIENTS.modern.redirectUri)}`;
    expect((await browser.request(`${h.issuer}/authorize?client_id=nobody`)).status).toBe(400);
    expect(
      (await browser.request(`${base}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`)).status,
    ).toBe(400);
    expect((await browser.request(`${base}${redirect}&response_mode=fragment`)).status).toBe(400);
    expect((await browser.request(`${base}${redirect}&prompt=none`)).headers.get('location')).toContain(
      'error=login_required',
    );
    expect(
      (await browser.request(`${base.replace('scope=openid', 'scope=profile')}${redirect}`)).headers.get('location'),
    ).toContain('error=invalid_scope');
    expect((await browser.request(`${base}${redirect}&state=${'x'.repeat(9000)}`)).status).toBe(414);
    const json = await browser.request(`${h.issuer}/authorize`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(json.status).toBe(415);
    expectConforms(log);
  });

  it('callbacks that are malformed, unknown or from another browser get a page', async () => {
    const log = new ResponseLog(h.issuer);
    const browser = log.browser(USER_AGENTS.desktop, 'zhangsan', h.sim.url);
    expect((await browser.request(`${h.issuer}/wecom/callback?code=abc`)).status).toBe(400);
    expect((await browser.request(`${h.issuer}/wecom/callback?code=abc&state=NoSuchLogin0123456789ab`)).status).toBe(
      400,
    );
    expectConforms(log);
  });

  it('token endpoint errors: bad code, bad client, replay, wrong method, wrong body type', async () => {
    const log = new ResponseLog(h.issuer);
    const { flow } = await login(log, 'nocobase', USER_AGENTS.desktop);
    const code = new URL(flow.finalUrl).searchParams.get('code')!;
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(CLIENTS.nocobase.id)}:${encodeURIComponent(CLIENTS.nocobase.secret)}`).toString('base64')}`;
    const post = (body: string, headers: Record<string, string> = {}) =>
      log.fetch(`${h.issuer}/token`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });
    const replay = await post(
      form({ grant_type: 'authorization_code', code, redirect_uri: CLIENTS.nocobase.redirectUri }),
      { authorization: basic },
    );
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
    expect(
      (
        await post(form({ grant_type: 'authorization_code', code: 'nope' }), {
          authorization: 'Basic bm9ib2R5Om5vcGU=',
        })
      ).status,
    ).toBe(401);
    expect((await post(form({ grant_type: 'password' }), { authorization: basic })).status).toBe(400);
    expect((await post('{}', { 'content-type': 'application/json' })).status).toBe(415);
    expect((await post(form({ grant_type: 'x'.repeat(20_000) }))).status).toBe(413);
    expect((await log.fetch(`${h.issuer}/token`)).status).toBe(405);
    expectConforms(log);
  });

  it('userinfo errors: no token, unknown token, token sent twice', async () => {
    const log = new ResponseLog(h.issuer);
    expect((await log.fetch(`${h.issuer}/userinfo`)).status).toBe(401);
    expect((await log.fetch(`${h.issuer}/userinfo`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const twice = await log.fetch(`${h.issuer}/userinfo?access_token=a`, {
      method: 'POST',
      headers: { authorization: 'Bearer a' },
    });
    expect(twice.status).toBe(400);
    const body = await log.fetch(`${h.issuer}/userinfo`, {
      method: 'POST',
      body: 'access_token=nope',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(body.status).toBe(401);
    expectConforms(log);
  });
});

describe('RP-initiated logout conforms to openapi.yaml', () => {
  it.skipIf(logoutPending)(
    'a valid hint and a registered URI redirect back with state; a POSTed request too',
    async () => {
      const log = new ResponseLog(h.issuer);
      const { browser, tokens } = await login(log, 'modern', USER_AGENTS.desktop);
      const query = new URLSearchParams({
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: CLIENTS.modern.postLogoutRedirectUri,
        state: 'bye-1',
      });
      const loggedOut = await browser.request(`${h.issuer}/logout?${query}`);
      expect(loggedOut.status).toBe(302);
      expect(loggedOut.headers.get('location')).toBe(`${CLIENTS.modern.postLogoutRedirectUri}?state=bye-1`);
      const posted = await browser.request(`${h.issuer}/logout`, { method: 'POST', body: query.toString() });
      expect([200, 303]).toContain(posted.status);
      expectConforms(log);
    },
  );

  it.skipIf(logoutPending)(
    'without a hint, or with an unregistered URI, it shows a page and never redirects',
    async () => {
      const log = new ResponseLog(h.issuer);
      const browser = log.browser(USER_AGENTS.desktop, 'zhangsan', h.sim.url);
      const bare = await browser.request(`${h.issuer}/logout`);
      expect(bare.status).toBe(200);
      const foreign = await browser.request(
        `${h.issuer}/logout?post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`,
      );
      expect(foreign.headers.get('location')).toBeNull();
      expectConforms(log);
    },
  );
});

describe('rate limits and an unreachable store conform to openapi.yaml', () => {
  it('beyond a limit: a 429 page at /authorize (GET and POST), 429 OAuth JSON at /token', async () => {
    // Every request comes from 127.0.0.1: the per-address limits refuse the third /authorize and the second /token.
    const limited = await startHarness({ env: { RATE_LIMIT_AUTHORIZE_PER_IP: '2', RATE_LIMIT_TOKEN_PER_IP: '1' } });
    try {
      const against = new SpecChecker(loadSpec(), limited.issuer);
      const log = new ResponseLog(limited.issuer);
      const browser = log.browser(USER_AGENTS.desktop, 'zhangsan', limited.sim.url);
      const query = new URLSearchParams({
        client_id: CLIENTS.modern.id,
        redirect_uri: CLIENTS.modern.redirectUri,
        response_type: 'code',
        scope: 'openid',
      });
      expect((await browser.request(`${limited.issuer}/authorize?${query}`)).status).toBe(302);
      expect(
        (await browser.request(`${limited.issuer}/authorize`, { method: 'POST', body: query.toString() })).status,
      ).toBe(303);
      const page = await browser.request(`${limited.issuer}/authorize?${query}`);
      expect(page.status).toBe(429);
      expect(page.headers.get('x-ratelimit-limit')).toBe('2');
      expect(
        (await browser.request(`${limited.issuer}/authorize`, { method: 'POST', body: query.toString() })).status,
      ).toBe(429);
      const form = new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'unknown',
        client_id: CLIENTS.modern.id,
        client_secret: CLIENTS.modern.secret,
      });
      const post = () =>
        log.fetch(`${limited.issuer}/token`, {
          method: 'POST',
          body: form.toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
      expect((await post()).status).toBe(400);
      const json = await post();
      expect(json.status).toBe(429);
      expect(await json.json()).toMatchObject({ error: 'temporarily_unavailable' });
      expectConforms(log, against);
    } finally {
      await limited.close();
    }
  });

  it('Redis unreachable: 503, a page on browser routes and OAuth JSON on back-channel ones', async () => {
    const down = await startHarness({ env: { REDIS_URL: 'redis://127.0.0.1:1/0' } });
    try {
      const against = new SpecChecker(loadSpec(), down.issuer);
      const log = new ResponseLog(down.issuer);
      const browser = log.browser(USER_AGENTS.desktop, 'zhangsan', down.sim.url);
      const phone = log.browser(USER_AGENTS.wecom, 'zhangsan', down.sim.url);
      const query = new URLSearchParams({
        client_id: CLIENTS.modern.id,
        redirect_uri: CLIENTS.modern.redirectUri,
        response_type: 'code',
        scope: 'openid',
      });
      const handle = 'h'.repeat(43);
      // Shaped like a real access token (`<grant id>.<secret>`), so that /userinfo looks it up.
      const accessToken = `grant.${'t'.repeat(43)}`;
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const responses = [
        await browser.request(`${down.issuer}/authorize?${query}`),
        await browser.request(`${down.issuer}/authorize`, { method: 'POST', body: query.toString() }),
        await browser.request(`${down.issuer}/wecom/callback?code=abc&state=NoSuchLogin0123456789ab`),
        await browser.request(`${down.issuer}/handoff?h=${handle}`),
        await browser.request(`${down.issuer}/handoff/status?h=${handle}`),
        await browser.request(`${down.issuer}/handoff/continue?h=${handle}`),
        await phone.request(`${down.issuer}/handoff/scan?s=${handle}`),
        await browser.request(`${down.issuer}/logout`),
        await browser.request(`${down.issuer}/logout`, { method: 'POST', body: '' }),
        await log.fetch(`${down.issuer}/token`, {
          method: 'POST',
          headers: form,
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: 'unknown',
            client_id: CLIENTS.modern.id,
            client_secret: CLIENTS.modern.secret,
          }).toString(),
        }),
        await log.fetch(`${down.issuer}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } }),
        await log.fetch(`${down.issuer}/userinfo`, {
          method: 'POST',
          headers: form,
          body: `access_token=${accessToken}`,
        }),
      ];
      expect(responses.map((response) => response.status)).toEqual(responses.map(() => 503));
      expectConforms(log, against);
    } finally {
      await down.close();
    }
  });
});

describe('documents and probes conform to openapi.yaml', () => {
  it('discovery, JWKS, health, readiness, the domain verification file', async () => {
    const log = new ResponseLog(h.issuer);
    for (const path of [
      '/.well-known/openid-configuration',
      '/jwks',
      '/healthz',
      '/readyz',
      '/WW_verify_Spec42.txt',
      '/WW_verify_Other1.txt',
    ]) {
      await log.fetch(`${h.issuer}${path}`);
    }
    await log.fetch(`${h.issuer}/jwks`, { method: 'HEAD' });
    expectConforms(log);
  });

  it('metrics, on the metrics listener (its own server in the spec), with and without the token it asks for', async () => {
    const guarded = await startHarness({ env: { METRICS_TOKEN: 'spec-metrics-token-0123456789' } });
    try {
      const log = new ResponseLog(guarded.metricsUrl!);
      await log.fetch(`${guarded.metricsUrl}/metrics`);
      await log.fetch(`${guarded.metricsUrl}/metrics`, {
        headers: { authorization: 'Bearer spec-metrics-token-0123456789' },
      });
      expect(log.entries.map((entry) => entry.status)).toEqual([401, 200]);
      expectConforms(log, new SpecChecker(loadSpec(), guarded.metricsUrl!));
    } finally {
      await guarded.close();
    }
  });
});

describe('coverage', () => {
  it('every documented operation was seen above (except pending ones)', () => {
    const expected = specOperations(checker.spec).filter((op) => !PENDING.includes(op));
    expect(expected.filter((op) => !seen.has(op))).toEqual([]);
  });
});
