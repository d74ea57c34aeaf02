/**
 * What a login does when WeCom misbehaves or is misconfigured: token expiry mid-login, busy,
 * untrusted IP, dead codes, cancelled consent.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { USER_AGENTS } from '../helpers/browser.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { nocobaseClient, nocobaseLogin, nocobaseState } from '../helpers/rp.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.sim.state.clearFaults();
  h.sim.state.setConfig({ trustedIps: [], trustedDomains: [new URL(h.issuer).host] });
});

describe('WeCom failures during a login', () => {
  it('refreshes an access token WeCom expired early and completes the login', async () => {
    await nocobaseLogin(h, h.browser('zhangsan'));
    const before = h.sim.state.calls.gettoken;
    h.sim.state.expireTokens();
    const login = await nocobaseLogin(h, h.browser('lisi'));
    expect(login.tokenSet!.claims().sub).toBe('lisi');
    expect(h.sim.state.calls.gettoken).toBe(before + 1);
  });

  it('rides over one "system busy" answer', async () => {
    h.sim.state.addFault({ api: 'userget', errcode: -1 });
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    expect(login.tokenSet!.claims().sub).toBe('zhangsan');
  });

  it('reports WeCom being busy to the RP as temporarily_unavailable', async () => {
    h.sim.state.addFault({ api: 'userget', errcode: -1, times: 2 });
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    expect(login.params).toMatchObject({ error: 'temporarily_unavailable', state: nocobaseState() });
  });

  it('shows the admin which IP to trust (60020), with a link that tells the RP', async () => {
    h.sim.state.setConfig({ trustedIps: ['203.0.113.10'] });
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    const page = login.flow;
    expect(page.response!.status).toBe(502);
    expect(page.response!.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.body).toContain('企业可信IP');
    expect(page.body).toContain('企业可信IP 中添加 127.0.0.1');
    const link = /href="([^"]+)"/.exec(page.body!)![1]!.replace(/&amp;/g, '&').replace(/&#38;/g, '&');
    const back = new URL(link);
    expect(`${back.origin}${back.pathname}`).toBe(CLIENTS.nocobase.redirectUri);
    expect(back.searchParams.get('error')).toBe('server_error');
    expect(back.searchParams.get('state')).toBe(nocobaseState());
    expect(back.searchParams.get('error_description')).not.toMatch(/127\.0\.0\.1|可信/);
  });

  it('restarts the WeCom leg once when the WeCom code is dead (40029), then succeeds', async () => {
    h.sim.state.addFault({ api: 'getuserinfo', errcode: 40029 });
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    expect(login.tokenSet!.claims().sub).toBe('zhangsan');
    const weComVisits = login.flow.hops.filter((hop) => hop.url.startsWith(h.sim.url));
    expect(weComVisits).toHaveLength(2);
  });

  it('gives up after the restart fails too, without a crash page', async () => {
    h.sim.state.addFault({ api: 'getuserinfo', errcode: 40029, times: 2 });
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    expect(login.params).toMatchObject({ error: 'temporarily_unavailable', state: nocobaseState() });
    expect(login.params.error_description).toMatch(/sign in again/);
  });

  it('turns a cancelled WeCom login into access_denied with the RP state', async () => {
    const client = await nocobaseClient(h);
    const url = client.authorizationUrl({
      scope: 'openid',
      state: nocobaseState(),
      redirect_uri: CLIENTS.nocobase.redirectUri,
    });
    const browser = h.browser(undefined, USER_AGENTS.desktop);
    const first = await browser.request(url);
    const weCom = new URL(first.headers.get('location')!);
    weCom.searchParams.set('sim_action', 'deny');
    const flow = await browser.follow(weCom.href, CLIENTS.nocobase.redirectUri);
    const params = new URL(flow.finalUrl).searchParams;
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe(nocobaseState());
  });

  it('continues without the consented profile when the user_ticket is dead', async () => {
    h.sim.state.addFault({ api: 'getuserdetail', errcode: 84014 });
    const login = await nocobaseLogin(h, h.browser('zhangsan', USER_AGENTS.wecom), 'openid profile phone');
    const info = await login.client.userinfo(login.tokenSet!.access_token!);
    expect(info.name).toBe('张三');
    expect(info).not.toHaveProperty('phone');
  });

  it('asks for the consented profile and the directory entry at once, not one after the other', async () => {
    // getuserdetail hangs; user/get must be answered meanwhile (an order, not a timing).
    h.sim.state.addFault({ api: 'getuserdetail', hangMs: 3000 });
    const before = h.sim.state.calls.userget;
    let finished = false;
    const login = nocobaseLogin(h, h.browser('zhangsan', USER_AGENTS.wecom), 'openid profile phone').finally(() => {
      finished = true;
    });
    while (h.sim.state.calls.userget === before && !finished) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.sim.state.calls.userget).toBe(before + 1);
    expect(finished).toBe(false);
    const done = await login;
    expect(done.tokenSet!.claims().sub).toBe('zhangsan');
  });

  it('reports the consented-profile failure when both profile calls fail, as if made in turn', async () => {
    h.sim.state.addFault({ api: 'getuserdetail', errcode: 45009 });
    h.sim.state.addFault({ api: 'userget', errcode: 60111 });
    const login = await nocobaseLogin(h, h.browser('zhangsan', USER_AGENTS.wecom), 'openid profile phone');
    // 45009 (rate limited) is temporarily_unavailable; 60111 alone would be a refused member.
    expect(login.params).toMatchObject({ error: 'temporarily_unavailable', state: nocobaseState() });
  });

  it('shows a configuration page for a wrong secret and does not hammer gettoken', async () => {
    h.sim.state.setConfig({});
    const wrong = await startHarness({ env: { WECOM_SECRET: 'a-wrong-secret' } });
    try {
      const first = await nocobaseLogin(wrong, wrong.browser('zhangsan'));
      expect(first.flow.body).toContain('WECOM_SECRET');
      const second = await nocobaseLogin(wrong, wrong.browser('zhangsan'));
      expect(second.flow.body).toContain('WECOM_SECRET');
      expect(wrong.sim.state.calls.gettoken).toBe(1);
    } finally {
      await wrong.close();
    }
  });
});
