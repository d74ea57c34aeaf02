/**
 * The login transaction and the WeCom callback (issue 3 "Hardening", oidc-checklist.md §7.2, 7.4,
 * 7.29): single use, expiry, a callback hit twice (same browser: the same answer, no second code,
 * no WeCom 40029; another browser: nothing), and the session cookie (new sid on every login,
 * tampered values count as no session).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../helpers/browser.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { nocobaseClient, nocobaseState } from '../helpers/rp.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

const authorizeUrl = (extra: Record<string, string> = {}) =>
  `${h.issuer}/authorize?${new URLSearchParams({ client_id: CLIENTS.nocobase.id, redirect_uri: CLIENTS.nocobase.redirectUri, response_type: 'code', scope: 'openid', state: nocobaseState(), ...extra })}`;

/** Runs the flow up to (not including) the WeCom callback; returns its URL. */
async function untilCallback(browser: TestBrowser, extra: Record<string, string> = {}): Promise<string> {
  const flow = await browser.follow(authorizeUrl(extra), `${h.issuer}/wecom/callback`);
  expect(flow.finalUrl).toMatch(/\/wecom\/callback\?code=.+&state=[A-Za-z0-9]+$/);
  return flow.finalUrl;
}

function calls(): number {
  return h.sim.state.calls.getuserinfo;
}

describe('a WeCom callback hit twice', () => {
  it('one after the other in the same browser: the same redirect, one code, one WeCom exchange', async () => {
    const browser = h.browser('zhangsan');
    const callback = await untilCallback(browser);
    const before = calls();
    const first = await browser.request(callback);
    const second = await browser.request(callback);
    expect(first.status).toBe(302);
    expect(second.status).toBe(302);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(first.headers.get('location')).toMatch(/\?code=[A-Za-z0-9_-]{43}&state=/);
    expect(calls() - before).toBe(1);
    // The repeated answer re-sets the same session cookie (in case the first answer was dropped).
    const cookie = (r: Response) =>
      r.headers
        .getSetCookie()
        .find((c) => c.startsWith('wecom-oidc-session='))
        ?.split(';')[0];
    expect(cookie(second)).toBe(cookie(first));
    // The code is an ordinary one: redeemable once.
    const client = await nocobaseClient(h);
    const tokens = await client.callback(
      CLIENTS.nocobase.redirectUri,
      client.callbackParams(first.headers.get('location')!),
      { state: nocobaseState() },
    );
    expect(tokens.claims().sub).toBe('zhangsan');
    // Once redeemed, the redirect is not repeated: it would hand the RP a used code, whose replay
    // revokes the tokens just issued. The browser gets a page instead, and the tokens live on.
    const late = await browser.request(callback);
    expect(late.status).toBe(400);
    expect(late.headers.get('location')).toBeNull();
    expect(await late.text()).not.toContain('code=');
    expect((await client.userinfo(tokens.access_token!)).sub).toBe('zhangsan');
  });

  it('concurrently in the same browser (the second waits for the first): both get the same redirect', async () => {
    const browser = h.browser('zhangsan');
    const callback = await untilCallback(browser);
    const before = calls();
    h.sim.state.setConfig({ latencyMs: 300 });
    try {
      const [a, b] = await Promise.all([browser.request(callback), browser.request(callback)]);
      expect([a.status, b.status]).toEqual([302, 302]);
      expect(a.headers.get('location')).toBe(b.headers.get('location'));
      expect(a.headers.get('location')).toMatch(/\?code=/);
    } finally {
      h.sim.state.setConfig({ latencyMs: 0 });
    }
    expect(calls() - before).toBe(1);
  });

  it('from another browser, before or after the real one: an error page and nothing else', async () => {
    const browser = h.browser('zhangsan');
    const callback = await untilCallback(browser);
    const stranger = h.browser('zhangsan');
    const early = await stranger.request(callback);
    expect(early.status).toBe(400);
    expect(early.headers.get('location')).toBeNull();
    // The stranger's attempt did not spoil the real login.
    const real = await browser.request(callback);
    expect(real.headers.get('location')).toMatch(/\?code=/);
    const late = await stranger.request(callback);
    expect(late.status).toBe(400);
    expect(late.headers.get('location')).toBeNull();
    expect(await late.text()).not.toContain('code=');
  });

  it('an error redirect is repeated the same way (the member cancelled at WeCom)', async () => {
    const browser = h.browser('zhangsan');
    const flow = await browser.follow(authorizeUrl(), `${h.issuer}/wecom/callback`);
    const denied = flow.finalUrl.replace(/code=[^&]+&/, '');
    const first = await browser.request(denied);
    const second = await browser.request(denied);
    expect(new URL(first.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
  });

  it('once the first result is older than 30 s, a repeat is refused with a page (single use)', async () => {
    const browser = h.browser('zhangsan');
    const callback = await untilCallback(browser);
    await browser.request(callback);
    h.clock.advance(31);
    const late = await browser.request(callback);
    expect(late.status).toBe(400);
    expect(late.headers.get('location')).toBeNull();
    expect(await late.text()).not.toMatch(/40029|server_error/);
  });
});

describe('the login transaction', () => {
  it('expires after LOGIN_TTL: the callback is a page, WeCom is not called', async () => {
    const browser = h.browser('zhangsan');
    const callback = await untilCallback(browser);
    h.clock.advance(601);
    const before = calls();
    const response = await browser.request(callback);
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('login_not_found');
    expect(calls()).toBe(before);
  });

  it('a cookie kept hours past LOGIN_TTL (its hour key out of use) is still "expired", not "another browser"', async () => {
    const browser = h.browser('zhangsan');
    const callback = await untilCallback(browser);
    h.clock.advance(3 * 3600);
    const before = calls();
    const response = await browser.request(callback);
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain('login_not_found');
    expect(page).not.toContain('browser_mismatch');
    expect(calls()).toBe(before);
  });

  it('generated WeCom states are fresh alphanumeric handles of at least 128 bits', async () => {
    const states = await Promise.all(
      [1, 2, 3].map(async () => new URL(await untilCallback(h.browser('zhangsan'))).searchParams.get('state')!),
    );
    for (const state of states) expect(state).toMatch(/^[A-Za-z0-9]{22,128}$/);
    expect(new Set(states).size).toBe(3);
  });
});

describe('the session cookie', () => {
  const sessionCookie = (browser: TestBrowser) => browser.cookies.get('wecom-oidc-session')?.value;

  it('every WeCom login starts a new session (new cookie value, new sid); the old value is dead', async () => {
    const browser = h.browser('zhangsan');
    await browser.follow(authorizeUrl(), CLIENTS.nocobase.redirectUri);
    const firstValue = sessionCookie(browser)!;
    await browser.follow(authorizeUrl({ prompt: 'login' }), CLIENTS.nocobase.redirectUri);
    const secondValue = sessionCookie(browser)!;
    expect(secondValue).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secondValue).not.toBe(firstValue);
    browser.cookies.set('wecom-oidc-session', { value: firstValue, expiresAt: Infinity });
    const silent = await browser.follow(authorizeUrl({ prompt: 'none' }), CLIENTS.nocobase.redirectUri);
    expect(new URL(silent.finalUrl).searchParams.get('error')).toBe('login_required');
  });

  it.each([
    ['another well-formed value', 'A'.repeat(43)],
    ['a malformed value', 'x";alert(1)'],
    ['a truncated value', 'abc'],
  ])('%s counts as no session', async (_what, value) => {
    const browser = h.browser('zhangsan');
    await browser.follow(authorizeUrl(), CLIENTS.nocobase.redirectUri);
    browser.cookies.set('wecom-oidc-session', { value, expiresAt: Infinity });
    const silent = await browser.follow(authorizeUrl({ prompt: 'none' }), CLIENTS.nocobase.redirectUri);
    expect(new URL(silent.finalUrl).searchParams.get('error')).toBe('login_required');
  });
});
