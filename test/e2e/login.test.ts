/**
 * The spine: complete logins through the bridge and the WeCom simulator, accepted by the real
 * openid-client, in-client and on the desktop, for every kind of member.
 */

import * as oidc from 'openid-client';
import { Issuer } from 'openid-client-v5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_AGENTS } from '../helpers/browser.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { heading, linkNamed } from '../helpers/html.js';
import { modernLogin, nocobaseLogin, nocobaseState } from '../helpers/rp.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

describe('NocoBase way (openid-client v5: discovery, no nonce, no PKCE, client_secret_basic)', () => {
  it('logs a desktop user in through the web login and returns the opaque state byte for byte', async () => {
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    // The desktop browser went to WeCom's web login, not the in-client OAuth page.
    expect(login.flow.hops[0]!.location).toMatch(
      new RegExp(
        `^${h.sim.url}/wwlogin/sso/login\\?login_type=CorpApp&appid=ww5imulat0rc0rp1d&agentid=1000002&redirect_uri=${encodeURIComponent(`${h.issuer}/wecom/callback`).replace(/\./g, '\\.')}&state=[A-Za-z0-9]{22,128}$`,
      ),
    );
    expect(login.params.state).toBe(nocobaseState());
    expect(login.params).not.toHaveProperty('iss');
    const claims = login.tokenSet!.claims();
    expect(Object.keys(claims).sort()).toEqual(['aud', 'auth_time', 'exp', 'iat', 'iss', 'sid', 'sub']);
    expect(claims).toMatchObject({ iss: h.issuer, sub: 'zhangsan', aud: CLIENTS.nocobase.id });
    expect(claims.exp - claims.iat).toBe(3600);
    expect(login.tokenSet!.token_type).toBe('Bearer');
    expect(login.tokenSet!.expires_in).toBeGreaterThan(590);
  });

  it('serves userinfo by GET header, POST header, POST body and query with the same sub', async () => {
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    const token = login.tokenSet!.access_token!;
    const viaGet = await login.client.userinfo(token);
    const viaPost = await login.client.userinfo(token, { method: 'POST' });
    const viaBody = await login.client.userinfo(token, { method: 'POST', via: 'body' });
    const viaQuery = await fetch(`${h.issuer}/userinfo?access_token=${encodeURIComponent(token)}`).then((r) =>
      r.json(),
    );
    for (const info of [viaGet, viaPost, viaBody, viaQuery]) {
      expect(info).toEqual({
        sub: 'zhangsan',
        name: '张三',
        nickname: '张三',
        preferred_username: 'zhangsan',
        username: 'zhangsan',
        groups: ['2', '3'],
      });
    }
  });

  it('a desktop login on a post-2022 app yields no phone or email, and omits them (never null)', async () => {
    const login = await nocobaseLogin(h, h.browser('zhangsan'), 'openid email profile phone');
    const info = await login.client.userinfo(login.tokenSet!.access_token!);
    expect(info).not.toHaveProperty('email');
    expect(info).not.toHaveProperty('phone');
    expect(Object.values(info).every((v) => v !== null && v !== '')).toBe(true);
  });

  it('logs in inside the WeCom client with the consented phone and corporate email', async () => {
    const login = await nocobaseLogin(h, h.browser('zhangsan', USER_AGENTS.wecom), 'openid email profile phone');
    expect(login.flow.hops[0]!.location).toMatch(
      /\/connect\/oauth2\/authorize\?appid=ww5imulat0rc0rp1d&redirect_uri=.+&response_type=code&scope=snsapi_privateinfo&state=[A-Za-z0-9]+&agentid=1000002#wechat_redirect$/,
    );
    const info = await login.client.userinfo(login.tokenSet!.access_token!);
    expect(info).toMatchObject({
      sub: 'zhangsan',
      email: 'zhangsan@corp.example',
      email_verified: true,
      phone_number: '+8613800138000',
      phone_number_verified: true,
      phone: '13800138000',
      gender: 'male',
    });
    expect(typeof info.picture).toBe('string');
  });
});

describe('modern way (openid-client v6: PKCE + nonce, client_secret_post)', () => {
  it('logs in and verifies nonce and PKCE', async () => {
    const login = await modernLogin(h, h.browser('lisi', USER_AGENTS.wecom));
    expect(login.flow.finalUrl.startsWith(`${CLIENTS.modern.redirectUri}?code=`)).toBe(true);
    const claims = login.tokens!.claims()!;
    expect(claims).toMatchObject({ iss: h.issuer, sub: 'lisi', aud: CLIENTS.modern.id, nonce: login.nonce });
    const info = await oidc.fetchUserInfo(login.config, login.tokens!.access_token, claims.sub);
    // 李四 has no mailbox at all: no email claims; the phone comes from the consent.
    expect(info).toMatchObject({
      sub: 'lisi',
      name: '李四',
      phone_number: '+8613900139000',
      phone_number_verified: true,
      phone: '13900139000',
      gender: 'female',
    });
    expect(info).not.toHaveProperty('email');
    expect(info).not.toHaveProperty('email_verified');
  });

  it('keeps the userid exactly as WeCom spells it and omits a username NocoBase would refuse', async () => {
    const mixed = await modernLogin(h, h.browser('Li.Na-01'));
    expect(mixed.tokens!.claims()!.sub).toBe('Li.Na-01');
    const ext = await modernLogin(h, h.browser('user@ext'));
    const info = await oidc.fetchUserInfo(ext.config, ext.tokens!.access_token, 'user@ext');
    expect(info.preferred_username).toBe('user@ext');
    expect(info).not.toHaveProperty('username');
  });
});

describe('registered redirect URIs', () => {
  it('keeps the query a registered redirect URI already has, byte for byte', async () => {
    const issuer = await Issuer.discover(h.issuer);
    const client = new issuer.Client({
      client_id: CLIENTS.other.id,
      client_secret: CLIENTS.other.secret,
      redirect_uris: [CLIENTS.other.redirectUri],
      token_endpoint_auth_method: 'client_secret_post',
    });
    const url = client.authorizationUrl({ scope: 'openid', state: 'st', redirect_uri: CLIENTS.other.redirectUri });
    const flow = await h.browser('zhangsan').follow(url, 'http://localhost:4000/');
    expect(flow.finalUrl).toMatch(/^http:\/\/localhost:4000\/cb\?tenant=a%20b&code=[A-Za-z0-9_-]{43}&state=st$/);
    const tokenSet = await client.callback(CLIENTS.other.redirectUri, client.callbackParams(flow.finalUrl), {
      state: 'st',
    });
    expect(tokenSet.claims().sub).toBe('zhangsan');
  });
});

describe('members who may not sign in', () => {
  it.each([
    ['wangwu', 'disabled', '您的账号已被禁用'],
    ['sunqi', 'not activated', '您的账号尚未激活'],
    ['zhaoliu', 'departed', '找不到您的账号'],
    ['outsider', 'not a member', '仅限企业成员登录'],
  ])(
    '%s (%s) gets a page saying why, whose link carries access_denied to the relying party',
    async (user, _kind, title) => {
      for (const ua of [USER_AGENTS.desktop, USER_AGENTS.wecom]) {
        const login = await nocobaseLogin(h, h.browser(user, ua));
        expect(login.flow.response?.status).toBe(403);
        expect(heading(login.flow.body!)).toBe(title);
        expect(login.flow.finalUrl.startsWith(CLIENTS.nocobase.redirectUri)).toBe(false);
        const back = new URL(linkNamed(login.flow.body!, '返回应用'));
        expect(back.href.startsWith(CLIENTS.nocobase.redirectUri)).toBe(true);
        const params = Object.fromEntries(back.searchParams);
        expect(params).toMatchObject({ error: 'access_denied', state: nocobaseState() });
        expect(params.error_description).toMatch(/^[\x20-\x7E]+$/);
        expect(params).not.toHaveProperty('code');
      }
    },
  );
});
