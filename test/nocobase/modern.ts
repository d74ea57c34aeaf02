/**
 * NocoBase's modern client (`/v/`) with the plugin's client-v2, on a real NocoBase in Chromium: the
 * WeCom button on `/v/signin` in both languages, a desktop sign-in and an in-WeCom auto login that
 * end under `/v/`, a failure page leading back to `/v/signin`, the modern settings form, and a
 * sign-out after which the next sign-in asks WeCom again; and the WeCom workbench homepages of
 * each entry mode, opened inside WeCom, end signed in on that page.
 */
import type { Browser, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { screenshot } from '../browser/chromium.js';
import { expectSettingsHelp, expectSignedInModern, newProfile, openModernSignIn, rootPage } from './pages.js';
import type { Site } from './site.js';

/** A desktop member signs in from /v/signin: the button, then zhangsan on WeCom's web login. */
async function desktopModernSignIn(page: Page, site: Site): Promise<void> {
  await openModernSignIn(page, site, `?redirect=${encodeURIComponent('/v/admin')}`);
  await page.getByRole('link', { name: 'Sign in with WeCom' }).click();
  await page.waitForURL((url) => url.href.startsWith(site.harness.sim.url));
  await page
    .getByRole('link', { name: /zhangsan/ })
    .first()
    .click();
}

/** Navigations of `page`, recorded from now on. */
function navigations(page: Page): string[] {
  const visited: string[] = [];
  page.on('request', (request) => request.isNavigationRequest() && visited.push(request.url()));
  return visited;
}

/** Registers the modern-lane tests; `mode` names the entry mode the site runs in (screenshots, names). */
export function modernLaneSuite(get: () => { site: Site; browser: Browser }, mode: string): void {
  it('shows the WeCom button on /v/signin, in both languages', async () => {
    const { site, browser } = get();
    for (const [locale, label] of [
      ['en-US', 'Sign in with WeCom'],
      ['zh-CN', '企业微信登录'],
    ] as const) {
      const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.addInitScript((lang) => localStorage.setItem('NOCOBASE_LOCALE', lang), locale);
      await page.goto(`${site.nocobase.url}/v/signin`);
      const button = page.getByRole('link', { name: label });
      await button.waitFor({ timeout: 90_000 });
      expect(await button.getAttribute('href')).toMatch(/^\/api\/wecomBridge:signIn\?authenticator=wecom/);
      await screenshot(page, `nocobase-${mode}-v2-signin-${locale}`);
      await context.close();
    }
  });

  it('signs a desktop member in from /v/signin and ends under /v/, with no token in any URL', async () => {
    const { site, browser } = get();
    const context = await newProfile(browser, 'desktop');
    const page = await context.newPage();
    const visited = navigations(page);
    await desktopModernSignIn(page, site);
    await expectSignedInModern(page, site);
    await screenshot(page, `nocobase-${mode}-v2-desktop-signed-in`);
    expect(visited.some((url) => new URL(url).searchParams.has('wecomBridgeHandOff'))).toBe(true);
    expect(visited.filter((url) => new URL(url).searchParams.has('token'))).toEqual([]);
    await context.close();
  });

  it('logs in by itself inside WeCom on /v/signin and lands on the configured page, in this lane', async () => {
    const { site, browser } = get();
    const context = await newProfile(browser, 'wecom', 'zhangsan');
    const page = await context.newPage();
    // No page asked for: "Page after sign-in" (/admin) in the modern lane.
    await page.goto(`${site.nocobase.url}/v/signin`);
    await expectSignedInModern(page, site, '/v/admin');
    await screenshot(page, `nocobase-${mode}-v2-wecom-signed-in`);
    await context.close();
  });

  it('shows a failure as a page that leads back to /v/signin, in both languages', async () => {
    const { site, browser } = get();
    const created = await site.api.createAuthenticator(
      'v2closed',
      { ...site.options, autoLoginInWeCom: false, autoSignup: false },
      'Closed',
    );
    // Created by the first entry mode's run; the same site runs this suite in each mode.
    expect([200, 400]).toContain(created.status);
    site.harness.sim.state.putMember('stranger', { userid: 'stranger', name: 'Stranger', department: [1], status: 1 });
    for (const [locale, title] of [
      ['en-US', 'No NocoBase account for this WeCom member'],
      ['zh-CN', '该企业微信成员在 NocoBase 中没有账号'],
    ] as const) {
      const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(
        `${site.nocobase.url}/api/wecomBridge:signIn?authenticator=v2closed&redirect=${encodeURIComponent('/v/admin')}`,
      );
      await page.waitForURL((url) => url.href.startsWith(site.harness.sim.url));
      await page
        .getByRole('link', { name: /stranger|Stranger/ })
        .first()
        .click();
      await page.getByRole('heading', { name: title }).waitFor({ timeout: 30_000 });
      await screenshot(page, `nocobase-${mode}-v2-failure-${locale}`);
      const back = page.locator('a[href="/v/signin"]');
      expect(await back.count()).toBe(1);
      await back.click();
      await page.waitForURL(`${site.nocobase.url}/v/signin**`);
      await context.close();
    }
  });

  it('edits the authenticator in the modern Settings → Authentication, in both languages', async () => {
    const { site, browser } = get();
    for (const [locale, texts] of [
      ['en-US', { bindBy: 'Bind existing users by', issuer: 'Issuer' }],
      ['zh-CN', { bindBy: '按以下字段绑定已有用户', issuer: 'Issuer' }],
    ] as const) {
      const { context, page } = await rootPage(browser, site, locale);
      await page.goto(`${site.nocobase.url}/v/admin/settings/auth/authenticators`);
      const row = page.getByRole('row').filter({ hasText: 'v2closed' });
      await row.waitFor({ timeout: 60_000 });
      await row.getByText(/^(Configure|配置)$/).click();
      await page.getByText(texts.bindBy).waitFor({ timeout: 30_000 });
      expect(await page.getByLabel(texts.issuer).inputValue()).toBe(site.harness.issuer);
      // The URIs to register at the bridge and the versions, as in the classic form.
      await expectSettingsHelp(page, site);
      // The same check as the classic form: a bad value is refused on save with the server's message.
      await page.getByLabel(texts.issuer).fill('ftp://sso.example.com');
      await page.getByRole('button', { name: /Submit|提\s?交/ }).click();
      await page
        .getByText(/must be an https URL|Issuer/)
        .first()
        .waitFor({ timeout: 30_000 });
      await screenshot(page, `nocobase-${mode}-v2-settings-${locale}`);
      await context.close();
    }
  });

  it('signs out of the bridge too from the modern client: the next sign-in asks WeCom again', async () => {
    const { site, browser } = get();
    const context = await newProfile(browser, 'desktop');
    const page = await context.newPage();
    await desktopModernSignIn(page, site);
    await expectSignedInModern(page, site);
    const visited = navigations(page);
    // What the modern client's sign-out does: auth:signOut, then at once the answer's redirect when
    // it is a same-origin sign-in page (resolveV2SigninRedirect), else /v/signin.
    await page.evaluate(async () => {
      const answer = await fetch('/api/auth:signOut', {
        method: 'POST',
        headers: { authorization: `Bearer ${localStorage.getItem('NOCOBASE_TOKEN')}`, 'x-authenticator': 'wecom' },
      });
      const redirect = ((await answer.json()) as { data?: { redirect?: string } }).data?.redirect;
      localStorage.removeItem('NOCOBASE_TOKEN');
      (globalThis as unknown as { location: { replace(url: string): void } }).location.replace(redirect ?? '/v/signin');
    });
    await expect
      .poll(() => visited.some((url) => url.startsWith(`${site.harness.issuer}/logout`)), { timeout: 60_000 })
      .toBe(true);
    expect(visited).toContain(`${site.nocobase.url}/v/signin?wecomBridgeSignOut=1`);
    await page.waitForURL(
      (url) => url.href.startsWith(`${site.nocobase.url}/v/signin`) && !url.searchParams.has('wecomBridgeSignOut'),
      { timeout: 60_000 },
    );
    const logout = new URL(visited.find((url) => url.startsWith(`${site.harness.issuer}/logout`))!);
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(`${site.nocobase.url}/v/signin`);
    expect(logout.searchParams.get('id_token_hint')).toMatch(/^eyJ/);
    await page.getByRole('link', { name: 'Sign in with WeCom' }).waitFor({ timeout: 60_000 });
    await screenshot(page, `nocobase-${mode}-v2-signed-out`);
    await page.getByRole('link', { name: 'Sign in with WeCom' }).click();
    await page.waitForURL((url) => url.href.startsWith(site.harness.sim.url));
    expect(new URL(page.url()).pathname).toBe('/wwlogin/sso/login');
    await context.close();
  });
}

/** The WeCom workbench homepages each entry mode serves: opened, then where the person ends signed in. */
export const HOMEPAGES: Record<string, ReadonlyArray<readonly [string, string]>> = {
  'legacy-default': [
    ['/admin', '/admin'],
    ['/m', '/m'],
    ['/v/admin', '/v/admin'],
    ['/v/mobile', '/v/mobile'],
  ],
  'modern-default': [
    ['/', '/v/'],
    ['/admin', '/admin'],
    ['/v/admin', '/v/admin'],
  ],
  'modern-only': [
    ['/admin', '/v/admin'],
    ['/v/admin', '/v/admin'],
    ['/mobile', '/v/mobile'],
  ],
};

/** The homepages of `mode`, opened inside WeCom with auto login: each ends signed in on that page. */
export function homepageSuite(get: () => { site: Site; browser: Browser }, mode: string): void {
  it(`each workbench homepage opened inside WeCom ends signed in on that page (${HOMEPAGES[mode]!.map(([opened]) => opened).join(', ')})`, async () => {
    const { site, browser } = get();
    for (const [opened, landed] of HOMEPAGES[mode]!) {
      const context = await newProfile(browser, 'wecom', 'zhangsan');
      const page = await context.newPage();
      await page.goto(`${site.nocobase.url}${opened}`);
      if (landed.startsWith('/v/')) await expectSignedInModern(page, site, landed);
      else {
        await page.waitForURL(
          (url) =>
            url.pathname.startsWith(landed) &&
            !url.pathname.includes('signin') &&
            !url.searchParams.has('wecomBridgeHandOff'),
          { timeout: 60_000 },
        );
        await page.waitForFunction(() => localStorage.getItem('NOCOBASE_TOKEN'), undefined, { timeout: 60_000 });
      }
      await screenshot(page, `nocobase-${mode}-home${opened.replace(/\//g, '-')}`);
      await context.close();
    }
  });
}
