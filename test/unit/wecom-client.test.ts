/**
 * The WeCom client's token caching and retry rules, against undici's MockAgent (no network).
 */

import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WeComConfig } from '../../src/config/types.js';
import { MemoryStore } from '../../src/store/memory.js';
import { WeComClient } from '../../src/wecom/client.js';
import { WeComApiError } from '../../src/wecom/errors.js';

const BASE = 'https://qyapi.example.test';
const config: WeComConfig = {
  corpId: 'wwcorp',
  agentId: '1000002',
  secret: 'app-secret',
  apiBase: BASE,
  oauthBase: 'https://open.example.test',
  ssoBase: 'https://login.example.test',
  scope: 'snsapi_privateinfo',
  loginMode: 'auto',
};

let agent: MockAgent;
let now: number;
let calls: { api: string; errcode: number }[];

function client(store = new MemoryStore({ sweepIntervalMs: 0, now: () => now })): WeComClient {
  return new WeComClient({
    config,
    store,
    dispatcher: agent,
    now: () => now,
    busyRetryDelayMs: 1,
    observe: (api, errcode) => calls.push({ api, errcode }),
  });
}

function replyToken(token: string, expiresIn = 7200, times = 1): void {
  agent
    .get(BASE)
    .intercept({ path: (p) => p.startsWith('/cgi-bin/gettoken?corpid=wwcorp&corpsecret=app-secret'), method: 'GET' })
    .reply(200, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: expiresIn })
    .times(times);
}

function replyUser(token: string, body: object): void {
  agent
    .get(BASE)
    .intercept({ path: `/cgi-bin/user/get?access_token=${token}&userid=zhangsan`, method: 'GET' })
    .reply(200, body);
}

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  now = 1_700_000_000_000;
  calls = [];
});

afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await agent.close();
});

describe('WeCom access token', () => {
  it('fetches one token for many concurrent calls and reuses it', async () => {
    const wecom = client();
    replyToken('T1');
    for (let i = 0; i < 5; i += 1) replyUser('T1', { errcode: 0, errmsg: 'ok', userid: 'zhangsan', status: 1 });
    const answers = await Promise.all(Array.from({ length: 5 }, () => wecom.getUser('zhangsan')));
    expect(answers.every((a) => a.userid === 'zhangsan')).toBe(true);
    expect(calls.filter((c) => c.api === 'gettoken')).toHaveLength(1);
  });

  it('refreshes ahead of expiry (5 minutes before)', async () => {
    const wecom = client();
    replyToken('T1');
    expect(await wecom.tokens.get()).toBe('T1');
    now += (7200 - 301) * 1000;
    expect(await wecom.tokens.get()).toBe('T1');
    now += 2000;
    replyToken('T2');
    expect(await wecom.tokens.get()).toBe('T2');
  });

  it('shares the token through the store (another replica does not fetch)', async () => {
    const store = new MemoryStore({ sweepIntervalMs: 0, now: () => now });
    replyToken('T1');
    expect(await client(store).tokens.get()).toBe('T1');
    expect(await client(store).tokens.get()).toBe('T1');
    expect(calls.filter((c) => c.api === 'gettoken')).toHaveLength(1);
  });

  it.each([42001, 40014, 40001])(
    'drops a token WeCom rejects with %i, refetches, and retries once',
    async (errcode) => {
      const wecom = client();
      replyToken('T1');
      replyUser('T1', { errcode, errmsg: 'access_token expired' });
      replyToken('T2');
      replyUser('T2', { errcode: 0, errmsg: 'ok', userid: 'zhangsan', status: 1 });
      expect((await wecom.getUser('zhangsan')).userid).toBe('zhangsan');
      expect(calls.map((c) => `${c.api}:${c.errcode}`)).toEqual([
        'gettoken:0',
        `userget:${errcode}`,
        'gettoken:0',
        'userget:0',
      ]);
    },
  );

  it('gives up after one retry when the fresh token is rejected too', async () => {
    const wecom = client();
    replyToken('T1');
    replyUser('T1', { errcode: 42001, errmsg: 'expired' });
    replyToken('T2');
    replyUser('T2', { errcode: 42001, errmsg: 'expired' });
    const error = await wecom.getUser('zhangsan').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeComApiError);
    expect((error as WeComApiError).code).toBe('temporarily_unavailable');
  });

  it('does not retry a wrong secret at gettoken, and remembers the failure briefly', async () => {
    const wecom = client();
    agent
      .get(BASE)
      .intercept({ path: (p) => p.startsWith('/cgi-bin/gettoken'), method: 'GET' })
      .reply(200, {
        errcode: 40001,
        errmsg:
          'invalid credential, hint: [x], from ip: 203.0.113.7, more info at https://open.work.weixin.qq.com/devtool/query?e=40001',
      });
    const first = (await wecom.getUser('zhangsan').catch((e: unknown) => e)) as WeComApiError;
    expect(first.action).toBe('config');
    expect(first.code).toBe('server_error');
    expect(first.reason).toBe('wecom_invalid_secret');
    expect(first.hint).toMatch(/WECOM_SECRET/);
    // A second login within 30 s does not call WeCom again (repeated wrong secrets get the IP banned).
    const second = (await wecom.getUser('zhangsan').catch((e: unknown) => e)) as WeComApiError;
    expect(second.reason).toBe('wecom_invalid_secret');
    expect(calls).toEqual([{ api: 'gettoken', errcode: 40001 }]);
    now += 31_000;
    replyToken('T1');
    replyUser('T1', { errcode: 0, errmsg: 'ok', userid: 'zhangsan', status: 1 });
    expect((await wecom.getUser('zhangsan')).userid).toBe('zhangsan');
  });

  it('retries "system busy" (-1) once, then reports it as temporarily unavailable', async () => {
    const wecom = client();
    replyToken('T1');
    replyUser('T1', { errcode: -1, errmsg: 'system busy' });
    replyUser('T1', { errcode: 0, errmsg: 'ok', userid: 'zhangsan', status: 1 });
    expect((await wecom.getUser('zhangsan')).userid).toBe('zhangsan');
    replyUser('T1', { errcode: -1, errmsg: 'system busy' });
    replyUser('T1', { errcode: -1, errmsg: 'system busy' });
    const error = (await wecom.getUser('zhangsan').catch((e: unknown) => e)) as WeComApiError;
    expect(error.code).toBe('temporarily_unavailable');
    expect(error.reason).toBe('wecom_busy');
  });

  it('treats HTTP errors and non-JSON answers like "system busy"', async () => {
    const wecom = client();
    replyToken('T1');
    agent
      .get(BASE)
      .intercept({ path: '/cgi-bin/user/get?access_token=T1&userid=zhangsan', method: 'GET' })
      .reply(502, 'Bad Gateway');
    agent
      .get(BASE)
      .intercept({ path: '/cgi-bin/user/get?access_token=T1&userid=zhangsan', method: 'GET' })
      .reply(200, '<html>');
    const error = (await wecom.getUser('zhangsan').catch((e: unknown) => e)) as WeComApiError;
    expect(error.errcode).toBe(-1);
    expect(error.code).toBe('temporarily_unavailable');
  });

  it('reports the egress IP WeCom saw for 60020', async () => {
    const wecom = client();
    replyToken('T1');
    replyUser('T1', {
      errcode: 60020,
      errmsg:
        'not allow to access from your ip, hint: [x], from ip: 198.51.100.9, more info at https://open.work.weixin.qq.com/devtool/query?e=60020',
    });
    const error = (await wecom.getUser('zhangsan').catch((e: unknown) => e)) as WeComApiError;
    expect(error.reason).toBe('wecom_untrusted_ip');
    expect(error.hint).toMatch(/企业可信IP.*198\.51\.100\.9/);
    expect(error.details).toMatchObject({ egressIp: '198.51.100.9', errcode: 60020 });
    expect(error.publicDescription).not.toMatch(/198/);
  });

  it('reads the legacy PascalCase getuserinfo answer and the non-member answer', async () => {
    const wecom = client();
    replyToken('T1');
    agent
      .get(BASE)
      .intercept({ path: '/cgi-bin/auth/getuserinfo?access_token=T1&code=C1', method: 'GET' })
      .reply(200, { errcode: 0, errmsg: 'ok', UserId: 'Legacy' });
    agent
      .get(BASE)
      .intercept({ path: '/cgi-bin/auth/getuserinfo?access_token=T1&code=C2', method: 'GET' })
      .reply(200, { errcode: 0, errmsg: 'ok', openid: 'oX', external_userid: 'wmX' });
    expect(await wecom.getUserInfo('C1')).toEqual({ userid: 'Legacy' });
    expect(await wecom.getUserInfo('C2')).toEqual({ openid: 'oX' });
  });
});

describe('WeCom call timeouts', () => {
  it('fails a hung call within the timeout and reports it as transport failure (-1)', async () => {
    const { startWeComSimulator } = await import('../../sim/server.js');
    const sim = await startWeComSimulator();
    try {
      const { Agent } = await import('undici');
      const dispatcher = new Agent();
      const wecom = new WeComClient({
        config: { ...config, corpId: 'ww5imulat0rc0rp1d', secret: 'sim-secret-0123456789', apiBase: sim.url },
        store: new MemoryStore({ sweepIntervalMs: 0 }),
        dispatcher,
        timeoutMs: 200,
        busyRetryDelayMs: 1,
      });
      sim.state.addFault({ api: 'userget', hangMs: 1000, times: 2 });
      const error = (await wecom.getUser('zhangsan').catch((e: unknown) => e)) as WeComApiError;
      expect(error).toBeInstanceOf(WeComApiError);
      expect(error.errcode).toBe(-1);
      expect(error.code).toBe('temporarily_unavailable');
      // One call and one retry, both cut at the timeout.
      expect(sim.state.calls.userget).toBe(2);
      await dispatcher.close();
    } finally {
      await sim.close();
    }
  });
});
