/**
 * The simulator's login pages validate like WeCom and redirect like WeCom.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeComSimulator, type WeComSimulator } from '../../sim/server.js';

let sim: WeComSimulator;

const toJson = async (response: Response) => (await response.json()) as Record<string, unknown>;

beforeAll(async () => {
  sim = await startWeComSimulator({ trustedDomains: ['127.0.0.1:9'] });
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

const CALLBACK = 'http://127.0.0.1:9/wecom/callback?keep=1#frag';

function oauthUrl(params: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    appid: 'ww5imulat0rc0rp1d',
    redirect_uri: CALLBACK,
    response_type: 'code',
    scope: 'snsapi_privateinfo',
    state: 'abcXYZ123',
    agentid: '1000002',
    ...params,
  });
  return `${sim.url}/connect/oauth2/authorize?${query}`;
}

async function open(url: string, user?: string): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers: user ? { 'x-sim-user': user } : {} });
}

describe('login pages', () => {
  it('redirects with code and state appended to the existing query, dropping the fragment', async () => {
    const response = await open(oauthUrl(), 'zhangsan');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:9\/wecom\/callback\?keep=1&code=[A-Za-z0-9_-]+&state=abcXYZ123$/);
  });

  it('echoes an empty state as "state="', async () => {
    const response = await open(oauthUrl({ state: '' }), 'zhangsan');
    expect(response.headers.get('location')).toMatch(/&state=$/);
  });

  it.each([
    [{ appid: 'wrong' }, 'invalid appid'],
    [{ agentid: '42' }, 'invalid agentid'],
    [{ scope: 'snsapi_login' }, 'invalid scope'],
    [{ response_type: 'token' }, 'response_type'],
    [{ redirect_uri: 'http://evil.example/cb' }, 'trusted domain'],
    [{ state: 'not-alnum!' }, 'state'],
  ])('shows an error page and never redirects for %o', async (params, text) => {
    const response = await open(oauthUrl(params), 'zhangsan');
    expect(response.status).toBe(200);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain(text);
  });

  it('validates the web login page (login_type=CorpApp, agentid required)', async () => {
    const base = `${sim.url}/wwlogin/sso/login?appid=ww5imulat0rc0rp1d&redirect_uri=${encodeURIComponent(CALLBACK)}&state=s`;
    expect((await open(`${base}&login_type=CorpApp&agentid=1000002`, 'lisi')).status).toBe(302);
    expect(await (await open(`${base}&login_type=ServiceApp&agentid=1000002`, 'lisi')).text()).toContain('login_type');
    expect(await (await open(`${base}&login_type=CorpApp`, 'lisi')).text()).toContain('agentid');
  });

  it('shows a picker when no member is named, and a consent page after picking in-client', async () => {
    const picker = await (await open(oauthUrl())).text();
    expect(picker).toContain('sim_user=zhangsan');
    expect(picker).toContain('sim_action=deny');
    const consent = await open(`${oauthUrl()}&sim_user=zhangsan`);
    expect(consent.status).toBe(200);
    expect(await consent.text()).toContain('sim_consent=1');
    expect((await open(`${oauthUrl()}&sim_user=zhangsan&sim_consent=1`)).status).toBe(302);
  });

  it('redirects with the state only when the member cancels', async () => {
    const response = await open(`${oauthUrl()}&sim_action=deny`);
    expect(response.headers.get('location')).toBe('http://127.0.0.1:9/wecom/callback?keep=1&state=abcXYZ123');
  });

  it('refuses in-client consent for a member outside the visible range', async () => {
    const response = await open(oauthUrl(), 'hidden');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('成员不在可见范围');
  });

  it('uses defaultUser when configured', async () => {
    sim.state.setConfig({ defaultUser: 'lisi' });
    expect((await open(oauthUrl({ scope: 'snsapi_base' }))).status).toBe(302);
  });
});

describe('simulator CLI', () => {
  it.runIf(existsSync('dist/sim/main.js'))('starts, prints its URL and stops on SIGTERM', async () => {
    const child = execFile(process.execPath, ['dist/sim/main.js', '--port', '0', '--members', '3']);
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => resolve(String(chunk)));
      child.once('error', reject);
    });
    const url = /listening on (http:\/\/\S+)/.exec(line)![1]!;
    const answer = await fetch(`${url}/cgi-bin/gettoken?corpid=ww5imulat0rc0rp1d&corpsecret=sim-secret-0123456789`).then(toJson);
    expect(answer.errcode).toBe(0);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
