/**
 * In a real browser (headless Chromium, oidc-checklist.md §7.22): a form-POSTed authorization
 * request reaches WeCom and completes (cookies really SameSite=Lax across sites), and the logout
 * confirmation of a cross-site POST ends with a 303 to the registered URI (no CSP form-action
 * blocking it). The relying party is a tiny HTTP server on `localhost` (another site than the
 * bridge on 127.0.0.1).
 */
import { createServer, type Server } from 'node:http';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../browser/chromium.js';
import { freePort } from '../helpers/free-port.js';
import { type Harness, startHarness } from '../helpers/harness.js';

const SECRET = 'browser-app-secret-0123456789abcdef';

describe.runIf(chromiumAvailable('the real-browser security checks'))('in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let rpServer: Server;
  let rp: string;
  /** Forms the RP serves, by path. */
  const pages = new Map<string, string>();

  beforeAll(async () => {
    const port = await freePort();
    rp = `http://localhost:${port}`;
    rpServer = createServer((request, response) => {
      const path = new URL(request.url ?? '/', rp).pathname;
      response.writeHead(200, { 'content-type': 'text/html' }).end(pages.get(path) ?? `<h1>rp ${path}</h1>`);
    });
    await new Promise<void>((resolve) => rpServer.listen(port, 'localhost', resolve));
    const client = {
      client_id: 'browser-app',
      client_secret: SECRET,
      redirect_uris: [`${rp}/callback`],
      post_logout_redirect_uris: [`${rp}/bye`],
    };
    h = await startHarness({ sim: { defaultUser: 'zhangsan' }, env: { OIDC_CLIENTS: JSON.stringify([client]) } });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await new Promise((resolve) => rpServer?.close(resolve));
  });

  const form = (action: string, fields: Record<string, string>) =>
    `<form method="post" action="${action}">${Object.entries(fields)
      .map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`)
      .join('')}<button>go</button></form>`;

  it('a POSTed authorization request goes to WeCom and back with a code; the cross-site logout POST is confirmed, then 303 to the RP', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const config = await oidc.discovery(new URL(h.issuer), 'browser-app', SECRET, oidc.ClientSecretBasic(SECRET), {
      execute: [oidc.allowInsecureRequests],
    });
    const state = oidc.randomState();
    pages.set(
      '/start',
      form(`${h.issuer}/authorize`, {
        client_id: 'browser-app',
        redirect_uri: `${rp}/callback`,
        response_type: 'code',
        scope: 'openid',
        state,
      }),
    );
    await page.goto(`${rp}/start`);
    await Promise.all([page.waitForURL((url) => url.href.startsWith(`${rp}/callback?`)), page.click('button')]);
    const callback = new URL(page.url());
    expect(callback.searchParams.get('state')).toBe(state);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { expectedState: state, idTokenExpected: true });
    expect(tokens.claims()!.sub).toBe('zhangsan');

    // The RP's logout: a cross-site form POST (Chromium sends no SameSite=Lax cookie with it).
    pages.set(
      '/signout',
      form(`${h.issuer}/logout`, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: `${rp}/bye`,
        state: 'bye-state',
      }),
    );
    await page.goto(`${rp}/signout`);
    await Promise.all([page.waitForURL(`${h.issuer}/logout`), page.click('button')]);
    expect(await page.locator('h1').textContent()).toMatch(/Sign out\?|退出登录？/);
    const [confirmation] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${h.issuer}/logout` && r.request().method() === 'POST'),
      page.click('button'),
    ]);
    expect(confirmation.status()).toBe(303);
    await page.waitForURL((url) => url.href.startsWith(`${rp}/bye`));
    expect(page.url()).toBe(`${rp}/bye?state=bye-state`);

    // Signed out at the bridge: prompt=none now comes back with login_required.
    await page.goto(
      oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${rp}/callback`,
        scope: 'openid',
        prompt: 'none',
        state: 'after',
      }).href,
    );
    await page.waitForURL((url) => url.href.startsWith(`${rp}/callback?`));
    expect(new URL(page.url()).searchParams.get('error')).toBe('login_required');
    await context.close();
  }, 90_000);
});
