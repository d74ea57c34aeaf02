/**
 * Pages that tell people what to do: each WeCom failure an administrator must fix names the fix
 * (with the IP WeCom saw, the domain to trust, the corp ID), in Chinese and English, with a request
 * id; a dead WeCom code restarts the login once; `?lang=` overrides the language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../helpers/browser.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { heading, linkNamed, pageLinks } from '../helpers/html.js';
import { nocobaseClient, nocobaseLogin, nocobaseState } from '../helpers/rp.js';

/** Runs authorize → WeCom, then `beforeCallback`, then the callback; returns the final page or URL. */
async function loginWith(
  h: Harness,
  browser: TestBrowser,
  beforeCallback: () => void,
  extra: Record<string, string> = {},
) {
  const client = await nocobaseClient(h);
  const url = client.authorizationUrl({
    scope: 'openid profile',
    state: nocobaseState(),
    redirect_uri: CLIENTS.nocobase.redirectUri,
    ...extra,
  });
  const toWeCom = (await browser.request(url)).headers.get('location')!;
  const toCallback = (await browser.request(toWeCom.split('#')[0]!)).headers.get('location')!;
  beforeCallback();
  return browser.follow(toCallback, CLIENTS.nocobase.redirectUri);
}

describe('WeCom setup problems', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  it('60020: names the IP WeCom saw and where to add it', async () => {
    h.sim.state.setConfig({ trustedIps: ['198.51.100.1'] });
    try {
      const flow = await loginWith(h, h.browser('zhangsan'), () => {});
      expect(flow.response!.status).toBe(502);
      expect(heading(flow.body!)).toBe('登录服务配置有误');
      expect(flow.body).toContain('企业微信拒绝了本服务器的 IP 地址 127.0.0.1（错误码 60020）');
      expect(flow.body).toContain('企业可信IP 中添加 127.0.0.1');
      expect(flow.body).toMatch(/请求编号: <code>[A-Za-z0-9._-]+<\/code>/);
      // The way back tells the relying party; "start again" leads to its login.
      expect(new URL(linkNamed(flow.body!, '返回应用')).searchParams.get('error')).toBe('server_error');
      expect(linkNamed(flow.body!, '重新登录')).toBe('http://127.0.0.1:13000/');
    } finally {
      h.sim.state.setConfig({ trustedIps: [] });
    }
  });

  it('50001: names the domain to set as trusted domain', async () => {
    const host = new URL(h.issuer).host;
    const flow = await loginWith(
      h,
      h.browser('zhangsan', undefined),
      () => h.sim.state.setConfig({ trustedDomains: ['other.example.com'] }),
      { ui_locales: 'en' },
    );
    h.sim.state.setConfig({ trustedDomains: [host] });
    expect(heading(flow.body!)).toBe('Sign-in is not set up correctly');
    expect(flow.body).toContain(`Set ${host} as the app&#39;s trusted domain`);
    expect(flow.body).toContain('errcode 50001');
  });

  it('60011: a member outside the visible range is told, and the administrator learns to widen it', async () => {
    const login = await nocobaseLogin(h, h.browser('hidden'));
    expect(login.flow.response!.status).toBe(403);
    expect(heading(login.flow.body!)).toBe('您的账号不在应用可见范围内');
    expect(login.flow.body).toContain('应用管理 → 本应用 → 可见范围');
  });

  it('40029: a dead WeCom code restarts the WeCom leg once, then the login succeeds', async () => {
    h.sim.state.addFault({ api: 'getuserinfo', errcode: 40029 });
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    expect(login.tokenSet?.claims().sub).toBe('zhangsan');
    const wecomVisits = login.flow.hops.filter((hop) => hop.url.startsWith(`${h.sim.url}/wwlogin/`));
    expect(wecomVisits).toHaveLength(2);
  });

  it('40029 twice: no loop; the relying party hears temporarily_unavailable', async () => {
    h.sim.state.addFault({ api: 'getuserinfo', errcode: 40029, times: 2 });
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    expect(login.params).toMatchObject({ error: 'temporarily_unavailable', state: nocobaseState() });
  });
});

describe('wrong corp ID and secret (gettoken)', () => {
  it('40013 names the corp ID to check; 40001 names WECOM_SECRET', async () => {
    for (const [change, expected] of [
      [{ corpId: 'ww0ther' }, '企业微信不认识企业ID ww5imulat0rc0rp1d（错误码 40013）'],
      [{ secret: 'rotated-secret' }, '企业微信拒绝了应用 Secret（错误码 40001/40091）'],
    ] as const) {
      const h = await startHarness();
      try {
        const flow = await loginWith(h, h.browser('zhangsan'), () => h.sim.state.setConfig(change));
        expect(heading(flow.body!)).toBe('登录服务配置有误');
        expect(flow.body).toContain(expected);
      } finally {
        await h.close();
      }
    }
  });
});

describe('language', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  it('follows Accept-Language, defaults to Chinese, and ?lang= overrides both', async () => {
    const url = `${h.issuer}/authorize?client_id=nobody&redirect_uri=x`;
    const zh = await fetch(url, { headers: { accept: 'text/html' } });
    expect(heading(await zh.text())).toBe('未知的应用');
    const en = await fetch(url, { headers: { accept: 'text/html', 'accept-language': 'en-GB,en;q=0.9,zh;q=0.5' } });
    const enBody = await en.text();
    expect(heading(enBody)).toBe('Unknown application');
    expect(enBody).toContain('Request ID: <code>');
    // The switch link re-fetches the same page in the other language.
    const switchTo = pageLinks(enBody).find((link) => link.text === '中文')!.href;
    expect(switchTo).toBe(`${url}&lang=zh`);
    const forced = await fetch(`${url}&lang=en`, { headers: { accept: 'text/html', 'accept-language': 'zh-CN' } });
    expect(heading(await forced.text())).toBe('Unknown application');
  });

  it('every page carries a strict CSP and loads nothing from elsewhere', async () => {
    const response = await fetch(`${h.issuer}/nowhere`, { headers: { accept: 'text/html' } });
    const body = await response.text();
    expect(response.status).toBe(404);
    expect(heading(body)).toBe('页面不存在');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(body).not.toMatch(/(src|href)="https?:\/\/(?!127\.0\.0\.1)/);
  });
});
