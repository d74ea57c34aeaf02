/**
 * Every page the bridge shows, in headless Chromium (Debian's, driven by playwright-core): at
 * phone size inside WeCom and at desktop size, in Chinese and English. Each page is checked for
 * its heading, its request id, a CSP that blocked nothing, and no request leaving the bridge;
 * screenshots go to test-results/screenshots/ (git-ignored) for people to look at.
 *
 * The hand-off runs for real here: the desktop page's polling script (allowed by its CSP hash)
 * must take the browser on to the relying party by itself once the phone has consented.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, USER_AGENTS } from '../helpers/browser.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { attributeOf } from '../helpers/html.js';
import { nocobaseClient, nocobaseState } from '../helpers/rp.js';
import { chromiumAvailable, launchChromium } from './chromium.js';

const available = chromiumAvailable('the page screenshots');

const SHOTS = 'test-results/screenshots';
type Lang = 'zh' | 'en';
type Size = 'phone' | 'desktop';

const SIZES: Record<Size, { viewport: { width: number; height: number }; userAgent: string }> = {
  phone: { viewport: { width: 390, height: 844 }, userAgent: USER_AGENTS.wecom },
  desktop: { viewport: { width: 1280, height: 800 }, userAgent: USER_AGENTS.desktop },
};

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  if (!available) return;
  mkdirSync(SHOTS, { recursive: true });
  h = await startHarness({
    env: {
      REQUIRE_CLAIMS: 'phone_number',
      WECOM_ALLOWED_DEPARTMENTS: '2',
      WECOM_ALLOWED_USERS: 'lisi',
      PROFILE_TTL: '0',
    },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** A browser context: one person's browser, signing in to the simulator as `simUser`. */
async function contextFor(
  size: Size,
  lang: Lang,
  simUser = 'zhangsan',
  userAgent = SIZES[size].userAgent,
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: SIZES[size].viewport,
    userAgent,
    locale: lang === 'zh' ? 'zh-CN' : 'en-US',
    extraHTTPHeaders: { 'x-sim-user': simUser },
  });
  return context;
}

/** Watches a page for requests leaving the bridge/simulator and for CSP violations. */
function watch(page: Page): { foreign: string[]; csp: string[] } {
  const seen = { foreign: [] as string[], csp: [] as string[] };
  // The relying party (127.0.0.1:13000) is not running; reaching it is the end of a login.
  const allowed = [new URL(h.issuer).origin, h.sim.url, 'http://127.0.0.1:13000', 'data:'];
  page.on('request', (request) => {
    if (!allowed.some((origin) => request.url().startsWith(origin))) seen.foreign.push(request.url());
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.csp.push(message.text());
  });
  return seen;
}

/** Checks the shown page and saves its screenshot. */
async function check(
  page: Page,
  name: string,
  lang: Lang,
  size: Size,
  title: Record<Lang, string>,
  seen: ReturnType<typeof watch>,
): Promise<void> {
  await expect.poll(() => page.locator('h1').first().textContent(), { timeout: 20_000 }).toBe(title[lang]);
  expect(await page.getAttribute('html', 'lang')).toBe(lang === 'zh' ? 'zh-CN' : 'en');
  const meta = await page.locator('.meta').textContent();
  expect(meta).toMatch(lang === 'zh' ? /请求编号: \S+/ : /Request ID: \S+/);
  // Nothing wider than the screen (the page must read well on a phone).
  const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  expect(overflow).toBeLessThanOrEqual(0 as number);
  await page.screenshot({ path: `${SHOTS}/${name}-${lang}-${size}.png`, fullPage: true });
  expect(seen.foreign).toEqual([]);
  expect(seen.csp).toEqual([]);
}

async function authorizeUrl(extra: Record<string, string> = {}): Promise<string> {
  const client = await nocobaseClient(h);
  return client.authorizationUrl({
    scope: 'openid profile phone',
    state: nocobaseState(),
    redirect_uri: CLIENTS.nocobase.redirectUri,
    ...extra,
  });
}

/** A desktop hand-off started by a scripted browser; returns its scan URL. */
async function handoffScanUrl(user = 'zhangsan'): Promise<{ desktop: TestBrowser; scan: string; status: string }> {
  const desktop = h.browser(user);
  const flow = await desktop.follow(await authorizeUrl(), CLIENTS.nocobase.redirectUri);
  const scan = /<code>(http[^<]+\/handoff\/scan\?s=[^<]+)<\/code>/.exec(flow.body!)![1]!;
  return { desktop, scan, status: attributeOf(flow.body!, 'handoff', 'data-status-url')! };
}

interface Scenario {
  readonly name: string;
  readonly title: Record<Lang, string>;
  /** Opens the page in a fresh context; returns the page showing it. */
  open(size: Size, lang: Lang): Promise<Page>;
}

async function gotoIn(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'handoff-waiting',
    title: { zh: '请在手机上完成首次登录', en: 'Finish signing in on your phone' },
    open: async (size, lang) =>
      gotoIn(await contextFor(size, lang, 'zhangsan', USER_AGENTS.desktop), await authorizeUrl()),
  },
  {
    name: 'handoff-phone-done',
    title: { zh: '已完成，请回到电脑上继续', en: 'Done: go back to your computer' },
    open: async (size, lang) =>
      gotoIn(await contextFor(size, lang, 'zhangsan', USER_AGENTS.wecom), (await handoffScanUrl()).scan),
  },
  {
    name: 'handoff-user-mismatch',
    title: { zh: '企业微信账号不一致', en: 'Different WeCom account' },
    open: async (size, lang) =>
      gotoIn(await contextFor(size, lang, 'lisi', USER_AGENTS.wecom), (await handoffScanUrl()).scan),
  },
  {
    name: 'handoff-wrong-client',
    title: { zh: '请使用企业微信扫码', en: 'Open this code with WeCom' },
    open: async (size, lang) =>
      gotoIn(await contextFor(size, lang, 'zhangsan', USER_AGENTS.desktop), (await handoffScanUrl()).scan),
  },
  {
    name: 'handoff-used',
    title: { zh: '二维码已被使用', en: 'This QR code was already used' },
    open: async (size, lang) => {
      const { scan } = await handoffScanUrl();
      await new TestBrowser(USER_AGENTS.wecom, 'zhangsan', h.sim.url).follow(scan, 'http://never.example/');
      // The member scans again after finishing: the hand-off is done but not yet taken.
      return gotoIn(await contextFor(size, lang, 'zhangsan', USER_AGENTS.wecom), scan);
    },
  },
  {
    name: 'claims-missing-in-wecom',
    title: { zh: '需要您的手机号或邮箱', en: 'Your phone number or email is needed' },
    open: async (size, lang) => {
      // A member WeCom holds no mobile number for: the consent cannot yield one.
      h.sim.state.upsertMember({ userid: 'nomobile', name: '周九', gender: '1', department: [2], status: 1 });
      return gotoIn(await contextFor(size, lang, 'nomobile', USER_AGENTS.wecom), await authorizeUrl());
    },
  },
  {
    name: 'policy-denied',
    title: { zh: '您无权使用此应用', en: 'No access to this application' },
    open: async (size, lang) => gotoIn(await contextFor(size, lang, 'user@ext'), await authorizeUrl()),
  },
  {
    name: 'account-disabled',
    title: { zh: '您的账号已被禁用', en: 'Your account is disabled' },
    open: async (size, lang) => gotoIn(await contextFor(size, lang, 'wangwu'), await authorizeUrl()),
  },
  {
    name: 'not-a-member',
    title: { zh: '仅限企业成员登录', en: 'Only members can sign in' },
    open: async (size, lang) => gotoIn(await contextFor(size, lang, 'outsider'), await authorizeUrl()),
  },
  {
    name: 'config-untrusted-ip',
    title: { zh: '登录服务配置有误', en: 'Sign-in is not set up correctly' },
    open: async (size, lang) => {
      h.sim.state.setConfig({ trustedIps: ['198.51.100.1'] });
      try {
        const page = await gotoIn(await contextFor(size, lang), await authorizeUrl());
        await expect.poll(() => page.locator('.hint').textContent(), { timeout: 20_000 }).toContain('127.0.0.1');
        return page;
      } finally {
        h.sim.state.setConfig({ trustedIps: [] });
      }
    },
  },
  {
    name: 'unknown-client',
    title: { zh: '未知的应用', en: 'Unknown application' },
    open: async (size, lang) =>
      gotoIn(await contextFor(size, lang), `${h.issuer}/authorize?client_id=nobody&redirect_uri=x`),
  },
  {
    name: 'redirect-uri-mismatch',
    title: { zh: '不允许的登录回调地址', en: 'Sign-in address not allowed' },
    open: async (size, lang) =>
      gotoIn(
        await contextFor(size, lang),
        `${h.issuer}/authorize?client_id=nocobase&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`,
      ),
  },
  {
    name: 'login-expired',
    title: { zh: '登录链接已失效', en: 'This sign-in link is no longer valid' },
    open: async (size, lang) =>
      gotoIn(await contextFor(size, lang), `${h.issuer}/wecom/callback?code=x&state=${'a'.repeat(48)}`),
  },
  {
    name: 'logout-confirm',
    title: { zh: '退出登录？', en: 'Sign out?' },
    open: async (size, lang) => gotoIn(await contextFor(size, lang), `${h.issuer}/logout`),
  },
  {
    name: 'signed-out',
    title: { zh: '您已退出登录', en: 'You are signed out' },
    open: async (size, lang) => {
      const page = await gotoIn(await contextFor(size, lang), `${h.issuer}/logout`);
      await page.getByRole('button').click();
      return page;
    },
  },
  {
    name: 'not-found',
    title: { zh: '页面不存在', en: 'Page not found' },
    open: async (size, lang) => gotoIn(await contextFor(size, lang), `${h.issuer}/no/such/page`),
  },
];

describe.skipIf(!available)('every page, in Chromium, at phone and desktop size, in both languages', () => {
  for (const scenario of SCENARIOS) {
    it(scenario.name, { timeout: 120_000 }, async () => {
      for (const size of ['phone', 'desktop'] as const) {
        for (const lang of ['zh', 'en'] as const) {
          const page = await scenario.open(size, lang);
          try {
            await check(page, scenario.name, lang, size, scenario.title, watch(page));
          } finally {
            await page.context().close();
          }
        }
      }
    });
  }

  it('the waiting page continues to the relying party by itself once the phone has consented', {
    timeout: 60_000,
  }, async () => {
    const context = await contextFor('desktop', 'en', 'lisi', USER_AGENTS.desktop);
    const page = await context.newPage();
    const seen = watch(page);
    try {
      await page.goto(await authorizeUrl());
      await expect
        .poll(() => page.locator('h1').textContent(), { timeout: 20_000 })
        .toBe('Finish signing in on your phone');
      const scan = await page.locator('details code').textContent();
      const phone = new TestBrowser(USER_AGENTS.wecom, 'lisi', h.sim.url);
      // The relying party is not running: the request to its redirect URI is what counts.
      const reachedRp = page.waitForRequest(
        (request) => request.url().startsWith(`${CLIENTS.nocobase.redirectUri}?code=`),
        { timeout: 15_000 },
      );
      const done = await phone.follow(scan!, 'http://never.example/');
      expect(done.response!.status).toBe(200);
      const request = await reachedRp;
      expect(new URL(request.url()).searchParams.get('state')).toBe(nocobaseState());
      expect(seen.csp).toEqual([]);
      expect(seen.foreign).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
