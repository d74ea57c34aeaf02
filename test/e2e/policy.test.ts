/**
 * The access policy (WECOM_ALLOWED_USERS, WECOM_ALLOWED_DEPARTMENTS with sub-departments) on login
 * and through the one exported check a refresh re-check calls; groups and group_names.
 *
 * Fixture tree: 1 总公司 > 2 研发部 > 3 前端组; 1 > 4 销售部 > 5 华南销售.
 * zhangsan [2,3], lisi [4], Li.Na-01 [3], user@ext [4], hidden [5] (not visible).
 */

import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeError } from '../../src/errors/bridge-error.js';
import { assertMemberAllowed } from '../../src/wecom/policy.js';
import { USER_AGENTS } from '../helpers/browser.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { heading, linkNamed } from '../helpers/html.js';
import { modernLogin, nocobaseLogin, nocobaseState } from '../helpers/rp.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ env: { WECOM_ALLOWED_USERS: 'LISI', WECOM_ALLOWED_DEPARTMENTS: '2', GROUP_NAMES: 'true' } });
});

afterAll(async () => {
  await h.close();
});

async function refusal(error: Promise<unknown>): Promise<BridgeError> {
  const caught = await error.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(caught).toBeInstanceOf(BridgeError);
  return caught as BridgeError;
}

describe('access policy on login', () => {
  it('admits members of an allowed department and of its sub-departments', async () => {
    for (const user of ['zhangsan', 'Li.Na-01']) {
      const login = await nocobaseLogin(h, h.browser(user));
      expect(login.tokenSet?.claims().sub).toBe(user);
    }
  });

  it('admits an allowed user outside the departments (userids compared case-insensitively)', async () => {
    const login = await nocobaseLogin(h, h.browser('lisi', USER_AGENTS.wecom));
    expect(login.tokenSet?.claims().sub).toBe('lisi');
  });

  it('refuses everyone else with a clear page whose link carries access_denied to the relying party', async () => {
    const login = await nocobaseLogin(h, h.browser('user@ext'));
    expect(login.flow.response!.status).toBe(403);
    const body = login.flow.body!;
    expect(heading(body)).toBe('您无权使用此应用');
    expect(body).toContain('WECOM_ALLOWED_USERS');
    expect(body).toMatch(/请求编号: <code>[A-Za-z0-9._-]+<\/code>/);
    const back = new URL(linkNamed(body, '返回应用'));
    expect(back.origin + back.pathname).toBe(CLIENTS.nocobase.redirectUri);
    expect(Object.fromEntries(back.searchParams)).toMatchObject({ error: 'access_denied', state: nocobaseState() });
    expect(linkNamed(body, '重新登录')).toBe('http://127.0.0.1:13000/');
  });

  it('shows the page in English for ui_locales=en or Accept-Language', async () => {
    const browser = h.browser('user@ext');
    const login = await nocobaseLogin(h, browser, 'openid profile');
    expect(heading(login.flow.body!)).toBe('您无权使用此应用');
    const english = h.browser('user@ext');
    const client = login.client;
    const url = client.authorizationUrl({
      scope: 'openid',
      state: 's',
      redirect_uri: CLIENTS.nocobase.redirectUri,
      ui_locales: 'en-US zh-CN',
    });
    const flow = await english.follow(url, CLIENTS.nocobase.redirectUri);
    expect(heading(flow.body!)).toBe('No access to this application');
    expect(flow.body).toContain('<html lang="en">');
  });

  it('resolves sub-departments once through department/list and caches them in the store', async () => {
    await h.bridge.context.store.delete('departments:ww5imulat0rc0rp1d:tree:2');
    const before = h.sim.state.calls.departmentList + h.sim.state.calls.departmentSimplelist;
    await nocobaseLogin(h, h.browser('user@ext'));
    await nocobaseLogin(h, h.browser('user@ext'));
    // One call for the tree, one for the names (GROUP_NAMES); none for the second login.
    expect(h.sim.state.calls.departmentList + h.sim.state.calls.departmentSimplelist - before).toBeLessThanOrEqual(2);
    expect(await h.bridge.context.store.get('departments:ww5imulat0rc0rp1d:tree:2')).toEqual([
      { id: 2, name: '研发部' },
      { id: 3, name: '前端组' },
    ]);
  });
});

describe('the policy on refresh', () => {
  it('a refresh re-checks the member: moved out of the allowed tree or disabled → invalid_grant', async () => {
    const context = h.bridge.context;
    await expect(assertMemberAllowed(context, { userid: 'lisi', departments: [] })).resolves.toBeUndefined();
    const denied = await refusal(assertMemberAllowed(context, { userid: 'user@ext', departments: [4] }));
    expect({ code: denied.code, reason: denied.reason }).toEqual({ code: 'access_denied', reason: 'policy_denied' });
    try {
      for (const [user, change] of [
        ['Li.Na-01', { userid: 'Li.Na-01', name: '李娜', department: [5], status: 1 }],
        ['zhangsan', { userid: 'zhangsan', name: '张三', department: [2, 3], status: 2 }],
      ] as const) {
        const login = await modernLogin(h, h.browser(user), { scope: 'openid profile offline_access' });
        const refreshToken = login.tokens!.refresh_token!;
        // Still admitted: the refresh works and rotates the token.
        const refreshed = await oidc.refreshTokenGrant(login.config, refreshToken);
        expect(refreshed.refresh_token).not.toBe(refreshToken);
        h.sim.state.upsertMember(change);
        const refused = await oidc.refreshTokenGrant(login.config, refreshed.refresh_token!).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(refused).toMatchObject({ error: 'invalid_grant' });
      }
    } finally {
      h.sim.state.reset();
    }
  });

  it('treats an allowed department WeCom does not know as admitting nobody, without breaking logins', async () => {
    const h2 = await startHarness({ env: { WECOM_ALLOWED_DEPARTMENTS: '99,4' } });
    try {
      const ok = await nocobaseLogin(h2, h2.browser('user@ext'));
      expect(ok.tokenSet?.claims().sub).toBe('user@ext');
      const refused = await nocobaseLogin(h2, h2.browser('zhangsan'));
      expect(refused.flow.response!.status).toBe(403);
    } finally {
      await h2.close();
    }
  });
});

describe('groups', () => {
  it('emits department ids as strings, and with GROUP_NAMES their names', async () => {
    const login = await nocobaseLogin(h, h.browser('zhangsan'), 'openid profile');
    const info = await login.client.userinfo(login.tokenSet!.access_token!);
    expect(info.groups).toEqual(['2', '3']);
    expect(info.group_names).toEqual(['研发部', '前端组']);
  });

  it('keeps group_names after a refresh (the re-check reads the names again)', async () => {
    const login = await modernLogin(h, h.browser('zhangsan'), { scope: 'openid profile offline_access' });
    const refreshed = await oidc.refreshTokenGrant(login.config, login.tokens!.refresh_token!);
    const info = await oidc.fetchUserInfo(login.config, refreshed.access_token, 'zhangsan');
    expect(info.groups).toEqual(['2', '3']);
    expect(info.group_names).toEqual(['研发部', '前端组']);
  });
});
