/**
 * The simulator's login APIs answer like WeCom: gettoken's check order and token reuse, the
 * access_token rules shared by every data API, getuserinfo's code rules and getuserdetail's tickets.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeComSimulator, type WeComSimulator } from '../../sim/server.js';
import { CORP_ID, errmsgPattern, SECRET, simClient } from './sim-client.js';

let sim: WeComSimulator;
const { get, post, token, loginCode, userInfo } = simClient(() => sim);

beforeAll(async () => {
  sim = await startWeComSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

describe('gettoken', () => {
  it('checks 41002 → 41004 → 40013 → 40001 with WeCom errmsgs', async () => {
    expect((await get('/cgi-bin/gettoken')).errcode).toBe(41002);
    expect((await get('/cgi-bin/gettoken?corpsecret=x')).errcode).toBe(41002);
    expect((await get('/cgi-bin/gettoken?corpid=x')).errcode).toBe(41004);
    expect((await get('/cgi-bin/gettoken?corpid=x&corpsecret=y')).errcode).toBe(40013);
    const wrong = await get(`/cgi-bin/gettoken?corpid=${CORP_ID}&corpsecret=y`);
    expect(wrong.errcode).toBe(40001);
    expect(wrong.errmsg).toMatch(errmsgPattern(40001));
    expect(wrong).not.toHaveProperty('access_token');
  });

  it('returns the same token while it is valid, a new one after it died, and counts calls', async () => {
    const first = await get(`/cgi-bin/gettoken?corpid=${CORP_ID}&corpsecret=${SECRET}`);
    expect(first).toEqual({
      errcode: 0,
      errmsg: 'ok',
      access_token: expect.stringMatching(/^[A-Za-z0-9_-]{1,512}$/),
      expires_in: 7200,
    });
    sim.state.advance(3600);
    // WeCom reports the full lifetime again for the reused token (notes §4).
    expect(await get(`/cgi-bin/gettoken?corpid=${CORP_ID}&corpsecret=${SECRET}`)).toEqual(first);
    sim.state.advance(3601);
    const second = await token();
    expect(second).not.toBe(first.access_token);
    expect(sim.state.stats()).toMatchObject({ calls: { gettoken: 3 }, tokensIssued: 2 });
  });

  it('can be made to hand out a new token while the old one stays valid', async () => {
    const old = await token();
    sim.state.rotateToken();
    const fresh = await token();
    expect(fresh).not.toBe(old);
    for (const t of [old, fresh])
      expect((await get(`/cgi-bin/user/get?access_token=${t}&userid=lisi`)).errcode).toBe(0);
    expect(await token()).toBe(fresh);
  });

  it('reports the configured expires_in', async () => {
    sim.state.setConfig({ tokenExpiresIn: 60 });
    const t = await get(`/cgi-bin/gettoken?corpid=${CORP_ID}&corpsecret=${SECRET}`);
    expect(t.expires_in).toBe(60);
    sim.state.advance(61);
    expect((await get(`/cgi-bin/user/get?access_token=${t.access_token as string}&userid=lisi`)).errcode).toBe(42001);
  });
});

describe('access_token and source IP on data APIs', () => {
  it('reads the token from the query only (41001 when it is in the body)', async () => {
    const answer = await post('/cgi-bin/auth/getuserdetail', { access_token: await token(), user_ticket: 'x' });
    expect(answer.errcode).toBe(41001);
    expect(answer.errmsg).toMatch(errmsgPattern(41001));
  });

  it('answers 40014 for unknown or invalidated tokens and 42001 for expired ones', async () => {
    expect((await get('/cgi-bin/user/get?access_token=nope&userid=zhangsan')).errcode).toBe(40014);
    const t = await token();
    sim.state.expireTokens();
    expect((await get(`/cgi-bin/user/get?access_token=${t}&userid=zhangsan`)).errcode).toBe(42001);
    const fresh = await token();
    expect(fresh).not.toBe(t);
    sim.state.invalidateTokens();
    expect((await get(`/cgi-bin/user/get?access_token=${fresh}&userid=zhangsan`)).errcode).toBe(40014);
  });

  it('refuses untrusted source IPs with 60020 naming the IP, except on gettoken', async () => {
    sim.state.setConfig({ trustedIps: ['203.0.113.1'] });
    const t = await token();
    const answer = await get(`/cgi-bin/auth/getuserinfo?access_token=${t}&code=whatever`);
    expect(answer.errcode).toBe(60020);
    expect(answer.errmsg).toMatch(errmsgPattern(60020, '127.0.0.1'));
    sim.state.setConfig({ trustedIps: ['203.0.113.1', '127.0.0.1'] });
    expect((await get(`/cgi-bin/user/get?access_token=${t}&userid=lisi`)).errcode).toBe(0);
  });
});

describe('auth/getuserinfo', () => {
  it('gives a user_ticket only for in-client snsapi_privateinfo, with lowercase keys', async () => {
    const privateInfo = await userInfo('zhangsan', 'oauth', 'snsapi_privateinfo');
    expect(privateInfo).toEqual({
      errcode: 0,
      errmsg: 'ok',
      userid: 'zhangsan',
      user_ticket: expect.stringMatching(/^[A-Za-z0-9_-]{1,512}$/),
    });
    expect(await userInfo('zhangsan', 'oauth', 'snsapi_base')).toEqual({
      errcode: 0,
      errmsg: 'ok',
      userid: 'zhangsan',
    });
    expect(await userInfo('zhangsan', 'oauth', 'snsapi_userinfo')).toEqual({
      errcode: 0,
      errmsg: 'ok',
      userid: 'zhangsan',
    });
    expect(await userInfo('zhangsan', 'sso')).toEqual({ errcode: 0, errmsg: 'ok', userid: 'zhangsan' });
    expect(await userInfo('zhangsan', 'qr')).toEqual({ errcode: 0, errmsg: 'ok', userid: 'zhangsan' });
  });

  it('answers the stored userid spelling and outsiders with openid + external_userid', async () => {
    expect((await userInfo('li.na-01', 'sso')).userid).toBe('Li.Na-01');
    const outsider = await userInfo('outsider', 'oauth');
    expect(outsider).toEqual({
      errcode: 0,
      errmsg: 'ok',
      openid: expect.stringMatching(/^oOUTSIDER/),
      external_userid: expect.stringMatching(/^wm/),
    });
    expect((await userInfo('outsider', 'sso')).openid).toBe(outsider.openid);
  });

  it('gives no ticket for a member outside the visible range (in-client base login)', async () => {
    expect(await userInfo('hidden', 'oauth', 'snsapi_base')).toEqual({ errcode: 0, errmsg: 'ok', userid: 'hidden' });
  });

  it('answers 41008 without a code and 40029 for unknown, reused or 300-second-old codes', async () => {
    const t = await token();
    expect((await get(`/cgi-bin/auth/getuserinfo?access_token=${t}`)).errcode).toBe(41008);
    expect((await get(`/cgi-bin/auth/getuserinfo?access_token=${t}&code=unknown`)).errcode).toBe(40029);
    const code = await loginCode('lisi', 'sso');
    expect((await get(`/cgi-bin/auth/getuserinfo?access_token=${t}&code=${code}`)).userid).toBe('lisi');
    expect((await get(`/cgi-bin/auth/getuserinfo?access_token=${t}&code=${code}`)).errcode).toBe(40029);
    const fresh = await loginCode('lisi', 'sso');
    const old = await loginCode('lisi', 'sso');
    sim.state.advance(299);
    const t2 = await token();
    expect((await get(`/cgi-bin/auth/getuserinfo?access_token=${t2}&code=${fresh}`)).userid).toBe('lisi');
    sim.state.advance(2);
    expect((await get(`/cgi-bin/auth/getuserinfo?access_token=${t2}&code=${old}`)).errcode).toBe(40029);
  });

  it('does not burn a code on a token error, so it works after a refresh', async () => {
    const code = await loginCode('lisi', 'sso');
    expect((await get(`/cgi-bin/auth/getuserinfo?access_token=stale&code=${code}`)).errcode).toBe(40014);
    expect((await get(`/cgi-bin/auth/getuserinfo?access_token=${await token()}&code=${code}`)).userid).toBe('lisi');
  });

  it('answers 50001 when the code was minted for a redirect host that is not trusted', async () => {
    const code = await loginCode('zhangsan', 'sso');
    sim.state.setConfig({ trustedDomains: ['sso.example.com'] });
    const answer = await get(`/cgi-bin/auth/getuserinfo?access_token=${await token()}&code=${code}`);
    expect(answer.errcode).toBe(50001);
    sim.state.setConfig({ trustedDomains: ['127.0.0.1:9'] });
    expect((await get(`/cgi-bin/auth/getuserinfo?access_token=${await token()}&code=${code}`)).userid).toBe('zhangsan');
  });
});

describe('auth/getuserdetail', () => {
  async function detail(body: unknown, contentType?: string) {
    return post(`/cgi-bin/auth/getuserdetail?access_token=${await token()}`, body, contentType);
  }

  it('returns the fields the member has and consented to, never a name', async () => {
    const zhangsan = await detail({ user_ticket: (await userInfo('zhangsan')).user_ticket });
    expect(zhangsan).toEqual({
      errcode: 0,
      errmsg: 'ok',
      userid: 'zhangsan',
      gender: '1',
      avatar: 'https://wework.qpic.cn/wwhead/zhangsan/0',
      qr_code: expect.stringMatching(/^https:\/\//),
      mobile: '13800138000',
      email: 'zhangsan@gmail.example',
      biz_mail: 'zhangsan@corp.example',
    });
    const lisi = await detail({ user_ticket: (await userInfo('lisi')).user_ticket });
    expect(lisi).toMatchObject({ userid: 'lisi', mobile: '13900139000', gender: '2' });
    expect(lisi).not.toHaveProperty('email');
    expect(lisi).not.toHaveProperty('biz_mail');
    expect(lisi).not.toHaveProperty('name');
  });

  it('returns only userid, gender 0 and the default avatar when the member declined (sim_consent=0)', async () => {
    const info = await userInfo('zhangsan', 'oauth', 'snsapi_privateinfo', '&sim_consent=0');
    expect(await detail({ user_ticket: info.user_ticket })).toEqual({
      errcode: 0,
      errmsg: 'ok',
      userid: 'zhangsan',
      gender: '0',
      avatar: 'https://wework.qpic.cn/bizmail/default/0',
    });
  });

  it('answers 84090 missing, 84015 unknown, 84014 after 1800 s, 47001 for a body that is not JSON', async () => {
    const { user_ticket } = await userInfo('zhangsan');
    expect((await detail({})).errcode).toBe(84090);
    expect((await detail('')).errcode).toBe(84090);
    expect((await detail({ user_ticket: 'unknown' })).errcode).toBe(84015);
    expect((await detail('{not json', 'text/plain')).errcode).toBe(47001);
    // WeCom reads the body whatever the content type says.
    expect((await detail(JSON.stringify({ user_ticket }), 'text/plain')).userid).toBe('zhangsan');
    sim.state.advance(1799);
    expect((await detail({ user_ticket })).errcode).toBe(0);
    sim.state.advance(2);
    const expired = await detail({ user_ticket });
    expect(expired.errcode).toBe(84014);
    expect(expired.errmsg).toMatch(errmsgPattern(84014));
  });
});
