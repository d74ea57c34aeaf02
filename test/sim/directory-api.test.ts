/**
 * The simulator's directory APIs: user/get (visible range, status, post-2022 restricted keys,
 * case-insensitive userids), the department lists, and WeCom's answers to bad methods and paths.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeComSimulator, type WeComSimulator } from '../../sim/server.js';
import { errmsgPattern, simClient } from './sim-client.js';

let sim: WeComSimulator;
const { get, token } = simClient(() => sim);

beforeAll(async () => {
  sim = await startWeComSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

const RESTRICTED = ['mobile', 'gender', 'email', 'biz_mail', 'avatar', 'qr_code', 'address'];

async function user(userid: string): Promise<Record<string, unknown>> {
  return get(`/cgi-bin/user/get?access_token=${await token()}&userid=${encodeURIComponent(userid)}`);
}

describe('user/get', () => {
  it('answers a member without the restricted keys on an app created after 2022 (default)', async () => {
    const zhangsan = await user('zhangsan');
    expect(zhangsan).toMatchObject({
      errcode: 0,
      errmsg: 'ok',
      userid: 'zhangsan',
      name: '张三',
      department: [2, 3],
      order: [0, 0],
      main_department: 2,
      position: '工程师',
      status: 1,
      isleader: 0,
      enable: 1,
      hide_mobile: 0,
      alias: 'Sam Zhang',
      telephone: '',
      extattr: { attrs: [] },
    });
    for (const key of RESTRICTED) expect(zhangsan).not.toHaveProperty(key);
  });

  it('adds mobile, gender, email, biz_mail and avatar for an older app', async () => {
    sim.state.setConfig({ appCreatedAfter2022: false });
    expect(await user('zhangsan')).toMatchObject({
      mobile: '13800138000',
      gender: '1',
      email: 'zhangsan@gmail.example',
      biz_mail: 'zhangsan@corp.example',
      avatar: 'https://wework.qpic.cn/wwhead/zhangsan/0',
    });
    const lisi = await user('lisi');
    expect(lisi).toMatchObject({ mobile: '13900139000', gender: '2' });
    expect(lisi).not.toHaveProperty('email');
    expect(lisi).not.toHaveProperty('biz_mail');
  });

  it('matches userids case-insensitively and answers the stored spelling', async () => {
    expect((await user('ZhangSan')).userid).toBe('zhangsan');
    expect((await user('LI.NA-01')).userid).toBe('Li.Na-01');
    expect(await user('user@ext')).toMatchObject({ userid: 'user@ext', name: 'Ext User', status: 1 });
  });

  it('reports disabled and not-activated members by status', async () => {
    expect(await user('wangwu')).toMatchObject({ errcode: 0, status: 2, enable: 0 });
    expect(await user('sunqi')).toMatchObject({ errcode: 0, status: 4, enable: 1 });
  });

  it('answers 60111 for unknown, departed and non-members, 60011 outside the visible range, 40003 for bad userids', async () => {
    for (const userid of ['nobody', 'zhaoliu', 'outsider']) expect((await user(userid)).errcode).toBe(60111);
    const hidden = await user('hidden');
    expect(hidden.errcode).toBe(60011);
    expect(hidden.errmsg).toMatch(errmsgPattern(60011));
    for (const userid of ['', 'has space', 'x'.repeat(65)]) expect((await user(userid)).errcode).toBe(40003);
    expect((await get(`/cgi-bin/user/get?access_token=${await token()}`)).errcode).toBe(40003);
  });
});

describe('department lists', () => {
  it('lists every department, with names on department/list', async () => {
    const t = await token();
    const list = await get(`/cgi-bin/department/list?access_token=${t}`);
    expect(list.errcode).toBe(0);
    expect((list.department as { name: string }[]).map((d) => d.name)).toEqual([
      '总公司',
      '研发部',
      '前端组',
      '销售部',
      '华南销售',
    ]);
    expect((list.department as object[])[2]).toMatchObject({
      id: 3,
      name: '前端组',
      name_en: 'Frontend',
      parentid: 2,
      order: 80,
    });
    const simple = await get(`/cgi-bin/department/simplelist?access_token=${t}`);
    expect((simple.department_id as object[])[0]).toEqual({ id: 1, parentid: 0, order: 100 });
    expect(simple.department_id).toHaveLength(5);
  });

  it('lists the subtree of an id, and refuses unknown or malformed ids', async () => {
    const t = await token();
    expect((await get(`/cgi-bin/department/simplelist?access_token=${t}&id=4`)).department_id).toEqual([
      { id: 4, parentid: 1, order: 70 },
      { id: 5, parentid: 4, order: 60 },
    ]);
    const rd = (await get(`/cgi-bin/department/list?access_token=${t}&id=2`)).department as { id: number }[];
    expect(rd.map((d) => d.id)).toEqual([2, 3]);
    expect((await get(`/cgi-bin/department/list?access_token=${t}&id=99`)).errcode).toBe(60123);
    expect((await get(`/cgi-bin/department/list?access_token=${t}&id=abc`)).errcode).toBe(40058);
  });

  it('counts the two lists separately', async () => {
    const t = await token();
    await get(`/cgi-bin/department/list?access_token=${t}`);
    await get(`/cgi-bin/department/simplelist?access_token=${t}`);
    await get(`/cgi-bin/department/simplelist?access_token=${t}`);
    expect(sim.state.stats().calls).toMatchObject({ departmentList: 1, departmentSimplelist: 2 });
  });
});

describe('methods and paths', () => {
  it('answers a wrong HTTP method with 40058 and an unknown API with 48001, both HTTP 200 JSON', async () => {
    const wrongMethod = await fetch(`${sim.url}/cgi-bin/gettoken`, { method: 'POST' });
    expect(wrongMethod.status).toBe(200);
    expect(((await wrongMethod.json()) as { errcode: number }).errcode).toBe(40058);
    const getDetail = await get(`/cgi-bin/auth/getuserdetail?access_token=${await token()}`);
    expect(getDetail.errcode).toBe(40058);
    const unknown = await get('/cgi-bin/no/such/api');
    expect(unknown.errcode).toBe(48001);
    expect(unknown.errmsg).toMatch(errmsgPattern(48001));
  });
});
