/**
 * Driving NocoBase's real pages in headless Chromium: its sign-in page, its admin shell, its
 * user menu; and reading what NocoBase stored through its API as root.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { USER_AGENTS } from '../helpers/browser.js';
import type { Site } from './site.js';

/** A desktop browser profile, or the WeCom client (its User-Agent; the simulator picks `simUser`). */
export async function newProfile(
  browser: Browser,
  kind: 'desktop' | 'wecom',
  simUser?: string,
): Promise<BrowserContext> {
  const context = await browser.newContext(
    kind === 'desktop'
      ? { viewport: { width: 1280, height: 800 }, locale: 'en-US' }
      : {
          userAgent: USER_AGENTS.wecom,
          viewport: { width: 390, height: 844 },
          isMobile: true,
          hasTouch: true,
          locale: 'zh-CN',
        },
  );
  // Only the simulator reads it: in the WeCom client the member is the one signed in to the app.
  if (simUser) await context.setExtraHTTPHeaders({ 'x-sim-user': simUser });
  return context;
}

/** A desktop page signed in as NocoBase's root (its token in NocoBase's storage), in `locale`. */
export async function rootPage(
  browser: Browser,
  site: Site,
  locale: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale });
  const page = await context.newPage();
  await page.addInitScript(
    ([token, lang]) => {
      localStorage.setItem('NOCOBASE_TOKEN', token!);
      localStorage.setItem('NOCOBASE_AUTH', 'basic');
      localStorage.setItem('NOCOBASE_LOCALE', lang!);
    },
    [site.api.rootToken, locale],
  );
  return { context, page };
}

/**
 * The settings form's help, in either lane: the URIs to register at the bridge as this NocoBase's
 * address gives them, and the plugin's and the bridge's versions (read by the server from the
 * saved issuer).
 */
export async function expectSettingsHelp(page: Page, site: Site): Promise<void> {
  const uris = [
    `${site.nocobase.url}/api/wecomBridge:redirect`,
    `${site.nocobase.url}/signin,${site.nocobase.url}/v/signin`,
  ];
  await expect.poll(() => page.locator('code').allInnerTexts()).toEqual(expect.arrayContaining(uris));
  await expect
    .poll(() => page.getByTestId('wecom-bridge-versions').innerText(), { timeout: 30_000 })
    .toMatch(/0\.1\.\d+.*127\.0\.0\.1.*0\.1\.\d+/);
}

/** NocoBase's sign-in page, rendered (its React client takes a few seconds to start). */
export async function openSignIn(page: Page, site: Site): Promise<void> {
  await page.goto(`${site.nocobase.url}/signin`);
  await page
    .getByRole('link', { name: 'Sign in with WeCom' })
    .or(page.getByRole('link', { name: '企业微信登录' }))
    .first()
    .waitFor({ timeout: 60_000 });
}

/**
 * Waits until NocoBase's admin shell shows for a signed-in person: the hand-off parameters gone
 * from the address bar, the session in NocoBase's storage, and on a desktop its user menu (the
 * phone layout keeps that menu behind "⋯").
 */
export async function expectSignedInAdmin(page: Page, site: Site): Promise<void> {
  await page.waitForURL(
    (url) =>
      url.href.startsWith(`${site.nocobase.url}/admin`) &&
      !url.searchParams.has('token') &&
      !url.searchParams.has('wecomBridgeHandOff'),
    { timeout: 60_000 },
  );
  await page.waitForFunction(() => localStorage.getItem('NOCOBASE_TOKEN'), undefined, { timeout: 60_000 });
  expect(await page.evaluate(() => localStorage.getItem('NOCOBASE_AUTH'))).toBe('wecom');
  if ((page.viewportSize()?.width ?? 0) >= 1000)
    await page.locator('[data-testid="user-center-button"]').waitFor({ timeout: 60_000 });
  else await page.getByText('NocoBase').or(page.locator('header')).first().waitFor({ timeout: 60_000 });
}

/**
 * Waits until the modern client shows a page under `prefix` (default `/v/`, not its sign-in page)
 * with the session in NocoBase's storage and the hand-off gone from the address bar.
 */
export async function expectSignedInModern(page: Page, site: Site, prefix = '/v/'): Promise<void> {
  await page.waitForURL(
    (url) =>
      url.href.startsWith(`${site.nocobase.url}${prefix}`) &&
      !url.pathname.includes('/signin') &&
      !url.searchParams.has('token') &&
      !url.searchParams.has('wecomBridgeHandOff'),
    { timeout: 60_000 },
  );
  await page.waitForFunction(() => localStorage.getItem('NOCOBASE_TOKEN'), undefined, { timeout: 60_000 });
  expect(await page.evaluate(() => localStorage.getItem('NOCOBASE_AUTH'))).toBe('wecom');
}

/** The modern sign-in page, rendered with the WeCom button. */
export async function openModernSignIn(page: Page, site: Site, query = ''): Promise<void> {
  await page.goto(`${site.nocobase.url}/v/signin${query}`);
  await page
    .getByRole('link', { name: 'Sign in with WeCom' })
    .or(page.getByRole('link', { name: '企业微信登录' }))
    .first()
    .waitFor({ timeout: 60_000 });
}

/** The signed-in user as NocoBase's own API sees the browser's session (`auth:check`). */
export async function currentUser(page: Page, site: Site): Promise<Record<string, unknown>> {
  const token = await page.evaluate(() => localStorage.getItem('NOCOBASE_TOKEN'));
  const answer = await site.api.call('auth:check', { token: token ?? '', headers: { 'x-authenticator': 'wecom' } });
  expect(answer.status).toBe(200);
  return answer.body.data as Record<string, unknown>;
}

/** Users matching `filter` (NocoBase's filter syntax), as root. */
export async function findUsers(site: Site, filter: Record<string, unknown>): Promise<Record<string, any>[]> {
  const answer = await site.api.call('users:list', { query: { filter: JSON.stringify(filter), pageSize: '100' } });
  expect(answer.status).toBe(200);
  return answer.body.data as Record<string, any>[];
}

/** Bindings of the authenticator "wecom" (NocoBase's usersAuthenticators) for `uuid`. */
export async function bindings(site: Site, uuid: string): Promise<Record<string, any>[]> {
  const answer = await site.api.call('usersAuthenticators:list', {
    query: { filter: JSON.stringify({ authenticator: 'wecom', uuid }), pageSize: '100' },
  });
  expect(answer.status).toBe(200);
  return answer.body.data as Record<string, any>[];
}

/** How many users NocoBase has. */
export async function userCount(site: Site): Promise<number> {
  const answer = await site.api.call('users:list', { query: { pageSize: '1' } });
  return answer.body.meta.count as number;
}
