/**
 * The simulator's login pages check their parameters like WeCom (error page, never a redirect),
 * pick the member (query, header, default, picker) and redirect like WeCom.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeComSimulator, type WeComSimulator } from '../../sim/server.js';
import { AGENT_ID, CORP_ID, simClient } from './sim-client.js';

let sim: WeComSimulator;
const { get, token } = simClient(() => sim);

beforeAll(async () => {
  sim = await startWeComSimulator({ trustedDomains: ['127.0.0.1:9'] });
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

const CALLBACK = 'http://127.0.0.1:9/wecom/callback?keep=1#frag';

function oauthUrl(params: Record<string, string | undefined> = {}): string {
  const defaults = {
    appid: CORP_ID,
    redirect_uri: CALLBACK,
    response_type: 'code',
    scope: 'snsapi_privateinfo',
    state: 'abcXYZ123',
    agentid: AGENT_ID,
  };
  const query = new URLSearchParams(
    Object.entries({ ...defaults, ...params }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return `${sim.url}/connect/oauth2/authorize?${query}`;
}

function ssoUrl(params: Record<string, string | undefined> = {}, path = '/wwlogin/sso/login'): string {
  const defaults = {
    login_type: path === '/wwlogin/sso/login' ? 'CorpApp' : undefined,
    appid: CORP_ID,
    agentid: AGENT_ID,
    redirect_uri: CALLBACK,
    state: 's1',
  };
  const query = new URLSearchParams(
    Object.entries({ ...defaults, ...params }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return `${sim.url}${path}?${query}`;
}

async function open(url: string, user?: string): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers: user ? { 'x-sim-user': user } : {} });
}

async function expectErrorPage(response: Response, text: string): Promise<void> {
  expect(response.status).toBe(200);
  expect(response.headers.get('location')).toBeNull();
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  const html = await response.text();
  expect(html).toContain('出错了');
  expect(html).toContain(text);
}

describe('redirect shape', () => {
  it('appends code and state to the existing query and drops the fragment', async () => {
    const response = await open(oauthUrl(), 'zhangsan');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toMatch(
      /^http:\/\/127\.0\.0\.1:9\/wecom\/callback\?keep=1&code=[A-Za-z0-9_-]{32}&state=abcXYZ123$/,
    );
  });

  it('uses "?" when the redirect_uri has no query, and echoes an empty state as "state="', async () => {
    const response = await open(oauthUrl({ redirect_uri: 'http://127.0.0.1:9/cb', state: '' }), 'zhangsan');
    expect(response.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:9\/cb\?code=[A-Za-z0-9_-]{32}&state=$/);
  });

  it('mints a new code on every login', async () => {
    const codes = new Set<string>();
    for (let i = 0; i < 3; i += 1)
      codes.add(new URL((await open(ssoUrl(), 'lisi')).headers.get('location')!).searchParams.get('code')!);
    expect(codes.size).toBe(3);
  });

  it('serves web login and legacy QR the same way', async () => {
    for (const url of [ssoUrl(), ssoUrl({ lang: 'en' }), ssoUrl({}, '/wwopen/sso/qrConnect')]) {
      const response = await open(url, 'lisi');
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toMatch(/\?keep=1&code=[A-Za-z0-9_-]{32}&state=s1$/);
    }
  });
});

describe('validation', () => {
  it.each([
    [{ appid: 'wrong' }, 'invalid appid'],
    [{ agentid: '42' }, '无效的agentid参数'],
    [{ agentid: undefined }, 'invalid agentid'],
    [{ response_type: 'token' }, 'invalid response_type'],
    [{ scope: 'snsapi_login' }, 'invalid scope'],
    [{ redirect_uri: undefined }, 'invalid redirect_uri'],
    [{ redirect_uri: '/relative/cb' }, 'invalid redirect_uri'],
    [{ redirect_uri: 'ftp://127.0.0.1:9/cb' }, 'invalid redirect_uri'],
    [{ redirect_uri: 'http://evil.example/cb' }, 'redirect_uri需使用应用可信域名'],
    [{ redirect_uri: 'http://127.0.0.1:10/cb' }, 'trusted domain'],
    [{ state: undefined }, 'invalid state'],
    [{ state: 'not-alnum' }, 'invalid state'],
    [{ state: 'a'.repeat(129) }, 'invalid state'],
  ])('in-client OAuth with %o shows an error page naming the problem', async (params, text) => {
    await expectErrorPage(await open(oauthUrl(params), 'zhangsan'), text);
  });

  it('lets in-client snsapi_base omit the agentid, and treats snsapi_userinfo as base', async () => {
    expect((await open(oauthUrl({ scope: 'snsapi_base', agentid: undefined }), 'zhangsan')).status).toBe(302);
    expect((await open(oauthUrl({ scope: 'snsapi_userinfo', agentid: undefined }), 'zhangsan')).status).toBe(302);
    await expectErrorPage(await open(oauthUrl({ scope: 'snsapi_base', agentid: '1' }), 'zhangsan'), 'invalid agentid');
  });

  it.each([
    [{ login_type: 'ServiceApp' }, 'invalid login_type'],
    [{ login_type: undefined }, 'invalid login_type'],
    [{ agentid: undefined }, 'invalid agentid'],
    [{ appid: 'wwother' }, 'invalid appid'],
    [{ redirect_uri: 'https://evil.example/cb' }, 'redirect_uri需使用应用可信域名'],
  ])('web login with %o shows an error page', async (params, text) => {
    await expectErrorPage(await open(ssoUrl(params), 'lisi'), text);
  });

  it('needs an agentid on the legacy QR page but no login_type', async () => {
    await expectErrorPage(
      await open(ssoUrl({ agentid: undefined }, '/wwopen/sso/qrConnect'), 'lisi'),
      'invalid agentid',
    );
  });

  it('accepts any redirect host when no trusted domain is configured', async () => {
    sim.state.setConfig({ trustedDomains: [] });
    expect(
      (await open(oauthUrl({ redirect_uri: 'https://anywhere.example:8443/cb' }), 'zhangsan')).headers.get('location'),
    ).toMatch(/^https:\/\/anywhere\.example:8443\/cb\?code=/);
  });
});

describe('choosing the member', () => {
  it('shows a picker linking the same URL plus sim_user, and a deny link', async () => {
    const response = await open(oauthUrl({ scope: 'snsapi_base' }));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('sim_user=zhangsan');
    expect(html).toContain('sim_user=user%40ext');
    expect(html).toContain('sim_action=deny');
    expect(html).not.toContain('sim_consent=0');
    const href = /href="([^"]*sim_user=lisi)"/.exec(html)![1]!.replace(/&#38;/g, '&');
    const picked = await open(new URL(href, sim.url).toString());
    expect(picked.headers.get('location')).toMatch(/\?keep=1&code=.+&state=abcXYZ123$/);
  });

  it('offers to decline sharing on the privateinfo picker', async () => {
    const html = await (await open(oauthUrl())).text();
    expect(html).toContain('sim_user=zhangsan&#38;sim_consent=0');
  });

  it('takes the member from sim_user before x-sim-user, then defaultUser', async () => {
    const userOf = async (response: Response) => {
      const code = new URL(response.headers.get('location')!).searchParams.get('code')!;
      return (await get(`/cgi-bin/auth/getuserinfo?access_token=${await token()}&code=${code}`)).userid;
    };
    expect(await userOf(await open(`${ssoUrl()}&sim_user=lisi`, 'zhangsan'))).toBe('lisi');
    expect(await userOf(await open(ssoUrl(), 'zhangsan'))).toBe('zhangsan');
    sim.state.setConfig({ defaultUser: 'Li.Na-01' });
    expect(await userOf(await open(ssoUrl()))).toBe('Li.Na-01');
  });

  it('shows an error page for an unknown member', async () => {
    await expectErrorPage(await open(`${ssoUrl()}&sim_user=ghost`), 'unknown member: ghost');
  });

  it('redirects with the state only when the member denies', async () => {
    const response = await open(`${oauthUrl()}&sim_action=deny`);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('http://127.0.0.1:9/wecom/callback?keep=1&state=abcXYZ123');
    const web = await open(`${ssoUrl({ state: '' })}&sim_action=deny`, 'lisi');
    expect(web.headers.get('location')).toBe('http://127.0.0.1:9/wecom/callback?keep=1&state=');
  });

  it('keeps a member outside the visible range on "成员不在可见范围" for in-client privateinfo only', async () => {
    await expectErrorPage(await open(oauthUrl(), 'hidden'), '成员不在可见范围');
    expect((await open(oauthUrl({ scope: 'snsapi_base' }), 'hidden')).status).toBe(302);
    expect((await open(ssoUrl(), 'hidden')).status).toBe(302);
  });

  it('still validates before denying', async () => {
    await expectErrorPage(await open(`${oauthUrl({ appid: 'x' })}&sim_action=deny`), 'invalid appid');
  });
});
