/**
 * RP-Initiated Logout plan (`oidcc-rp-initiated-logout-certification-test-plan`, oidc-checklist.md
 * §5): each module as the suite runs it, after a normal login, with the real openid-client
 * building the end-session URL. "No redirect" means the bridge answered with a page of its own
 * and no Location header; where the bridge asks the user to confirm, the test clicks the button.
 */

import { generateKeyPair, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../helpers/browser.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { nocobaseLogin } from '../helpers/rp.js';
import { checkAuthorizationError } from './checks.js';
import { authorize, type ConformanceRp, conformanceRp } from './rp.js';

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

/** A signed-in browser and its ID token. */
async function signedIn(): Promise<{ browser: TestBrowser; idToken: string }> {
  const browser = h.browser('zhangsan');
  const login = await authorize(rp, browser);
  return { browser, idToken: login.tokens!.id_token! };
}

/** Whether the browser still has a session: prompt=none succeeds, or login_required. */
async function stillSignedIn(browser: TestBrowser): Promise<boolean> {
  const result = await authorize(rp, browser, { extra: { prompt: 'none' }, exchange: false, state: 'after' });
  if (result.params.code) return true;
  checkAuthorizationError(result.callbackUrl, CLIENTS.modern.redirectUri, 'after', [
    'login_required',
    'interaction_required',
  ]);
  return false;
}

/** Submits the confirmation form of `page` as the user would. */
async function confirm(browser: TestBrowser, page: string): Promise<Response> {
  const handle = /name="logout_confirm" value="([^"]+)"/.exec(page)?.[1];
  expect(handle).toBeDefined();
  return browser.request(`${h.issuer}/logout`, {
    method: 'POST',
    body: `logout_confirm=${encodeURIComponent(handle!)}`,
  });
}

function endSession(params: Record<string, string>): string {
  return oidc.buildEndSessionUrl(rp.config, params).href;
}

describe('oidcc-rp-initiated-logout', () => {
  it('with a valid hint and a registered URI: signs out at once, redirects with the state, then prompt=none is login_required', async () => {
    const { browser, idToken } = await signedIn();
    const state = 'L'.repeat(128);
    const response = await browser.request(
      endSession({ id_token_hint: idToken, post_logout_redirect_uri: BYE, state }),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${BYE}?state=${state}`);
    expect(response.headers.getSetCookie().some((c) => /wecom-oidc-session=;/.test(c))).toBe(true);
    expect(await stillSignedIn(browser)).toBe(false);
  });

  it('is what NocoBase sends (openid-client v5 endSessionUrl with the TokenSet)', async () => {
    const browser = h.browser('zhangsan');
    const login = await nocobaseLogin(h, browser);
    const url = login.client.endSessionUrl({
      id_token_hint: login.tokenSet!,
      post_logout_redirect_uri: CLIENTS.nocobase.postLogoutRedirectUri,
    });
    const response = await browser.request(url);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(CLIENTS.nocobase.postLogoutRedirectUri);
    expect(await stillSignedIn(browser)).toBe(false);
  });
});

describe('oidcc-rp-initiated-logout-no-state', () => {
  it('redirects without a state parameter', async () => {
    const { browser, idToken } = await signedIn();
    const response = await browser.request(endSession({ id_token_hint: idToken, post_logout_redirect_uri: BYE }));
    expect(response.headers.get('location')).toBe(BYE);
  });
});

describe('oidcc-rp-initiated-logout-no-post-logout-redirect-uri', () => {
  it('signs out and shows the signed-out page', async () => {
    const { browser, idToken } = await signedIn();
    const response = await browser.request(endSession({ id_token_hint: idToken, state: 'st' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toMatch(/signed out|已退出登录/);
    expect(await stillSignedIn(browser)).toBe(false);
  });
});

describe.each([
  ['oidcc-rp-initiated-logout-no-params', () => `${h.issuer}/logout`],
  ['oidcc-rp-initiated-logout-only-state', () => `${h.issuer}/logout?state=only-state`],
  ['oidcc-rp-initiated-logout-no-id-token-hint', () => endSession({ post_logout_redirect_uri: BYE, state: 'st' })],
])('%s', (_module, url) => {
  it('asks the user to confirm, signs out on confirmation, and never redirects', async () => {
    const { browser } = await signedIn();
    const ask = await browser.request(url());
    expect(ask.status).toBe(200);
    expect(ask.headers.get('location')).toBeNull();
    const page = await ask.text();
    expect(page).toContain('<form method="post"');
    expect(await stillSignedIn(browser)).toBe(true);
    const done = await confirm(browser, page);
    expect(done.status).toBe(200);
    expect(done.headers.get('location')).toBeNull();
    expect(await stillSignedIn(browser)).toBe(false);
  });
});

describe('oidcc-rp-initiated-logout-bad-post-logout-redirect-uri and -query-added-to-post-logout-redirect-uri', () => {
  it.each([
    ['unregistered', 'https://attacker.example/bye'],
    ['query added', `${BYE}?x=1`],
    ['trailing slash', `${BYE}/`],
  ])('%s: an error page, no redirect, still signed in', async (_what, uri) => {
    const { browser, idToken } = await signedIn();
    const response = await browser.request(
      endSession({ id_token_hint: idToken, post_logout_redirect_uri: uri, state: 's' }),
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('post_logout_redirect_uri');
    expect(await stillSignedIn(browser)).toBe(true);
  });
});

describe('oidcc-rp-initiated-logout-modified-id-token-hint and -bad-id-token-hint', () => {
  it.each([
    ['modified payload', async (token: string) => tamperPayload(token)],
    ['modified signature', async (token: string) => `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`],
    ['signed by someone else', async (token: string) => foreignSigned(token)],
  ])('%s: an error page, no redirect, still signed in', async (_what, forge) => {
    const { browser, idToken } = await signedIn();
    const response = await browser.request(
      endSession({ id_token_hint: await forge(idToken), post_logout_redirect_uri: BYE, state: 's' }),
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await stillSignedIn(browser)).toBe(true);
  });
});

function tamperPayload(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
  return [header, Buffer.from(JSON.stringify({ ...claims, sub: 'lisi' })).toString('base64url'), signature].join('.');
}

async function foreignSigned(token: string): Promise<string> {
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'suite-key' }).sign(privateKey);
}
