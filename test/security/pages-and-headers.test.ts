/**
 * Hardening of the browser leg (issue 3 "Hardening", oidc-checklist.md §7.19-22): every page's
 * security headers, escaping, 303 after POST (never 307), no CORS where a browser navigates,
 * no-store where tokens travel, and URLs from PUBLIC_URL whatever Host says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { nocobaseLogin } from '../helpers/rp.js';
import { expectSafePage } from './page-checks.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

const authorizeUrl = (params: Record<string, string>) => `${h.issuer}/authorize?${new URLSearchParams(params)}`;
const nocobase = {
  client_id: CLIENTS.nocobase.id,
  redirect_uri: CLIENTS.nocobase.redirectUri,
  response_type: 'code',
  scope: 'openid',
};

describe('every HTML page', () => {
  const pages: [string, () => Promise<Response>][] = [
    ['unknown client', () => h.browser().request(authorizeUrl({ ...nocobase, client_id: 'nobody' }))],
    [
      'unregistered redirect_uri',
      () => h.browser().request(authorizeUrl({ ...nocobase, redirect_uri: 'https://evil.example/' })),
    ],
    ['unsupported response_mode', () => h.browser().request(authorizeUrl({ ...nocobase, response_mode: 'fragment' }))],
    ['malformed WeCom state', () => h.browser().request(`${h.issuer}/wecom/callback?state=not-alnum!&code=x`)],
    ['unknown WeCom state', () => h.browser().request(`${h.issuer}/wecom/callback?state=abc123&code=x`)],
    ['logout confirmation', () => h.browser().request(`${h.issuer}/logout`)],
    ['invalid logout hint', () => h.browser().request(`${h.issuer}/logout?id_token_hint=a.b.c`)],
    ['not found', () => h.browser().request(`${h.issuer}/nothing-here`)],
  ];
  it.each(pages)('%s: strict CSP, no framing, no referrer, no-store, nothing third-party', async (_what, load) => {
    const response = await load();
    expect(response.status).toBeLessThan(500);
    expectSafePage(response.headers, await response.text());
  });

  it('a WeCom configuration failure shows the admin hint on a safe page', async () => {
    h.sim.state.addFault({ api: 'gettoken', errcode: 40013 });
    const flow = await h
      .browser('zhangsan')
      .follow(authorizeUrl({ ...nocobase, state: 's' }), CLIENTS.nocobase.redirectUri);
    h.sim.state.clearFaults();
    // The bridge remembers a configuration failure for 30 s (no hammering of WeCom): move past it.
    h.clock.advance(31);
    expect(flow.response!.status).toBe(502);
    expect(flow.body).toContain('WECOM_CORP_ID');
    expectSafePage(flow.response!.headers, flow.body!);
  });

  it('the signed-out page and a member name full of markup are escaped', async () => {
    h.sim.state.upsertMember({ userid: 'mallory', name: '<script>alert(1)</script>"\'&', department: [2], status: 1 });
    const browser = h.browser('mallory');
    await nocobaseLogin(h, browser);
    const ask = await browser.request(`${h.issuer}/logout`);
    const page = await ask.text();
    expectSafePage(ask.headers, page);
    expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#38;');
    const handle = /name="logout_confirm" value="([^"]+)"/.exec(page)![1]!;
    const done = await browser.request(`${h.issuer}/logout`, { method: 'POST', body: `logout_confirm=${handle}` });
    expectSafePage(done.headers, await done.text());
  });

  it('a hostile x-request-id is not reflected (a fresh id is shown instead)', async () => {
    const response = await h.browser().request(authorizeUrl({ ...nocobase, client_id: 'nobody' }), {
      headers: { 'x-request-id': '"><script>x</script>' },
    });
    const page = await response.text();
    expect(page).not.toContain('<script>x');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('redirects', () => {
  it('POST /authorize answers 303 to WeCom, and 303 with errors to the RP; never 307', async () => {
    const toWeCom = await h.browser().request(`${h.issuer}/authorize`, {
      method: 'POST',
      body: new URLSearchParams({ ...nocobase, state: 's' }).toString(),
    });
    expect(toWeCom.status).toBe(303);
    expect(toWeCom.headers.get('location')).toMatch(new RegExp(`^${h.sim.url}/wwlogin/sso/login\\?`));
    const error = await h.browser().request(`${h.issuer}/authorize`, {
      method: 'POST',
      body: new URLSearchParams({ ...nocobase, scope: 'profile', state: 's' }).toString(),
    });
    expect(error.status).toBe(303);
    expect(error.headers.get('location')).toMatch(
      /^http:\/\/127\.0\.0\.1:13000\/api\/oidc:redirect\?error=invalid_scope&/,
    );
  });

  it('GET redirects are 302 and carry Referrer-Policy: no-referrer and no-store', async () => {
    const flow = await h
      .browser('zhangsan')
      .follow(authorizeUrl({ ...nocobase, state: 's' }), CLIENTS.nocobase.redirectUri);
    const bridgeHops = flow.hops.filter((hop) => hop.url.startsWith(h.issuer));
    expect(bridgeHops.length).toBe(2);
    for (const hop of bridgeHops) expect(hop.status).toBe(302);
    const response = await h.browser().request(authorizeUrl({ ...nocobase, state: 's' }));
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});

describe('CORS and caching', () => {
  it('no CORS on /authorize, the callback and /logout, even when asked', async () => {
    for (const url of [authorizeUrl(nocobase), `${h.issuer}/wecom/callback?state=abc&code=x`, `${h.issuer}/logout`]) {
      const response = await fetch(url, { headers: { origin: 'https://evil.example' }, redirect: 'manual' });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('no-store on every token and userinfo answer, successful or not', async () => {
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    const info = await fetch(`${h.issuer}/userinfo`, {
      headers: { authorization: `Bearer ${login.tokenSet!.access_token}` },
    });
    const bad = await fetch(`${h.issuer}/userinfo`, { headers: { authorization: 'Bearer nope' } });
    const token = await fetch(`${h.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=x',
    });
    for (const response of [info, bad, token]) expect(response.headers.get('cache-control')).toBe('no-store');
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    expect(token.status).toBe(401);
  });
});

describe('Host and X-Forwarded-* never shape URLs', () => {
  it('discovery and the WeCom redirect_uri stay on PUBLIC_URL', async () => {
    const spoof = {
      host: 'evil.example',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      'x-forwarded-prefix': '/x',
    };
    const doc = (await fetch(`${h.issuer}/.well-known/openid-configuration`, { headers: spoof }).then((r) =>
      r.json(),
    )) as Record<string, string>;
    expect(doc.issuer).toBe(h.issuer);
    expect(doc.end_session_endpoint).toBe(`${h.issuer}/logout`);
    const response = await h.browser().request(authorizeUrl({ ...nocobase, state: 's' }), { headers: spoof });
    expect(response.headers.get('location')).toContain(
      `redirect_uri=${encodeURIComponent(`${h.issuer}/wecom/callback`)}`,
    );
    const logout = await (await h.browser().request(`${h.issuer}/logout`, { headers: spoof })).text();
    expect(logout).toContain(`action="${h.issuer}/logout"`);
  });
});
