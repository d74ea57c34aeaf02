/**
 * The simulator answers like WeCom: error order, JSON shapes, token rules, code and ticket rules.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeComSimulator, type WeComSimulator } from '../../sim/server.js';

let sim: WeComSimulator;

const toJson = async (response: Response) => (await response.json()) as Record<string, unknown>;

beforeAll(async () => {
  sim = await startWeComSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

async function get(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${sim.url}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function token(): Promise<string> {
  return (await get('/cgi-bin/gettoken?corpid=ww5imulat0rc0rp1d&corpsecret=sim-secret-0123456789')).access_token as string;
}

/** Logs `user` in through a page and returns the code from the redirect. */
async function code(user: string, page = 'oauth', scope = 'snsapi_privateinfo'): Promise<string> {
  const redirect = encodeURIComponent('http://127.0.0.1:9/wecom/callback');
  const url =
    page === 'oauth'
      ? `/connect/oauth2/authorize?appid=ww5imulat0rc0rp1d&redirect_uri=${redirect}&response_type=code&scope=${scope}&state=s1&agentid=1000002`
      : `/wwlogin/sso/login?login_type=CorpApp&appid=ww5imulat0rc0rp1d&agentid=1000002&redirect_uri=${redirect}&state=s1`;
  const response = await fetch(`${sim.url}${url}`, { headers: { 'x-sim-user': user }, redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location')!).searchParams.get('code')!;
}

describe('gettoken', () => {
  it('checks parameters in WeCom order and reuses a valid token', async () => {
    expect((await get('/cgi-bin/gettoken')).errcode).toBe(41002);
    expect((await get('/cgi-bin/gettoken?corpid=x')).errcode).toBe(41004);
    expect((await get('/cgi-bin/gettoken?corpid=x&corpsecret=y')).errcode).toBe(40013);
    const wrong = await get('/cgi-bin/gettoken?corpid=ww5imulat0rc0rp1d&corpsecret=y');
    expect(wrong.errcode).toBe(40001);
    expect(wrong.errmsg).toMatch(/^invalid credential, hint: \[\d+_[0-9a-f]+\], from ip: 127\.0\.0\.1, more info at https:\/\/open\.work\.weixin\.qq\.com\/devtool\/query\?e=40001$/);
    const ok = await get('/cgi-bin/gettoken?corpid=ww5imulat0rc0rp1d&corpsecret=sim-secret-0123456789');
    expect(ok).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    expect(await token()).toBe(ok.access_token);
    expect(sim.state.calls.gettoken).toBe(6);
    expect(sim.state.tokensIssued).toBe(1);
  });
});

describe('access token rules', () => {
  it('reads the token from the query only, and rejects unknown, expired and invalidated tokens', async () => {
    const t = await token();
    const viaBody = await fetch(`${sim.url}/cgi-bin/auth/getuserdetail`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: t, user_ticket: 'x' }),
    }).then(toJson);
    expect(viaBody.errcode).toBe(41001);
    expect((await get('/cgi-bin/user/get?access_token=nope&userid=zhangsan')).errcode).toBe(40014);
    sim.state.expireTokens();
    expect((await get(`/cgi-bin/user/get?access_token=${t}&userid=zhangsan`)).errcode).toBe(42001);
    const fresh = await token();
    expect(fresh).not.toBe(t);
    sim.state.invalidateTokens();
    expect((await get(`/cgi-bin/user/get?access_token=${fresh}&userid=zhangsan`)).errcode).toBe(40014);
  });

  it('expires tokens by the simulated clock', async () => {
    const t = await token();
    sim.state.advance(7201);
    expect((await get(`/cgi-bin/user/get?access_token=${t}&userid=zhangsan`)).errcode).toBe(42001);
  });

  it('enforces trusted IPs on data APIs but not on gettoken', async () => {
    sim.state.setConfig({ trustedIps: ['203.0.113.1'] });
    const t = await token();
    const answer = await get(`/cgi-bin/user/get?access_token=${t}&userid=zhangsan`);
    expect(answer.errcode).toBe(60020);
    expect(answer.errmsg).toContain('from ip: 127.0.0.1');
  });
});

describe('auth/getuserinfo', () => {
  it('answers members with lowercase keys and a ticket only for in-client privateinfo', async () => {
    const t = await token();
    const inClient = await get(`/cgi-bin/auth/getuserinfo?access_token=${t}&code=${await code('zhangsan')}`);
    expect(Object.keys(inClient).sort()).toEqual(['errcode', 'errmsg', 'user_ticket', 'userid']);
    const base = await get(`/cgi-bin/auth/getuserinfo?access_token=${t}&code=${await code('zhangsan', 'oauth', 'snsapi_base')}`);
    expect(base).toEqual({ errcode: 0, errmsg: 'ok', userid: 'zhangsan' });
    const web = await get(`/cgi-bin/auth/getuserinfo?access_token=${t}&code=${await code('zhangsan', 'web')}`);
    expect(web).toEqual({ errcode: 0, errmsg: 'ok', userid: 'zhangsan' });
  });

  it('answers non-members with openid, and burns codes (reuse, expiry → 40029)', async () => {
    const t = await token();
    const outsider = await get(`/cgi-bin/auth/getuserinfo?access_token=${t}&code=${await code('outsider', 'web')}`);
    expect(outsider.openid).toMatch(/^o/);
    expect(outsider).not.toHaveProperty('userid');
    const c = await code('lisi', 'web');
    expect((await get(`/cgi-bin/auth/getuserinfo?access_token=${t}&code=${c}`)).userid).toBe('lisi');
    expect((await get(`/cgi-bin/auth/getuserinfo?access_token=${t}&code=${c}`)).errcode).toBe(40029);
    const old = await code('lisi', 'web');
    sim.state.advance(301);
    const t2 = await token();
    expect((await get(`/cgi-bin/auth/getuserinfo?access_token=${t2}&code=${old}`)).errcode).toBe(40029);
    expect((await get(`/cgi-bin/auth/getuserinfo?access_token=${t2}`)).errcode).toBe(41008);
  });

  it('answers 50001 when the code was minted for an untrusted redirect host', async () => {
    const c = await code('zhangsan', 'web');
    sim.state.setConfig({ trustedDomains: ['sso.example.com'] });
    expect((await get(`/cgi-bin/auth/getuserinfo?access_token=${await token()}&code=${c}`)).errcode).toBe(50001);
  });
});

describe('auth/getuserdetail', () => {
  it('returns the consented fields, never a name, and checks the ticket', async () => {
    const t = await token();
    const info = await get(`/cgi-bin/auth/getuserinfo?access_token=${t}&code=${await code('zhangsan')}`);
    const post = (body: object) =>
      fetch(`${sim.url}/cgi-bin/auth/getuserdetail?access_token=${t}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(toJson);
    const detail = await post({ user_ticket: info.user_ticket });
    expect(detail).toMatchObject({ errcode: 0, userid: 'zhangsan', mobile: '13800138000', biz_mail: 'zhangsan@corp.example', gender: '1' });
    expect(detail).not.toHaveProperty('name');
    expect((await post({})).errcode).toBe(84090);
    expect((await post({ user_ticket: 'unknown' })).errcode).toBe(84015);
    sim.state.advance(1801);
    expect((await post({ user_ticket: info.user_ticket })).errcode).toBe(84014);
  });
});

describe('user/get', () => {
  it('answers members, hides restricted keys on post-2022 apps, and refuses the others', async () => {
    const t = await token();
    const member = await get(`/cgi-bin/user/get?access_token=${t}&userid=ZhangSan`);
    expect(member).toMatchObject({ errcode: 0, userid: 'zhangsan', name: '张三', department: [2, 3], status: 1, enable: 1, hide_mobile: 0, isleader: 0 });
    expect(member).not.toHaveProperty('mobile');
    sim.state.setConfig({ appCreatedAfter2022: false });
    expect(await get(`/cgi-bin/user/get?access_token=${t}&userid=zhangsan`)).toMatchObject({ mobile: '13800138000', biz_mail: 'zhangsan@corp.example' });
    expect((await get(`/cgi-bin/user/get?access_token=${t}&userid=wangwu`)).status).toBe(2);
    expect((await get(`/cgi-bin/user/get?access_token=${t}&userid=zhaoliu`)).errcode).toBe(60111);
    expect((await get(`/cgi-bin/user/get?access_token=${t}&userid=nobody`)).errcode).toBe(60111);
    expect((await get(`/cgi-bin/user/get?access_token=${t}&userid=hidden`)).errcode).toBe(60011);
    expect((await get(`/cgi-bin/user/get?access_token=${t}&userid=`)).errcode).toBe(40003);
  });
});

describe('departments', () => {
  it('lists a subtree, with names on department/list', async () => {
    const t = await token();
    const simple = await get(`/cgi-bin/department/simplelist?access_token=${t}&id=4`);
    expect(simple.department_id).toEqual([
      { id: 4, parentid: 1, order: 70 },
      { id: 5, parentid: 4, order: 60 },
    ]);
    const list = (await get(`/cgi-bin/department/list?access_token=${t}`)).department as { name: string }[];
    expect(list.map((d) => d.name)).toEqual(['总公司', '研发部', '前端组', '销售部', '华南销售']);
  });
});

describe('faults and latency', () => {
  it('plays queued errcodes, HTTP failures and hangs, then behaves again', async () => {
    const t = await token();
    sim.state.addFault({ api: 'userget', errcode: -1 });
    sim.state.addFault({ api: 'userget', status: 502 });
    expect((await get(`/cgi-bin/user/get?access_token=${t}&userid=zhangsan`)).errcode).toBe(-1);
    const failed = await fetch(`${sim.url}/cgi-bin/user/get?access_token=${t}&userid=zhangsan`);
    expect(failed.status).toBe(502);
    expect(failed.headers.get('content-type')).toMatch(/text\/html/);
    expect((await get(`/cgi-bin/user/get?access_token=${t}&userid=zhangsan`)).errcode).toBe(0);
    sim.state.addFault({ api: '*', hangMs: 150 });
    const started = performance.now();
    await get(`/cgi-bin/user/get?access_token=${t}&userid=zhangsan`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('answers wrong methods with 40058 and unknown APIs with 48001', async () => {
    expect((await fetch(`${sim.url}/cgi-bin/gettoken`, { method: 'POST' }).then(toJson)).errcode).toBe(40058);
    expect((await get('/cgi-bin/no/such/api')).errcode).toBe(48001);
  });

  it('counts calls and resets', async () => {
    const response = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api: 'gettoken', errcode: 45009 }) });
    expect(response.status).toBe(200);
    expect((await get('/cgi-bin/gettoken?corpid=ww5imulat0rc0rp1d&corpsecret=sim-secret-0123456789')).errcode).toBe(45009);
    expect(await fetch(`${sim.url}/_sim/stats`).then(toJson)).toEqual({
      calls: { gettoken: 1, getuserinfo: 0, getuserdetail: 0, userget: 0, department: 0 },
      tokensIssued: 0,
    });
  });
});
