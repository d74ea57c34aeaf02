/**
 * REQUIRE_CLAIMS and the QR hand-off, end to end: a desktop browser and WeCom on the phone as two
 * cookie jars, the real openid-client as NocoBase uses it, the WeCom simulator.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory.js';
import { profileKey } from '../../src/wecom/profiles.js';
import { TestBrowser, USER_AGENTS } from '../helpers/browser.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { attributeOf, heading, linkNamed } from '../helpers/html.js';
import { nocobaseClient, nocobaseState } from '../helpers/rp.js';

let h: Harness;
/** The bridge's clock runs `offsetMs` ahead of real time (the simulator keeps real time). */
let offsetMs = 0;
const now = () => Date.now() + offsetMs;

beforeAll(async () => {
  h = await startHarness({
    env: { REQUIRE_CLAIMS: 'phone_number', HANDOFF_TTL: '120' },
    app: { now, store: new MemoryStore({ now }) },
    captureLogs: true,
  });
});

afterAll(async () => {
  await h.close();
});

beforeEach(async () => {
  offsetMs = 0;
  // Each test starts with members the bridge has never seen in-client.
  for (const user of ['zhangsan', 'lisi']) await h.bridge.context.store.delete(profileKey(h.config.wecom.corpId, user));
});

/** A desktop login as NocoBase starts it; returns the desktop browser and the hand-off page. */
async function desktopLogin(user = 'zhangsan') {
  const client = await nocobaseClient(h);
  const desktop = h.browser(user);
  const url = client.authorizationUrl({
    scope: 'openid email profile phone',
    state: nocobaseState(),
    redirect_uri: CLIENTS.nocobase.redirectUri,
  });
  const flow = await desktop.follow(url, CLIENTS.nocobase.redirectUri);
  const body = flow.body ?? '';
  return {
    client,
    desktop,
    flow,
    body,
    pageUrl: flow.finalUrl,
    statusUrl: attributeOf(body, 'handoff', 'data-status-url')!,
    continueUrl: attributeOf(body, 'handoff', 'data-continue-url')!,
    scanUrl: /<code>(http[^<]+\/handoff\/scan\?s=[^<]+)<\/code>/.exec(body)?.[1]?.replace(/&#38;/g, '&'),
  };
}

function phone(user = 'zhangsan'): TestBrowser {
  return new TestBrowser(USER_AGENTS.wecom, user, h.sim.url);
}

async function statusOf(browser: TestBrowser, url: string): Promise<{ code: number; body: { status: string } }> {
  const response = await browser.request(url, { headers: { accept: 'application/json' } });
  return { code: response.status, body: (await response.json()) as { status: string } };
}

describe('a desktop login that lacks a required claim', () => {
  it('gets no code but the hand-off page: QR code, first-login explanation, polling script allowed by hash', async () => {
    const login = await desktopLogin();
    expect(login.flow.finalUrl).toMatch(new RegExp(`^${h.issuer}/handoff\\?h=[A-Za-z0-9_-]{43}$`));
    expect(login.flow.response!.status).toBe(200);
    expect(heading(login.body)).toBe('请在手机上完成首次登录');
    expect(login.body).toContain('此应用需要您的手机号');
    expect(login.body).toMatch(/<svg [^>]*viewBox/);
    expect(login.scanUrl).toMatch(new RegExp(`^${h.issuer}/handoff/scan\\?s=[A-Za-z0-9_-]{43}$`));
    const csp = login.flow.response!.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await statusOf(login.desktop, login.statusUrl)).toEqual({ code: 200, body: { status: 'pending' } });
  });

  it('completes when WeCom on the phone consents: the desktop continues to the relying party with the phone number', async () => {
    const login = await desktopLogin();
    const scanned = await phone().follow(login.scanUrl!, 'http://never.example/');
    // The phone went through WeCom's in-client consent (snsapi_privateinfo) and ends on a "done" page.
    expect(scanned.hops[0]!.location).toMatch(/\/connect\/oauth2\/authorize\?.*scope=snsapi_privateinfo/);
    expect(scanned.response!.status).toBe(200);
    expect(heading(scanned.body!)).toBe('已完成，请回到电脑上继续');
    expect(scanned.body).not.toContain(CLIENTS.nocobase.redirectUri);
    expect(await statusOf(login.desktop, login.statusUrl)).toEqual({ code: 200, body: { status: 'done' } });

    const done = await login.desktop.follow(login.continueUrl, CLIENTS.nocobase.redirectUri);
    const params = Object.fromEntries(new URL(done.finalUrl).searchParams);
    expect(params.state).toBe(nocobaseState());
    const tokenSet = await login.client.callback(
      CLIENTS.nocobase.redirectUri,
      login.client.callbackParams(done.finalUrl),
      { state: nocobaseState() },
    );
    const info = await login.client.userinfo(tokenSet.access_token!);
    expect(info).toMatchObject({
      sub: 'zhangsan',
      phone_number: '+8613800138000',
      phone: '13800138000',
      email: 'zhangsan@corp.example',
    });

    // Single use, both ends: the code cannot be opened again, the desktop cannot continue twice.
    const again = await phone().follow(login.scanUrl!, 'http://never.example/');
    expect(again.response!.status).toBe(404);
    expect(heading(again.body!)).toBe('二维码已过期');
    const twice = await login.desktop.request(login.continueUrl);
    expect(twice.status).toBe(404);
  });

  it('then remembers the profile: the next desktop login carries the phone number without a hand-off', async () => {
    const first = await desktopLogin('lisi');
    await phone('lisi').follow(first.scanUrl!, 'http://never.example/');
    await first.desktop.follow(first.continueUrl, CLIENTS.nocobase.redirectUri);
    const second = await desktopLogin('lisi');
    expect(second.flow.finalUrl.startsWith(`${CLIENTS.nocobase.redirectUri}?code=`)).toBe(true);
  });

  it('is bound to the desktop browser: another browser can neither wait, nor continue, nor see the page', async () => {
    const login = await desktopLogin();
    const stranger = h.browser('zhangsan');
    expect((await statusOf(stranger, login.statusUrl)).code).toBe(403);
    const page = await stranger.request(login.pageUrl);
    expect(page.status).toBe(403);
    expect(heading(await page.text())).toBe('请在发起登录的浏览器中完成登录');
    await phone().follow(login.scanUrl!, 'http://never.example/');
    const stolen = await stranger.request(login.continueUrl);
    expect(stolen.status).toBe(403);
    expect(stolen.headers.get('location')).toBeNull();
    // The rightful desktop still finishes.
    const done = await login.desktop.follow(login.continueUrl, CLIENTS.nocobase.redirectUri);
    expect(done.finalUrl).toMatch(/\?code=/);
  });

  it('refuses a phone signed in as another member without using the code up: the right member still completes it', async () => {
    const login = await desktopLogin('zhangsan');
    const other = await phone('lisi').follow(login.scanUrl!, 'http://never.example/');
    expect(other.response!.status).toBe(403);
    expect(heading(other.body!)).toBe('企业微信账号不一致');
    // A colleague who scanned the screen spends nothing: the desktop keeps waiting.
    expect((await statusOf(login.desktop, login.statusUrl)).body.status).not.toBe('failed');
    const mine = await phone('zhangsan').follow(login.scanUrl!, 'http://never.example/');
    expect(mine.response!.status).toBe(200);
    expect(await statusOf(login.desktop, login.statusUrl)).toEqual({ code: 200, body: { status: 'done' } });
    expect((await login.desktop.follow(login.continueUrl, CLIENTS.nocobase.redirectUri)).finalUrl).toMatch(/\?code=/);
  });

  it('is not spent by an onlooker who merely opens the scan URL in WeCom', async () => {
    const login = await desktopLogin('zhangsan');
    // Anyone who sees the QR code can open its URL with a WeCom User-Agent, and stop there.
    const onlooker = await new TestBrowser(USER_AGENTS.wecom).request(login.scanUrl!);
    expect(onlooker.status).toBe(302);
    await onlooker.body?.cancel();
    const mine = await phone('zhangsan').follow(login.scanUrl!, 'http://never.example/');
    expect(mine.response!.status).toBe(200);
    expect(heading(mine.body!)).toBe('已完成，请回到电脑上继续');
    expect(await statusOf(login.desktop, login.statusUrl)).toEqual({ code: 200, body: { status: 'done' } });
  });

  it('is used once by its member: of two phone legs of the same member, the second gets 409', async () => {
    const login = await desktopLogin('zhangsan');
    const first = phone();
    const second = phone();
    const legs = await Promise.all(
      [first, second].map(
        async (browser) => (await browser.request(login.scanUrl!)).headers.get('location')!.split('#')[0]!,
      ),
    );
    expect((await first.follow(legs[0]!, 'http://never.example/')).response!.status).toBe(200);
    const late = await second.follow(legs[1]!, 'http://never.example/');
    expect([404, 409]).toContain(late.response!.status);
    expect(await statusOf(login.desktop, login.statusUrl)).toEqual({ code: 200, body: { status: 'done' } });
  });

  it('fails when the phone declines to share: the desktop learns why', async () => {
    // Scripted logins consent; decline through the simulator's consent switch (不提供).
    const second = await desktopLogin();
    const browser = phone();
    const scan = await browser.request(second.scanUrl!);
    const wecomUrl = scan.headers.get('location')!.split('#')[0]!;
    const refused = await browser.follow(`${wecomUrl}&sim_consent=0`, 'http://never.example/');
    expect(heading(refused.body!)).toBe('未获得您的手机号或邮箱');
    expect(await statusOf(second.desktop, second.statusUrl)).toEqual({ code: 200, body: { status: 'failed' } });
  });

  it('does not burn the code when it is opened outside WeCom', async () => {
    const login = await desktopLogin();
    const camera = await new TestBrowser(USER_AGENTS.desktop).request(login.scanUrl!);
    expect(camera.status).toBe(400);
    expect(heading(await camera.text())).toBe('请使用企业微信扫码');
    const scanned = await phone().follow(login.scanUrl!, 'http://never.example/');
    expect(scanned.response!.status).toBe(200);
  });

  it('expires: a code scanned after HANDOFF_TTL logs nobody in', async () => {
    const login = await desktopLogin();
    expect(h.config.firstLogin.handoffTtl).toBe(120);
    offsetMs = 121_000;
    const late = await phone().follow(login.scanUrl!, 'http://never.example/');
    expect(late.response!.status).toBe(404);
    expect(heading(late.body!)).toBe('二维码已过期');
    expect(await statusOf(login.desktop, login.statusUrl)).toEqual({ code: 200, body: { status: 'expired' } });
  });

  it('sends the desktop back to the relying party with the error when the hand-off expires', async () => {
    const login = await desktopLogin();
    const expiredUrl = new URL(attributeOf(login.body, 'handoff', 'data-expired-url')!);
    expect(`${expiredUrl.origin}${expiredUrl.pathname}`).toBe(CLIENTS.nocobase.redirectUri);
    expect(expiredUrl.searchParams.get('error')).toBe('access_denied');
    expect(expiredUrl.searchParams.get('state')).toBe(nocobaseState());
    expect(expiredUrl.searchParams.get('error_description')).toMatch(/expired/);
  });

  it('never logs the desktop handle or the scan token', async () => {
    const login = await desktopLogin();
    await phone().follow(login.scanUrl!, 'http://never.example/');
    await login.desktop.follow(login.continueUrl, CLIENTS.nocobase.redirectUri);
    const handle = new URL(login.pageUrl).searchParams.get('h')!;
    const scanToken = new URL(login.scanUrl!).searchParams.get('s')!;
    const logs = h.logs.join('\n');
    expect(logs).toContain('hand-off completed on the phone');
    expect(logs).not.toContain(handle);
    expect(logs).not.toContain(scanToken);
  });

  it('explains the first-login rule inside WeCom when the consent shared nothing (no code, no hand-off)', async () => {
    const client = await nocobaseClient(h);
    const browser = phone('zhangsan');
    const url = client.authorizationUrl({
      scope: 'openid phone',
      state: 'st',
      redirect_uri: CLIENTS.nocobase.redirectUri,
    });
    const start = await browser.request(url);
    const wecomUrl = start.headers.get('location')!.split('#')[0]!;
    const page = await browser.follow(`${wecomUrl}&sim_consent=0`, CLIENTS.nocobase.redirectUri);
    expect(page.response!.status).toBe(403);
    expect(heading(page.body!)).toBe('需要您的手机号或邮箱');
    const back = new URL(linkNamed(page.body!, '返回应用'));
    expect(Object.fromEntries(back.searchParams)).toMatchObject({ error: 'access_denied', state: 'st' });
  });
});
