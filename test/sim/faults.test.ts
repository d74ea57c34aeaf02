/**
 * Queued faults (errcodes, HTTP errors with non-JSON bodies, hangs), latency and the call counters.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeComSimulator, type WeComSimulator } from '../../sim/server.js';
import { CORP_ID, errmsgPattern, SECRET, simClient } from './sim-client.js';

let sim: WeComSimulator;
const { get, token } = simClient(() => sim);

beforeAll(async () => {
  sim = await startWeComSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

const userGet = async (t: string) => get(`/cgi-bin/user/get?access_token=${t}&userid=zhangsan`);

describe('faults', () => {
  it('plays an errcode once by default, then behaves again', async () => {
    const t = await token();
    sim.state.addFault({ api: 'userget', errcode: -1 });
    const busy = await userGet(t);
    expect(busy.errcode).toBe(-1);
    expect(busy.errmsg).toMatch(errmsgPattern(-1));
    expect((await userGet(t)).errcode).toBe(0);
  });

  it('consumes faults in order, `times` calls each, only by matching APIs', async () => {
    const t = await token();
    sim.state.addFault({ api: 'userget', errcode: 45033, times: 2 });
    sim.state.addFault({ api: 'userget', errcode: -1 });
    expect((await get(`/cgi-bin/department/list?access_token=${t}`)).errcode).toBe(0);
    expect([
      (await userGet(t)).errcode,
      (await userGet(t)).errcode,
      (await userGet(t)).errcode,
      (await userGet(t)).errcode,
    ]).toEqual([45033, 45033, -1, 0]);
  });

  it('targets both department lists with `department` and any API with `*`', async () => {
    sim.state.addFault({ api: 'department', errcode: 60123, times: 2 });
    const t = await token();
    expect((await get(`/cgi-bin/department/list?access_token=${t}`)).errcode).toBe(60123);
    expect((await get(`/cgi-bin/department/simplelist?access_token=${t}`)).errcode).toBe(60123);
    sim.state.addFault({ api: '*', errcode: 45009 });
    expect((await get(`/cgi-bin/gettoken?corpid=${CORP_ID}&corpsecret=${SECRET}`)).errcode).toBe(45009);
    expect(sim.state.pendingFaults()).toBe(0);
  });

  it('answers an HTTP status with a non-JSON body', async () => {
    const t = await token();
    sim.state.addFault({ api: 'getuserinfo', status: 502 });
    const response = await fetch(`${sim.url}/cgi-bin/auth/getuserinfo?access_token=${t}&code=x`);
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await response.text();
    expect(body).toContain('502');
    expect(() => JSON.parse(body) as unknown).toThrow();
  });

  it('hangs before answering normally, long enough for a client timeout', async () => {
    const t = await token();
    sim.state.addFault({ api: 'userget', hangMs: 300 });
    const started = performance.now();
    const timedOut = await fetch(`${sim.url}/cgi-bin/user/get?access_token=${t}&userid=zhangsan`, {
      signal: AbortSignal.timeout(100),
    }).catch((e: unknown) => e);
    expect((timedOut as Error).name).toBe('TimeoutError');
    sim.state.addFault({ api: 'userget', hangMs: 150 });
    const answer = await userGet(t);
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    expect(answer.errcode).toBe(0);
  });

  it('clears queued faults', async () => {
    sim.state.addFault({ api: '*', errcode: -1, times: 5 });
    sim.state.clearFaults();
    expect((await get(`/cgi-bin/gettoken?corpid=${CORP_ID}&corpsecret=${SECRET}`)).errcode).toBe(0);
  });
});

describe('latency', () => {
  it('delays every /cgi-bin answer by latencyMs', async () => {
    sim.state.setConfig({ latencyMs: 120 });
    for (const path of [`/cgi-bin/gettoken?corpid=${CORP_ID}&corpsecret=${SECRET}`, '/cgi-bin/no/such/api']) {
      const started = performance.now();
      await get(path);
      expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    }
  });

  it('does not delay the login pages or the control API', async () => {
    sim.state.setConfig({ latencyMs: 1000 });
    const started = performance.now();
    await fetch(`${sim.url}/_sim/stats`);
    await fetch(`${sim.url}/wwlogin/sso/login`);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('closing', () => {
  it('closes promptly although a call is hanging', async () => {
    const own = await startWeComSimulator();
    own.state.addFault({ api: 'gettoken', hangMs: 20_000 });
    const pending = fetch(`${own.url}/cgi-bin/gettoken`).then(
      (r) => r.status,
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(2000);
    expect([200, 'failed']).toContain(await pending);
  });
});

describe('statistics', () => {
  it('counts calls per API and tokens issued, and resets them', async () => {
    const t = await token();
    await token();
    await get(`/cgi-bin/auth/getuserinfo?access_token=${t}&code=x`);
    await fetch(`${sim.url}/cgi-bin/auth/getuserdetail?access_token=${t}`, { method: 'POST', body: '{}' });
    await userGet(t);
    await get(`/cgi-bin/department/list?access_token=${t}`);
    const stats = await fetch(`${sim.url}/_sim/stats`).then(async (r) => (await r.json()) as unknown);
    expect(stats).toEqual({
      calls: { gettoken: 2, getuserinfo: 1, getuserdetail: 1, userget: 1, departmentList: 1, departmentSimplelist: 0 },
      tokensIssued: 1,
    });
    sim.state.reset();
    expect(sim.state.stats()).toEqual({
      calls: { gettoken: 0, getuserinfo: 0, getuserdetail: 0, userget: 0, departmentList: 0, departmentSimplelist: 0 },
      tokensIssued: 0,
    });
  });
});
