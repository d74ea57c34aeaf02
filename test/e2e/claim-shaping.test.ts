/**
 * SUB_FORMAT and USERNAME_FROM through real logins: the same sub in the ID token and at userinfo,
 * and id_token_hint compared as a subject (never as a bare userid).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_AGENTS } from '../helpers/browser.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { nocobaseLogin } from '../helpers/rp.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ env: { SUB_FORMAT: 'corpid:userid', USERNAME_FROM: 'mobile' } });
});

afterAll(async () => {
  await h.close();
});

describe('SUB_FORMAT=corpid:userid', () => {
  it('is the sub of the ID token and of userinfo', async () => {
    const login = await nocobaseLogin(h, h.browser('zhangsan', USER_AGENTS.wecom), 'openid profile phone');
    expect(login.tokenSet!.claims().sub).toBe('ww5imulat0rc0rp1d:zhangsan');
    const info = await login.client.userinfo(login.tokenSet!.access_token!);
    expect(info).toMatchObject({
      sub: 'ww5imulat0rc0rp1d:zhangsan',
      preferred_username: 'zhangsan',
      username: '13800138000',
    });
  });

  it('answers prompt=none with an id_token_hint from the session when the subjects match, and only then', async () => {
    const browser = h.browser('zhangsan');
    const first = await nocobaseLogin(h, browser, 'openid');
    const hint = first.tokenSet!.id_token!;
    const silent = first.client.authorizationUrl({
      scope: 'openid',
      state: 's1',
      prompt: 'none',
      id_token_hint: hint,
      redirect_uri: CLIENTS.nocobase.redirectUri,
    });
    const ok = await browser.follow(silent, CLIENTS.nocobase.redirectUri);
    expect(ok.finalUrl).toMatch(/\?code=[^&]+&state=s1$/);
    const tokens = await first.client.callback(CLIENTS.nocobase.redirectUri, first.client.callbackParams(ok.finalUrl), {
      state: 's1',
    });
    expect(tokens.claims().sub).toBe('ww5imulat0rc0rp1d:zhangsan');

    // Another member's hint never yields tokens for the member of this session.
    const other = await nocobaseLogin(h, h.browser('lisi'), 'openid');
    const foreign = first.client.authorizationUrl({
      scope: 'openid',
      state: 's2',
      prompt: 'none',
      id_token_hint: other.tokenSet!.id_token!,
      redirect_uri: CLIENTS.nocobase.redirectUri,
    });
    const refused = await browser.follow(foreign, CLIENTS.nocobase.redirectUri);
    expect(Object.fromEntries(new URL(refused.finalUrl).searchParams)).toMatchObject({
      error: 'login_required',
      state: 's2',
    });
  });

  it('a hint naming the right member but a login as another member ends without tokens', async () => {
    const owner = await nocobaseLogin(h, h.browser('zhangsan'), 'openid');
    const url = owner.client.authorizationUrl({
      scope: 'openid',
      state: 's3',
      id_token_hint: owner.tokenSet!.id_token!,
      redirect_uri: CLIENTS.nocobase.redirectUri,
    });
    const flow = await h.browser('lisi').follow(url, CLIENTS.nocobase.redirectUri);
    expect(flow.response!.status).toBe(400);
    expect(flow.body).toContain('hint_user_mismatch');
  });
});
