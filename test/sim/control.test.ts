/**
 * The test-control API over HTTP (`/_sim/*`): each route changes the simulator as documented and
 * refuses malformed bodies with HTTP 400.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeComSimulator, type WeComSimulator } from '../../sim/server.js';
import { CALLBACK, CORP_ID, type Json, SECRET, simClient } from './sim-client.js';

let sim: WeComSimulator;
const { get, token, loginCode, loginUrl } = simClient(() => sim);

beforeAll(async () => {
  sim = await startWeComSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${sim.url}/_sim${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Json };
}

describe('faults, tokens and clock', () => {
  it('queues and clears faults', async () => {
    expect(await control('POST', '/faults', { api: 'gettoken', errcode: 45009, times: 2 })).toEqual({
      status: 200,
      json: { ok: true, pending: 2 },
    });
    expect((await get(`/cgi-bin/gettoken?corpid=${CORP_ID}&corpsecret=${SECRET}`)).errcode).toBe(45009);
    expect(sim.state.pendingFaults()).toBe(1);
    expect((await control('DELETE', '/faults')).status).toBe(200);
    expect(sim.state.pendingFaults()).toBe(0);
    expect(await token()).toBeTruthy();
  });

  it.each([
    [{ errcode: 1 }, /api is required/],
    [{ api: 'nope', errcode: 1 }, /invalid api/],
    [{ api: 'userget' }, /needs errcode, hangMs or status/],
    [{ api: 'userget', status: 99 }, /invalid status/],
    [{ api: 'userget', errcode: 1, times: 0 }, /invalid times/],
    [{ api: 'userget', errcode: 1, typo: true }, /unknown field typo/],
  ])('refuses the fault %o', async (body, error) => {
    const answer = await control('POST', '/faults', body);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(error);
  });

  it('expires, invalidates and rotates tokens', async () => {
    const t = await token();
    await control('POST', '/token/expire');
    expect((await get(`/cgi-bin/user/get?access_token=${t}&userid=lisi`)).errcode).toBe(42001);
    const t2 = await token();
    await control('POST', '/token/invalidate');
    expect((await get(`/cgi-bin/user/get?access_token=${t2}&userid=lisi`)).errcode).toBe(40014);
    const t3 = await token();
    await control('POST', '/token/rotate');
    expect(await token()).not.toBe(t3);
  });

  it('advances the clock, so that codes expire', async () => {
    const code = await loginCode('lisi', 'sso');
    const before = sim.state.now();
    const answer = await control('POST', '/clock', { advanceSeconds: 301 });
    expect(answer.json.now as number).toBeGreaterThanOrEqual(before + 301_000);
    expect((await get(`/cgi-bin/auth/getuserinfo?access_token=${await token()}&code=${code}`)).errcode).toBe(40029);
    expect((await control('POST', '/clock', { advanceSeconds: -5 })).status).toBe(400);
  });
});

describe('configuration', () => {
  it('changes the mutable settings and never shows the secret', async () => {
    const answer = await control('PUT', '/config', {
      appCreatedAfter2022: false,
      trustedDomains: ['127.0.0.1:9'],
      defaultUser: 'lisi',
      tokenExpiresIn: 100,
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      appCreatedAfter2022: false,
      trustedDomains: ['127.0.0.1:9'],
      defaultUser: 'lisi',
      tokenExpiresIn: 100,
    });
    expect(answer.json).not.toHaveProperty('secret');
    expect((await get(`/cgi-bin/user/get?access_token=${await token()}&userid=zhangsan`)).mobile).toBe('13800138000');
    const login = await fetch(loginUrl('sso'), { redirect: 'manual' });
    expect(login.headers.get('location')).toMatch(new RegExp(`^${CALLBACK}\\?code=`));
    await control('PUT', '/config', { defaultUser: null });
    expect(sim.state.config.defaultUser).toBeUndefined();
  });

  it.each([[{ secret: 'x' }], [{ latencyMs: -1 }], [{ trustedIps: '127.0.0.1' }], [{ appCreatedAfter2022: 'no' }]])(
    'refuses %o',
    async (body) => {
      expect((await control('PUT', '/config', body)).status).toBe(400);
      expect(sim.state.config.secret).toBe('sim-secret-0123456789');
    },
  );

  it('resets everything to the options', async () => {
    await control('PUT', '/config', { appCreatedAfter2022: false });
    await control('DELETE', '/members/lisi');
    await token();
    expect(await control('POST', '/reset')).toEqual({ status: 200, json: { ok: true } });
    expect(sim.state.config.appCreatedAfter2022).toBe(true);
    expect(sim.state.findMember('lisi')).toBeDefined();
    expect((await control('GET', '/stats')).json).toMatchObject({ calls: { gettoken: 0 }, tokensIssued: 0 });
  });
});

describe('members', () => {
  it('disables a member between logins, keeping the stored userid spelling', async () => {
    const answer = await control('PUT', '/members/LI.NA-01', { status: 2 });
    expect(answer.json).toMatchObject({ userid: 'Li.Na-01', name: '李娜', status: 2 });
    expect(await get(`/cgi-bin/user/get?access_token=${await token()}&userid=Li.Na-01`)).toMatchObject({
      status: 2,
      enable: 0,
    });
  });

  it('adds a new member with defaults and deletes members', async () => {
    await control('PUT', '/members/newbie', { name: '新人', department: [3], mobile: '13100131000' });
    expect(await get(`/cgi-bin/user/get?access_token=${await token()}&userid=newbie`)).toMatchObject({
      name: '新人',
      status: 1,
      department: [3],
      main_department: 3,
    });
    expect((await control('DELETE', '/members/newbie')).status).toBe(200);
    expect((await get(`/cgi-bin/user/get?access_token=${await token()}&userid=newbie`)).errcode).toBe(60111);
    expect((await control('DELETE', '/members/newbie')).status).toBe(404);
  });

  it('refuses malformed member fields', async () => {
    expect((await control('PUT', '/members/lisi', { status: 3 })).status).toBe(400);
    expect((await control('PUT', '/members/lisi', { department: '4' })).status).toBe(400);
    expect(sim.state.findMember('lisi')?.status).toBe(1);
  });
});
