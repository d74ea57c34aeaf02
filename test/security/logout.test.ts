/**
 * Logout rules beyond the suite's modules (oidc-checklist.md §5, §7.23): the confirmation is
 * bound to the browser that asked (CSRF), single use and short-lived; a request that cannot show
 * the session (a cross-site POST carries no SameSite=Lax cookie) or names another session is
 * confirmed first; client_id must agree with the hint; never a redirect to an unverified URI.
 */

import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, type ConformanceRp, conformanceRp } from '../conformance/rp.js';
import type { TestBrowser } from '../helpers/browser.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';

let h: Harness;
let rp: ConformanceRp;
const BYE = CLIENTS.modern.postLogoutRedirectUri;

beforeAll(async () => {
  h = await startHarness();
  rp = await conformanceRp(h);
});

afterAll(async () => {
  await h.close();
});

async function signedIn(user = 'zhangsan'): Promise<{ browser: TestBrowser; idToken: string; refreshToken: string }> {
  const browser = h.browser(user);
  const login = await authorize(rp, browser, { scope: 'openid offline_access' });
  return { browser, idToken: login.tokens!.id_token!, refreshToken: login.tokens!.refresh_token! };
}

async function stillSignedIn(browser: TestBrowser): Promise<boolean> {
  const result = await authorize(rp, browser, { extra: { prompt: 'none' }, exchange: false });
  return result.params.code !== undefined;
}

function handleOf(page: string): string {
  return /name="logout_confirm" value="([^"]+)"/.exec(page)![1]!;
}

async function confirmAs(browser: TestBrowser, handle: string): Promise<Response> {
  return browser.request(`${h.issuer}/logout`, {
    method: 'POST',
    body: `logout_confirm=${encodeURIComponent(handle)}`,
  });
}

async function refreshWorks(refreshToken: string): Promise<boolean> {
  return oidc.refreshTokenGrant(rp.config, refreshToken).then(
    () => true,
    () => false,
  );
}

describe('the confirmation', () => {
  it('can only be given by the browser that was asked', async () => {
    const { browser } = await signedIn();
    const handle = handleOf(await (await browser.request(`${h.issuer}/logout`)).text());
    const attacker = h.browser();
    const forged = await confirmAs(attacker, handle);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('logout_foreign');
    expect(await stillSignedIn(browser)).toBe(true);
    // The attempt did not use up the real user's confirmation.
    expect((await confirmAs(browser, handle)).status).toBe(200);
    expect(await stillSignedIn(browser)).toBe(false);
  });

  it('is single use and expires', async () => {
    const { browser } = await signedIn();
    const handle = handleOf(await (await browser.request(`${h.issuer}/logout`)).text());
    expect((await confirmAs(browser, handle)).status).toBe(200);
    expect((await confirmAs(browser, handle)).status).toBe(400);
    const next = await signedIn();
    const late = handleOf(await (await next.browser.request(`${h.issuer}/logout`)).text());
    h.clock.advance(601);
    const expired = await confirmAs(next.browser, late);
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain('logout_expired');
  });

  it('a made-up confirmation token is refused', async () => {
    const { browser } = await signedIn();
    expect((await confirmAs(browser, 'A'.repeat(43))).status).toBe(400);
    expect(await stillSignedIn(browser)).toBe(true);
  });
});

describe("when the hint does not name this browser's session", () => {
  it('a POST without our cookies (cross-site) is confirmed first, then redirected 303 with the state', async () => {
    const { browser, idToken } = await signedIn();
    const body = new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: BYE, state: 'xs' }).toString();
    // What arrives from the RP's cross-site form: no session cookie.
    const cookieless = await fetch(`${h.issuer}/logout`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    expect(cookieless.status).toBe(200);
    expect(cookieless.headers.get('location')).toBeNull();
    expect(await stillSignedIn(browser)).toBe(true);
    // The same request from the browser itself (same-site, cookies sent): signed out at once, 303.
    const direct = await browser.request(`${h.issuer}/logout`, { method: 'POST', body });
    expect(direct.status).toBe(303);
    expect(direct.headers.get('location')).toBe(`${BYE}?state=xs`);
  });

  it("a hint from another session: confirm, then 303 to the verified URI; only this browser's session ends", async () => {
    const mine = await signedIn('zhangsan');
    const other = await signedIn('zhangsan');
    const ask = await mine.browser.request(
      oidc.buildEndSessionUrl(rp.config, { id_token_hint: other.idToken, post_logout_redirect_uri: BYE, state: 'o' })
        .href,
    );
    expect(ask.status).toBe(200);
    const done = await confirmAs(mine.browser, handleOf(await ask.text()));
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${BYE}?state=o`);
    expect(await stillSignedIn(mine.browser)).toBe(false);
    expect(await refreshWorks(mine.refreshToken)).toBe(false);
    // The session the hint names belongs to another browser: it goes on.
    expect(await stillSignedIn(other.browser)).toBe(true);
    expect(await refreshWorks(other.refreshToken)).toBe(true);
  });

  it("someone else's ID token (they travel in URLs), confirmed in the attacker's browser, ends nothing of its owner", async () => {
    const victim = await signedIn('lisi');
    const attacker = await signedIn('zhangsan');
    const ask = await attacker.browser.request(
      oidc.buildEndSessionUrl(rp.config, { id_token_hint: victim.idToken, post_logout_redirect_uri: BYE, state: 'x' })
        .href,
    );
    expect(ask.status).toBe(200);
    const done = await confirmAs(attacker.browser, handleOf(await ask.text()));
    expect(done.status).toBe(303);
    expect(await stillSignedIn(victim.browser)).toBe(true);
    const rotated = await oidc.refreshTokenGrant(rp.config, victim.refreshToken);
    // The attacker only signed themselves out.
    expect(await stillSignedIn(attacker.browser)).toBe(false);
    expect(await refreshWorks(attacker.refreshToken)).toBe(false);
    // The same with a browser that holds no session at all.
    const stranger = h.browser('lisi');
    const again = await stranger.request(oidc.buildEndSessionUrl(rp.config, { id_token_hint: victim.idToken }).href);
    expect((await confirmAs(stranger, handleOf(await again.text()))).status).toBe(200);
    expect(await refreshWorks(rotated.refresh_token!)).toBe(true);
  });

  it('without a hint, a registered URI is still never redirected to', async () => {
    const { browser } = await signedIn();
    const ask = await browser.request(
      oidc.buildEndSessionUrl(rp.config, { post_logout_redirect_uri: BYE, state: 's' }).href,
    );
    const askPage = await ask.text();
    const done = await confirmAs(browser, handleOf(askPage));
    expect(done.status).toBe(200);
    expect(done.headers.get('location')).toBeNull();
    // Both pages carry their request id, as every page does (people quote it to support).
    expect(askPage).toContain(`<code>${ask.headers.get('x-request-id')}</code>`);
    expect(await done.text()).toContain(`<code>${done.headers.get('x-request-id')}</code>`);
  });
});

describe('client_id', () => {
  it('must be registered and agree with the hint', async () => {
    const { browser, idToken } = await signedIn();
    const unknown = await browser.request(`${h.issuer}/logout?client_id=nobody`);
    expect(unknown.status).toBe(400);
    const mismatch = await browser.request(
      `${h.issuer}/logout?${new URLSearchParams({ client_id: CLIENTS.nocobase.id, id_token_hint: idToken, post_logout_redirect_uri: CLIENTS.nocobase.postLogoutRedirectUri })}`,
    );
    expect(mismatch.status).toBe(400);
    expect(mismatch.headers.get('location')).toBeNull();
    expect(await stillSignedIn(browser)).toBe(true);
  });

  it("another client's registered URI is refused even with a valid hint", async () => {
    const { browser, idToken } = await signedIn();
    const response = await browser.request(
      `${h.issuer}/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: CLIENTS.nocobase.postLogoutRedirectUri })}`,
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });
});

describe('with SUB_FORMAT=corpid:userid', () => {
  let corp: Harness;
  let corpRp: ConformanceRp;

  beforeAll(async () => {
    corp = await startHarness({ env: { SUB_FORMAT: 'corpid:userid' } });
    corpRp = await conformanceRp(corp);
  });

  afterAll(async () => {
    await corp.close();
  });

  it("the hint of this browser's session signs out at once, as with plain userids", async () => {
    const browser = corp.browser('zhangsan');
    const login = await authorize(corpRp, browser, { scope: 'openid offline_access' });
    expect(login.tokens!.claims()!.sub).toBe(`${corp.config.wecom.corpId}:zhangsan`);
    const url = oidc.buildEndSessionUrl(corpRp.config, {
      id_token_hint: login.tokens!.id_token!,
      post_logout_redirect_uri: BYE,
      state: 'c',
    });
    const response = await browser.request(url.href);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${BYE}?state=c`);
    const silent = await authorize(corpRp, browser, { extra: { prompt: 'none' }, exchange: false });
    expect(silent.params.error).toBe('login_required');
    expect(
      await oidc.refreshTokenGrant(corpRp.config, login.tokens!.refresh_token!).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
  });
});
