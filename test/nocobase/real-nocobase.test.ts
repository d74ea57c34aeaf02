/**
 * The adapter on a real NocoBase 2.2 (community edition from npm), through NocoBase's own pages
 * in headless Chromium: the WeCom button on the sign-in page, the desktop login (WeCom web login
 * at the simulator), the in-client auto login with phone and email, binding an existing user by
 * mobile number, reusing the binding, a disabled member stopped at the bridge, and a sign-out
 * that ends the bridge's session too. Screenshots in test-results/browser/nocobase-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from '../browser/chromium.js';
import { freePort } from '../helpers/free-port.js';
import { attackSuite } from './attacks.js';
import { backchannelLogoutSuite } from './backchannel-logout.js';
import {
  answerUrl,
  callbackPrefix,
  claimHandOff,
  openPage,
  scriptedBrowser,
  startForeignDiscovery,
  startSignIn,
} from './flows.js';
import { homepageSuite, modernLaneSuite } from './modern.js';
import { offboardingSuite } from './offboarding.js';
import {
  bindings,
  currentUser,
  expectSettingsHelp,
  expectSignedInAdmin,
  findUsers,
  newProfile,
  openSignIn,
  rootPage,
  userCount,
} from './pages.js';
import {
  installFromStoragePlugins,
  installWithPmAddTarball,
  realNocoBaseAvailable,
  type Site,
  startSite,
} from './site.js';

const available = realNocoBaseAvailable();
let site: Site;
let browser: Browser;

beforeAll(async () => {
  if (!available) return;
  site = await startSite();
  browser = await launchChromium();
  console.log(`[nocobase] setup timings (s): ${JSON.stringify(site.timings)}`);
}, 30 * 60_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
}, 120_000);

/** Clicks the WeCom button and picks `member` on the simulator's web login page. */
async function desktopLogin(page: Page, member: string, shot: string): Promise<void> {
  await openSignIn(page, site);
  await screenshot(page, `${shot}-1-signin`);
  await page.getByRole('link', { name: 'Sign in with WeCom' }).click();
  await page.waitForURL((url) => url.href.startsWith(site.harness.sim.url));
  expect(new URL(page.url()).pathname).toBe('/wwlogin/sso/login');
  await screenshot(page, `${shot}-2-wecom-web-login`);
  await page
    .getByRole('link', { name: new RegExp(member) })
    .first()
    .click();
}

// NocoBase's client takes seconds per page on two cores: generous limits, no timing asserted.
describe.skipIf(!available)('the adapter on a real NocoBase, in headless Chromium', { timeout: 180_000 }, () => {
  it("shows the WeCom button on NocoBase's sign-in page, in both languages", async () => {
    for (const [locale, label] of [
      ['en-US', 'Sign in with WeCom'],
      ['zh-CN', '企业微信登录'],
    ] as const) {
      const context = await browser.newContext({ locale });
      const page = await context.newPage();
      await page.addInitScript((lang) => localStorage.setItem('NOCOBASE_LOCALE', lang), locale);
      await page.goto(`${site.nocobase.url}/signin`);
      const button = page.getByRole('link', { name: label });
      await button.waitFor({ timeout: 60_000 });
      expect(await button.getAttribute('href')).toBe('/api/wecomBridge:signIn?authenticator=wecom');
      await screenshot(page, `nocobase-signin-${locale}`);
      await context.close();
    }
  });

  it('offers the WeCom type and its settings form in Settings → Authentication, in both languages', async () => {
    for (const [locale, texts] of [
      ['en-US', { add: /Add new/, type: 'WeCom', bindBy: 'Bind existing users by' }],
      // antd spaces out two-character Chinese button labels ("添 加").
      ['zh-CN', { add: /添\s?加|新\s?增/, type: '企业微信', bindBy: '按以下字段绑定已有用户' }],
    ] as const) {
      const { context, page } = await rootPage(browser, site, locale);
      await page.goto(`${site.nocobase.url}/admin/settings/auth/authenticators`);
      await page.getByRole('button', { name: texts.add }).click({ timeout: 60_000 });
      await page.locator('.ant-dropdown-menu-item', { hasText: texts.type }).click();
      await page.getByText(texts.bindBy).waitFor();
      await screenshot(page, `nocobase-settings-${locale}`);
      // The URIs to register at the bridge, as this NocoBase's address gives them, and the versions.
      await expectSettingsHelp(page, site);
      await context.close();
    }
  });

  it('signs a desktop member in: a click, the member picks themself, signed in at /admin', async () => {
    const before = await userCount(site);
    const context = await newProfile(browser, 'desktop');
    const page = await context.newPage();
    await desktopLogin(page, 'zhangsan', 'nocobase-desktop');
    await expectSignedInAdmin(page, site);
    await screenshot(page, 'nocobase-desktop-3-admin');
    const user = await currentUser(page, site);
    expect(user).toMatchObject({ nickname: '张三', username: 'zhangsan' });
    expect(await userCount(site)).toBe(before + 1);
    expect((await bindings(site, 'zhangsan')).map((link) => link.userId)).toEqual([user.id]);
    await context.close();
  });

  it('reuses the binding on a second login: the same user, no new one', async () => {
    const [user] = await findUsers(site, { username: 'zhangsan' });
    const before = await userCount(site);
    const context = await newProfile(browser, 'desktop');
    const page = await context.newPage();
    await desktopLogin(page, 'zhangsan', 'nocobase-second');
    await expectSignedInAdmin(page, site);
    expect((await currentUser(page, site)).id).toBe(user!.id);
    expect(await userCount(site)).toBe(before);
    expect(await bindings(site, 'zhangsan')).toHaveLength(1);
    await context.close();
  });

  it('logs in inside the WeCom client without a click; the new user carries phone and email', async () => {
    site.harness.sim.state.putMember('wangfang', {
      userid: 'wangfang',
      name: '王芳',
      mobile: '13811112222',
      biz_mail: 'wangfang@corp.example',
      gender: '2',
      department: [2],
      status: 1,
    });
    const context = await newProfile(browser, 'wecom', 'wangfang');
    const page = await context.newPage();
    const visited: string[] = [];
    page.on('request', (request) => request.isNavigationRequest() && visited.push(request.url()));
    await page.goto(`${site.nocobase.url}/signin`);
    await expectSignedInAdmin(page, site);
    await screenshot(page, 'nocobase-wecom-admin');
    // The sign-in page started the login by itself: in-client OAuth with the privateinfo consent.
    const oauth = visited.find((url) => url.startsWith(`${site.harness.sim.url}/connect/oauth2/authorize`));
    expect(new URL(oauth!).searchParams.get('scope')).toBe('snsapi_privateinfo');
    expect(await currentUser(page, site)).toMatchObject({
      nickname: '王芳',
      username: 'wangfang',
      phone: '13811112222',
      email: 'wangfang@corp.example',
    });
    await context.close();
  });

  it('binds an existing NocoBase user by mobile number (stored without +86) instead of creating one', async () => {
    const created = await site.api.call('users:create', {
      method: 'POST',
      body: { nickname: 'Li Si (existing)', username: 'lisi_existing', phone: '13900139000' },
    });
    expect(created.status).toBe(200);
    const existingId = created.body.data.id as number;
    const before = await userCount(site);
    const context = await newProfile(browser, 'wecom', 'lisi');
    const page = await context.newPage();
    await page.goto(`${site.nocobase.url}/signin`);
    await expectSignedInAdmin(page, site);
    expect(await currentUser(page, site)).toMatchObject({ id: existingId, username: 'lisi_existing' });
    expect(await userCount(site)).toBe(before);
    expect((await bindings(site, 'lisi')).map((link) => link.userId)).toEqual([existingId]);
    await context.close();
  });

  it("stops a disabled member at the bridge's page, and creates no user", async () => {
    const before = await userCount(site);
    const context = await newProfile(browser, 'desktop');
    const page = await context.newPage();
    await desktopLogin(page, 'wangwu', 'nocobase-disabled');
    await page.waitForURL((url) => url.href.startsWith(site.harness.issuer));
    await screenshot(page, 'nocobase-disabled-3-bridge-page');
    expect(await page.locator('h1').innerText()).toBe('Your account is disabled');
    expect(await userCount(site)).toBe(before);
    expect(await findUsers(site, { username: 'wangwu' })).toHaveLength(0);
    await context.close();
  });

  it('signs out of the bridge too: the next login asks WeCom again', async () => {
    const context = await newProfile(browser, 'desktop');
    const page = await context.newPage();
    await desktopLogin(page, 'zhangsan', 'nocobase-signout');
    await expectSignedInAdmin(page, site);
    const visited: string[] = [];
    page.on('request', (request) => request.isNavigationRequest() && visited.push(request.url()));
    // Without a sign-out at the bridge, its session signs the person in again without WeCom:
    // drop only NocoBase's session and log in again.
    await page.evaluate(() => localStorage.clear());
    await context.clearCookies({ name: /^nb_/ });
    await openSignIn(page, site);
    await page.getByRole('link', { name: 'Sign in with WeCom' }).click();
    await expectSignedInAdmin(page, site);
    expect(visited.some((url) => url.startsWith(site.harness.sim.url))).toBe(false);
    await page.locator('[data-testid="user-center-button"]').hover();
    await page.getByText('Sign out', { exact: true }).click();
    await page.waitForURL(`${site.nocobase.url}/signin`);
    await screenshot(page, 'nocobase-signout-4-signed-out');
    const logout = new URL(visited.find((url) => url.startsWith(`${site.harness.issuer}/logout`))!);
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(`${site.nocobase.url}/signin`);
    expect(logout.searchParams.get('id_token_hint')).toMatch(/^eyJ/);
    await page.getByRole('link', { name: 'Sign in with WeCom' }).click();
    await page.waitForURL((url) => url.href.startsWith(site.harness.sim.url));
    expect(new URL(page.url()).pathname).toBe('/wwlogin/sso/login');
    await context.close();
  });
});

describe.skipIf(!available)(
  'the adapter on a real NocoBase: bad input and bad configuration get a clear page',
  { timeout: 60_000 },
  () => {
    let otherIssuer: { url: string; close(): Promise<void> };

    beforeAll(async () => {
      otherIssuer = await startForeignDiscovery();
      const add = async (name: string, title: string, options: Record<string, unknown>) => {
        const answer = await site.api.createAuthenticator(
          name,
          { ...site.options, autoLoginInWeCom: false, ...options },
          title,
        );
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      };
      await add('unreachable', 'Unreachable', { issuer: `http://127.0.0.1:${await freePort()}` });
      await add('mismatch', 'Mismatch', { issuer: otherIssuer.url });
      await add('wrongsecret', 'Wrong secret', { clientSecret: 'not-the-secret' });
      await add('noaccount', 'No sign-up', { autoSignup: false });
    });

    afterAll(async () => otherIssuer?.close());

    it('names an unknown authenticator', async () => {
      const page = await openPage(
        scriptedBrowser(site),
        `${site.nocobase.url}/api/wecomBridge:signIn?authenticator=nope`,
      );
      expect(page).toMatchObject({ status: 404, failure: 'authenticator_unknown' });
    });

    it('says the provider cannot be reached, and what the admin should check', async () => {
      const page = await openPage(
        scriptedBrowser(site),
        `${site.nocobase.url}/api/wecomBridge:signIn?authenticator=unreachable`,
      );
      expect(page).toMatchObject({ status: 502, failure: 'provider_unreachable' });
      expect(page.body).toContain('.well-known/openid-configuration');
      expect(page.body).not.toMatch(/at \S+ \(|node_modules/);
    });

    it('refuses a provider whose discovery names another issuer', async () => {
      const page = await openPage(
        scriptedBrowser(site),
        `${site.nocobase.url}/api/wecomBridge:signIn?authenticator=mismatch`,
      );
      expect(page).toMatchObject({ status: 502, failure: 'issuer_mismatch' });
    });

    it('says the client secret is wrong (invalid_client at the token endpoint), and creates no user', async () => {
      const before = await userCount(site);
      const browser = scriptedBrowser(site, 'Li.Na-01');
      const page = await openPage(browser, await answerUrl(site, browser, 'wrongsecret'));
      expect(page).toMatchObject({ status: 502, failure: 'invalid_client' });
      expect(page.body).toContain('OIDC_CLIENT_SECRET');
      expect(await userCount(site)).toBe(before);
    });

    it("refuses a forged state and another browser's answer, without spending the real one; a replay gets its own page", async () => {
      expect(await openPage(scriptedBrowser(site), `${callbackPrefix(site)}?state=forged&code=forged`)).toMatchObject({
        status: 400,
        failure: 'state_invalid',
      });
      const owner = scriptedBrowser(site);
      const answer = await answerUrl(site, owner);
      expect(await openPage(scriptedBrowser(site), answer)).toMatchObject({ status: 400, failure: 'state_invalid' });
      const done = await openPage(owner, answer);
      expect(done.status).toBe(302);
      const landing = new URL(done.location!, site.nocobase.url);
      expect(landing.pathname).toBe('/admin');
      expect(landing.searchParams.has('token')).toBe(false);
      const claimed = await claimHandOff(site, owner, done.location!);
      const check = await site.api.call('auth:check', {
        token: claimed.body.data.token,
        headers: { 'x-authenticator': 'wecom' },
      });
      expect(check.body.data).toMatchObject({ username: 'zhangsan' });
      expect(await openPage(owner, answer)).toMatchObject({ status: 400, failure: 'state_used' });
    });

    it('shows why when the member refuses (access_denied), and creates no user', async () => {
      const before = await userCount(site);
      const browser = scriptedBrowser(site, 'Li.Na-01');
      const start = await startSignIn(site, browser, 'wecom');
      const atWeCom = await browser.follow(
        new URL(start.headers.get('location')!, site.nocobase.url).href,
        site.harness.sim.url,
      );
      const denied = await browser.follow(`${atWeCom.finalUrl}&sim_action=deny`, callbackPrefix(site));
      const page = await openPage(browser, denied.finalUrl);
      expect(page).toMatchObject({ status: 403, failure: 'access_denied' });
      expect(await userCount(site)).toBe(before);
    });

    it('says there is no NocoBase account when auto sign-up is off, and what the admin can do', async () => {
      const before = await userCount(site);
      const browser = scriptedBrowser(site, 'Li.Na-01');
      const page = await openPage(browser, await answerUrl(site, browser, 'noaccount'));
      expect(page).toMatchObject({ status: 403, failure: 'no_account' });
      expect(page.body).toContain('Sign up automatically');
      expect(await userCount(site)).toBe(before);
    });

    it('refuses to save an unusable authenticator, and a second one that logs in automatically in WeCom', async () => {
      const broken = await site.api.createAuthenticator(
        'broken',
        { issuer: 'ftp://sso.example.com', clientId: '', clientSecret: 'x' },
        'Broken',
      );
      expect(broken.status).toBe(400);
      expect(JSON.stringify(broken.body)).toContain('must be an https URL');
      expect(JSON.stringify(broken.body)).toContain('Client ID is required');
      const second = await site.api.createAuthenticator(
        'second',
        { ...site.options, autoLoginInWeCom: true },
        'Second',
      );
      expect(second.status).toBe(400);
      expect(JSON.stringify(second.body)).toContain('Only one authenticator may log in automatically inside WeCom');
    });
  },
);

describe.skipIf(!available)('the adapter on a real NocoBase under attack', { timeout: 180_000 }, () => {
  attackSuite(() => ({ site, browser }));
});

describe.skipIf(!available)('back-channel logout on a real NocoBase', { timeout: 180_000 }, () => {
  backchannelLogoutSuite(() => ({ site }));
});

describe.skipIf(!available)('a member who leaves WeCom, on a real NocoBase', { timeout: 180_000 }, () => {
  offboardingSuite(() => ({ site, browser }));
});

// Last on this site: NocoBase restarts in each entry mode; the modern lane and the workbench
// homepages are tried in each.
for (const mode of ['legacy-default', 'modern-default', 'modern-only']) {
  describe.skipIf(!available)(`the adapter in entry mode ${mode}`, { timeout: 180_000 }, () => {
    beforeAll(async () => {
      const started = Date.now();
      await site.nocobase.restart({ APP_CLIENT_ENTRY_MODE: mode });
      // NocoBase builds each language's resources on first use after a start: not inside a test's wait.
      for (const locale of ['en-US', 'zh-CN'])
        await fetch(`${site.nocobase.url}/api/app:getLang`, { headers: { 'x-locale': locale } });
      console.log(`[nocobase] restarted in ${mode} mode in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }, 240_000);
    homepageSuite(() => ({ site, browser }), mode);
    modernLaneSuite(() => ({ site, browser }), mode);
  });
}

describe.skipIf(!available)(
  "the plugin placed in storage/plugins/ (a Docker install), enabled with NocoBase's CLI",
  { timeout: 240_000 },
  () => {
    it('is found by `pm add`, enabled by `pm enable`, and offers the WeCom authenticator type after a restart', async () => {
      const types = await installFromStoragePlugins(site);
      expect(types).toContainEqual(expect.objectContaining({ name: 'wecom-bridge' }));
    });

    it('installs from the tarball itself with `pm add <file>.tgz` and `pm enable`', async () => {
      const types = await installWithPmAddTarball(site);
      expect(types).toContainEqual(expect.objectContaining({ name: 'wecom-bridge' }));
    });
  },
);
