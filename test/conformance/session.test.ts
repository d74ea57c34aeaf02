/**
 * Basic OP plan (oidc-checklist.md §1), the modules about the provider's own session: prompt,
 * max_age and id_token_hint. A "WeCom leg" is observed as the browser visiting the simulator;
 * time moves on the bridge's fake clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../helpers/browser.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { checkAuthorizationError, checkAuthorizationResponse, checkIdToken } from './checks.js';
import { authorize, type ConformanceRp, conformanceRp, type LoginOptions, type LoginResult } from './rp.js';

let h: Harness;
let rp: ConformanceRp;

beforeAll(async () => {
  h = await startHarness();
  rp = await conformanceRp(h);
});

afterAll(async () => {
  await h.close();
});

/** One login through `on` (the file's harness unless a test started its own). */
async function login(
  browser: TestBrowser,
  options: LoginOptions = {},
  on: { h: Harness; rp: ConformanceRp } = { h, rp },
): Promise<LoginResult & { viaWeCom: boolean; claims: Record<string, unknown> }> {
  const result = await authorize(on.rp, browser, options);
  const claims = (result.tokens?.claims() ?? {}) as Record<string, unknown>;
  return { ...result, claims, viaWeCom: result.visited.some((url) => url.startsWith(on.h.sim.url)) };
}

describe('oidcc-prompt-login', () => {
  it('forces a new WeCom leg although a session exists, and auth_time is later', async () => {
    const browser = h.browser('zhangsan');
    const first = await login(browser);
    expect(first.viaWeCom).toBe(true);
    h.clock.advance(2);
    const second = await login(browser, { extra: { prompt: 'login' } });
    expect(second.viaWeCom).toBe(true);
    expect(second.claims.sub).toBe('zhangsan');
    expect(second.claims.auth_time as number).toBeGreaterThan(first.claims.auth_time as number);
    expect(second.claims.sid).not.toBe(first.claims.sid);
  });
});

describe('oidcc-prompt-none-not-logged-in', () => {
  it('redirects login_required with a 128-character state echoed, without visiting WeCom', async () => {
    const state = 'S'.repeat(64) + 'x'.repeat(64);
    const result = await login(h.browser('zhangsan'), { state, extra: { prompt: 'none' } });
    expect(result.viaWeCom).toBe(false);
    checkAuthorizationError(result.callbackUrl, CLIENTS.modern.redirectUri, state, [
      'login_required',
      'interaction_required',
    ]);
  });
});

describe('oidcc-prompt-none-logged-in', () => {
  it('answers silently from the session: same sub and auth_time, no WeCom leg', async () => {
    const browser = h.browser('zhangsan');
    const first = await login(browser);
    const silent = await login(browser, { extra: { prompt: 'none' } });
    expect(silent.viaWeCom).toBe(false);
    checkAuthorizationResponse(silent.callbackUrl, silent.state);
    expect(silent.claims).toMatchObject({
      sub: first.claims.sub,
      auth_time: first.claims.auth_time,
      sid: first.claims.sid,
    });
  });
});

describe('oidcc-max-age-1', () => {
  it('re-authenticates after more than a second, with a newer auth_time', async () => {
    const browser = h.browser('zhangsan');
    const first = await login(browser);
    h.clock.advance(2);
    const again = await login(browser, { maxAge: 1 });
    expect(again.viaWeCom).toBe(true);
    expect(again.claims.auth_time as number).toBeGreaterThan(first.claims.auth_time as number);
    checkIdToken(again.claims, {
      issuer: h.issuer,
      clientId: CLIENTS.modern.id,
      nonce: again.nonce,
      nowSeconds: h.clock.now() / 1000,
    });
  });

  it('max_age=0 always re-authenticates (like prompt=login), with a newer auth_time and a new session', async () => {
    const browser = h.browser('zhangsan');
    const first = await login(browser);
    h.clock.advance(2);
    const again = await login(browser, { maxAge: 0 });
    expect(again.viaWeCom).toBe(true);
    expect(again.claims.sub).toBe(first.claims.sub);
    expect(again.claims.auth_time as number).toBeGreaterThan(first.claims.auth_time as number);
    expect(again.claims.sid).not.toBe(first.claims.sid);
    checkIdToken(again.claims, {
      issuer: h.issuer,
      clientId: CLIENTS.modern.id,
      nonce: again.nonce,
      nowSeconds: h.clock.now() / 1000,
    });
  });
});

describe('oidcc-max-age-10000', () => {
  it('answers from the session: auth_time and sub unchanged', async () => {
    const browser = h.browser('zhangsan');
    const first = await login(browser);
    h.clock.advance(60);
    const again = await login(browser, { maxAge: 10000 });
    expect(again.viaWeCom).toBe(false);
    expect(again.claims).toMatchObject({ sub: first.claims.sub, auth_time: first.claims.auth_time });
  });
});

describe('oidcc-id-token-hint', () => {
  it('prompt=none with the previous ID token succeeds silently with the same sub', async () => {
    const browser = h.browser('zhangsan');
    const first = await login(browser);
    const hinted = await login(browser, { extra: { prompt: 'none', id_token_hint: first.tokens!.id_token! } });
    expect(hinted.viaWeCom).toBe(false);
    expect(hinted.claims.sub).toBe(first.claims.sub);
  });

  it('accepts an expired hint while the session lives', async () => {
    const browser = h.browser('zhangsan');
    const first = await login(browser);
    h.clock.advance(3700);
    const hinted = await login(browser, { extra: { prompt: 'none', id_token_hint: first.tokens!.id_token! } });
    checkAuthorizationResponse(hinted.callbackUrl, hinted.state);
    expect(hinted.claims.sub).toBe('zhangsan');
  });

  it('a hint naming another user gets login_required, never tokens for the signed-in user', async () => {
    const lisi = await login(h.browser('lisi'));
    const browser = h.browser('zhangsan');
    await login(browser);
    const silent = await login(browser, {
      state: 'h1',
      extra: { prompt: 'none', id_token_hint: lisi.tokens!.id_token! },
    });
    checkAuthorizationError(silent.callbackUrl, CLIENTS.modern.redirectUri, 'h1', ['login_required']);
    // Through WeCom, the member who signs in (zhangsan) is still not the hint's (lisi): a page
    // explains it, and its "return to the application" link carries login_required, never a code.
    const interactive = await login(browser, {
      state: 'h2',
      extra: { prompt: 'login', id_token_hint: lisi.tokens!.id_token! },
    });
    expect(interactive.viaWeCom).toBe(true);
    expect(interactive.tokens).toBeUndefined();
    const back = /href="([^"]+)"/.exec(interactive.page!)![1]!.replace(/&#38;|&amp;/g, '&');
    checkAuthorizationError(back, CLIENTS.modern.redirectUri, 'h2', ['login_required']);
  });

  it('a hint issued to another client is refused', async () => {
    const other = await authorize(await conformanceRp(h, 'modern', 'post'), h.browser('zhangsan'));
    const browser = h.browser('zhangsan');
    await login(browser);
    // Re-sign nothing: a token for client A presented by client B is simply not B's.
    const forged = other.tokens!.id_token!;
    const nocobaseUrl = `${h.issuer}/authorize?client_id=${CLIENTS.nocobase.id}&response_type=code&scope=openid&state=x&prompt=none&redirect_uri=${encodeURIComponent(CLIENTS.nocobase.redirectUri)}&id_token_hint=${forged}`;
    const flow = await browser.follow(nocobaseUrl, CLIENTS.nocobase.redirectUri);
    checkAuthorizationError(flow.finalUrl, CLIENTS.nocobase.redirectUri, 'x', ['invalid_request']);
  });
});

describe('SESSION_TTL', () => {
  /** A harness of its own with `SESSION_TTL`, and logins through it. */
  async function withSessionTtl(seconds: number) {
    const own = await startHarness({ env: { SESSION_TTL: String(seconds) } });
    const on = { h: own, rp: await conformanceRp(own) };
    return { own, run: (browser: TestBrowser, options: LoginOptions = {}) => login(browser, options, on) };
  }

  it('0: a login sets no session cookie, and a following prompt=none gets login_required without visiting WeCom', async () => {
    const { own, run } = await withSessionTtl(0);
    try {
      const browser = own.browser('zhangsan');
      const first = await run(browser);
      expect(first.viaWeCom).toBe(true);
      checkAuthorizationResponse(first.callbackUrl, first.state);
      expect(first.claims.sub).toBe('zhangsan');
      expect([...browser.cookies.keys()]).toEqual(['wecom-oidc-login']);
      const silent = await run(browser, { state: 'ttl0', extra: { prompt: 'none' } });
      expect(silent.viaWeCom).toBe(false);
      checkAuthorizationError(silent.callbackUrl, CLIENTS.modern.redirectUri, 'ttl0', ['login_required']);
      // Without prompt=none every login takes the WeCom leg.
      const again = await run(browser);
      expect(again.viaWeCom).toBe(true);
      expect(again.claims.auth_time).toBeTypeOf('number');
    } finally {
      await own.close();
    }
  });

  it('a session is used until its TTL has passed; then prompt=none gets login_required although the browser still sends the cookie', async () => {
    const { own, run } = await withSessionTtl(120);
    try {
      const browser = own.browser('zhangsan');
      const first = await run(browser);
      const cookie = browser.cookies.get('wecom-oidc-session')?.value;
      expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
      own.clock.advance(119);
      const within = await run(browser, { extra: { prompt: 'none' } });
      expect(within.viaWeCom).toBe(false);
      checkAuthorizationResponse(within.callbackUrl, within.state);
      expect(within.claims).toMatchObject({
        sub: first.claims.sub,
        sid: first.claims.sid,
        auth_time: first.claims.auth_time,
      });
      own.clock.advance(2);
      // The test browser's jar runs on real time: the cookie is still sent, the stored session is gone.
      expect(browser.cookies.get('wecom-oidc-session')?.value).toBe(cookie);
      const after = await run(browser, { state: 'ttl-over', extra: { prompt: 'none' } });
      expect(after.viaWeCom).toBe(false);
      checkAuthorizationError(after.callbackUrl, CLIENTS.modern.redirectUri, 'ttl-over', ['login_required']);
    } finally {
      await own.close();
    }
  });
});
