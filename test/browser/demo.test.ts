/**
 * The README's first promise, in a real browser: `npm run demo` starts, prints a URL, and
 * clicking through it signs a person in, on the desktop (WeCom web login: the simulator's member
 * picker) and inside the WeCom client (User-Agent with `wxwork`: in-client OAuth with the
 * snsapi_privateinfo consent page). The final page shows the ID token claims verified by
 * openid-client and the userinfo response. Its "Member leaves the company (simulate)" button has
 * the simulator delete the member and send WeCom's event to the bridge, whose back-channel logout
 * token signs the relying party out.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_AGENTS } from '../helpers/browser.js';
import { chromiumAvailable, launchChromium, screenshot } from './chromium.js';
import { type DemoProcess, ensureBuilt, startDemo } from './demo-process.js';

const available = chromiumAvailable('the demo in a real browser');
let demo: DemoProcess;
let browser: Browser;

beforeAll(async () => {
  if (!available) return;
  ensureBuilt();
  demo = await startDemo();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  // The demo closes the simulator, the bridge and the relying party on SIGTERM, then exits 0.
  if (demo) expect(await demo.stop()).toBe(0);
});

/** The JSON shown in `<pre id="…">` on the claims page. */
async function shownJson(page: Page, id: string): Promise<Record<string, unknown>> {
  return JSON.parse(await page.locator(`pre#${id}`).innerText()) as Record<string, unknown>;
}

/** Opens the demo and clicks "Sign in with WeCom"; returns on WeCom's (the simulator's) page. */
async function startSignIn(page: Page, name: string): Promise<void> {
  await page.goto(`${demo.rpUrl}/`);
  expect(await page.locator('h1').innerText()).toBe('Sample relying party');
  await screenshot(page, `${name}-1-relying-party`);
  await page.getByRole('link', { name: 'Sign in with WeCom', exact: true }).click();
  await page.waitForURL((url) => !url.href.startsWith(demo.rpUrl) && !url.href.startsWith(demo.issuer));
}

describe.skipIf(!available)('npm run demo in headless Chromium', () => {
  it('prints where everything runs', () => {
    expect(demo.output()).toContain('wecom-oidc-bridge demo is running');
    expect(demo.rpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('signs a desktop user in through the web login and shows verified claims and userinfo', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const page = await context.newPage();
    try {
      await startSignIn(page, 'desktop');
      // A desktop browser gets WeCom's web login (QR page); the simulator lists members instead.
      expect(new URL(page.url()).pathname).toBe('/wwlogin/sso/login');
      await screenshot(page, 'desktop-2-wecom-web-login');
      await page.getByRole('link', { name: /zhangsan/ }).click();
      await page.waitForURL(`${demo.rpUrl}/callback**`);
      await page.locator('pre#userinfo').waitFor();
      await screenshot(page, 'desktop-3-signed-in');
      const claims = await shownJson(page, 'id-token-claims');
      expect(claims).toMatchObject({ iss: demo.issuer, aud: 'demo-rp', sub: 'zhangsan' });
      expect(Object.keys(claims).sort()).toEqual(['aud', 'auth_time', 'exp', 'iat', 'iss', 'nonce', 'sid', 'sub']);
      const userinfo = await shownJson(page, 'userinfo');
      expect(userinfo).toMatchObject({
        sub: 'zhangsan',
        name: '张三',
        preferred_username: 'zhangsan',
        groups: ['2', '3'],
      });
      // A desktop login on a WeCom app created after 2022-06-20 carries no phone or email.
      expect(userinfo).not.toHaveProperty('phone_number');
    } finally {
      await context.close();
    }
  });

  it('signs a user in inside the WeCom client, with the consent, phone and email', async () => {
    const context = await browser.newContext({
      userAgent: USER_AGENTS.wecom,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
    });
    const page = await context.newPage();
    try {
      await startSignIn(page, 'wecom');
      expect(new URL(page.url()).pathname).toBe('/connect/oauth2/authorize');
      expect(new URL(page.url()).searchParams.get('scope')).toBe('snsapi_privateinfo');
      await screenshot(page, 'wecom-2-member-picker');
      const asks = 'The app asks for your mobile, email, avatar and gender.';
      let consentShown = (await page.getByText(asks).count()) > 0;
      await page
        .getByRole('link', { name: /zhangsan/ })
        .first()
        .click();
      // A snsapi_privateinfo login asks the member's consent: on the picker itself, or (older
      // simulator) on a page of its own after the pick, with 同意 / Allow.
      await page.waitForURL((url) => url.href.startsWith(`${demo.rpUrl}/callback`) || url.searchParams.has('sim_user'));
      if (!page.url().startsWith(demo.rpUrl)) {
        consentShown ||= (await page.getByText(asks).count()) > 0;
        await screenshot(page, 'wecom-3-consent');
        await page.getByRole('link', { name: '同意 / Allow' }).click();
        await page.waitForURL(`${demo.rpUrl}/callback**`);
      }
      expect(consentShown).toBe(true);
      await page.locator('pre#userinfo').waitFor();
      await screenshot(page, 'wecom-4-signed-in');
      const claims = await shownJson(page, 'id-token-claims');
      expect(claims).toMatchObject({ iss: demo.issuer, aud: 'demo-rp', sub: 'zhangsan' });
      const userinfo = await shownJson(page, 'userinfo');
      expect(userinfo).toMatchObject({
        sub: 'zhangsan',
        name: '张三',
        email: 'zhangsan@corp.example',
        email_verified: true,
        phone_number: '+8613800138000',
        phone_number_verified: true,
        phone: '13800138000',
        gender: 'male',
      });
    } finally {
      await context.close();
    }
  });

  it('signs the relying party out when the member leaves the company (contact event, back-channel logout)', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const page = await context.newPage();
    try {
      // lisi, not zhangsan: the member is gone from the simulator afterwards.
      await startSignIn(page, 'leaves');
      await page.getByRole('link', { name: /lisi/ }).click();
      await page.waitForURL(`${demo.rpUrl}/callback**`);
      await page.locator('pre#userinfo').waitFor();
      expect(await shownJson(page, 'id-token-claims')).toMatchObject({ sub: 'lisi' });
      // The relying party's own session: its home page (another tab) says so.
      const home = await context.newPage();
      await home.goto(`${demo.rpUrl}/`);
      expect(await home.locator('#session-status').innerText()).toBe('Signed in as lisi.');
      await home.close();
      await screenshot(page, 'leaves-2-signed-in');

      // A forged logout token changes nothing (400, as Back-Channel Logout 1.0 §2.8 says).
      const forged = await fetch(`${demo.rpUrl}/backchannel-logout`, {
        method: 'POST',
        body: new URLSearchParams({ logout_token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJsaXNpIn0.' }),
      });
      expect(forged.status).toBe(400);

      await page.getByRole('button', { name: 'Member leaves the company (simulate)' }).click();
      await page.waitForURL(`${demo.rpUrl}/`);
      await screenshot(page, 'leaves-3-signed-out');
      const status = page.locator('#session-status');
      expect(await status.innerText()).toMatch(/^Signed out\. The bridge sent a back-channel logout token/);
      // Still signed out on the next load, and lisi can no longer sign in.
      await page.reload();
      expect(await status.innerText()).toMatch(/^Signed out\./);
      await page.getByRole('link', { name: 'Sign in with WeCom', exact: true }).click();
      await page.waitForURL((url) => !url.href.startsWith(demo.rpUrl) && !url.href.startsWith(demo.issuer));
      expect(await page.getByRole('link', { name: /lisi/ }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
