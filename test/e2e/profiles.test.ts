/**
 * Profile memory: the consent of an in-client login carries phone and email into later desktop
 * logins, across bridge instances and restarts on one Redis; declining forgets; PROFILE_TTL=0
 * remembers nothing; EMAIL_FALLBACK_TEMPLATE fills the gap for members without email.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { startServer } from '../../src/server.js';
import { profileKey } from '../../src/wecom/profiles.js';
import { USER_AGENTS } from '../helpers/browser.js';
import { freePort } from '../helpers/free-port.js';
import { type Harness, harnessEnv, startHarness } from '../helpers/harness.js';
import { REDIS_TEST_URL, redisAvailable, uniquePrefix } from '../helpers/redis.js';
import { nocobaseLogin } from '../helpers/rp.js';

const SCOPE = 'openid email profile phone';

async function userinfo(h: Harness, user: string, userAgent = USER_AGENTS.desktop): Promise<Record<string, unknown>> {
  const login = await nocobaseLogin(h, h.browser(user, userAgent), SCOPE);
  return login.client.userinfo(login.tokenSet!.access_token!);
}

describe('profile memory (memory store)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { EMAIL_FALLBACK_TEMPLATE: '{userid}@staff.example.com' } });
  });
  afterAll(async () => h.close());

  it('fills a desktop login from the last in-client consent', async () => {
    const before = await userinfo(h, 'zhangsan');
    expect(before).not.toHaveProperty('phone_number');
    expect(before).toMatchObject({ email: 'zhangsan@staff.example.com', email_verified: false });
    await userinfo(h, 'zhangsan', USER_AGENTS.wecom);
    const after = await userinfo(h, 'zhangsan');
    expect(after).toMatchObject({
      phone_number: '+8613800138000',
      phone: '13800138000',
      email: 'zhangsan@corp.example',
      email_verified: true,
      gender: 'male',
      picture: 'https://wework.qpic.cn/wwhead/zhangsan/0',
    });
    const stored = await h.bridge.context.store.get<Record<string, unknown>>(
      profileKey(h.config.wecom.corpId, 'ZhangSan'),
    );
    expect(stored).toMatchObject({
      mobile: '13800138000',
      bizMail: 'zhangsan@corp.example',
      email: 'zhangsan@gmail.example',
      gender: '1',
    });
    expect(Object.keys(stored!).sort()).toEqual(['avatar', 'bizMail', 'consentedAt', 'email', 'gender', 'mobile']);
  });

  it('refreshes it from a newer consent and forgets it when the member declines to share', async () => {
    await userinfo(h, 'lisi', USER_AGENTS.wecom);
    h.sim.state.upsertMember({
      userid: 'lisi',
      name: '李四',
      mobile: '13911112222',
      gender: '2',
      department: [4],
      status: 1,
    });
    try {
      await userinfo(h, 'lisi', USER_AGENTS.wecom);
      expect(await userinfo(h, 'lisi')).toMatchObject({ phone_number: '+8613911112222' });
      const browser = h.browser('lisi', USER_AGENTS.wecom);
      const login = await nocobaseLogin(h, browser, SCOPE);
      expect(login.tokenSet).toBeDefined();
      // 不提供: the consent shares nothing, and the memory is dropped.
      const client = login.client;
      const start = await browser.request(
        client.authorizationUrl({
          scope: SCOPE,
          state: 's',
          redirect_uri: 'http://127.0.0.1:13000/api/oidc:redirect',
          prompt: 'login',
        }),
      );
      const wecom = start.headers.get('location')!.split('#')[0]!;
      const declined = await browser.follow(`${wecom}&sim_consent=0`, 'http://127.0.0.1:13000/');
      expect(declined.finalUrl).toMatch(/\?code=/);
      expect(await h.bridge.context.store.get(profileKey(h.config.wecom.corpId, 'lisi'))).toBeUndefined();
      expect(await userinfo(h, 'lisi')).not.toHaveProperty('phone_number');
    } finally {
      h.sim.state.reset();
    }
  });

  it('omits a fallback email the userid would make malformed', async () => {
    // "user@ext@staff.example.com" is no address: no email claim rather than a broken one.
    const info = await userinfo(h, 'user@ext');
    expect(info).not.toHaveProperty('email');
    expect(info).not.toHaveProperty('email_verified');
    // Once the member shares the personal address in-client, it wins over the template (unverified).
    await userinfo(h, 'user@ext', USER_AGENTS.wecom);
    expect(await userinfo(h, 'user@ext')).toMatchObject({ email: 'user@ext.example', email_verified: false });
  });
});

describe('PROFILE_TTL=0', () => {
  it('remembers nothing', async () => {
    const h = await startHarness({ env: { PROFILE_TTL: '0' } });
    try {
      await userinfo(h, 'zhangsan', USER_AGENTS.wecom);
      expect(await userinfo(h, 'zhangsan')).not.toHaveProperty('phone_number');
      expect(await h.bridge.context.store.get(profileKey(h.config.wecom.corpId, 'zhangsan'))).toBeUndefined();
    } finally {
      await h.close();
    }
  });
});

const redis = await redisAvailable();

describe.skipIf(!redis)('profile memory on Redis: two instances, then a restart', () => {
  const prefix = uniquePrefix('profiles');
  const env = { REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: prefix };
  let a: Harness;
  const extra: BuiltApp[] = [];

  /** Another bridge instance on the same simulator and Redis. */
  async function secondInstance(): Promise<Harness> {
    const port = await freePort();
    a.sim.state.setConfig({ trustedDomains: [...a.sim.state.config.trustedDomains, `127.0.0.1:${port}`] });
    const config = loadConfig(harnessEnv(port, a.sim.url, env));
    const logger = pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() }));
    const bridge = await startServer(config, { logger });
    extra.push(bridge);
    return { ...a, bridge, issuer: config.publicUrl, config };
  }

  beforeAll(async () => {
    a = await startHarness({ env });
  });
  afterAll(async () => {
    for (const bridge of extra) await bridge.app.close().catch(() => {});
    await a.close();
  });

  it('an in-client login on one instance fills desktop logins on another, and after a restart', async () => {
    const b = await secondInstance();
    await userinfo(a, 'zhangsan', USER_AGENTS.wecom);
    expect(await userinfo(b, 'zhangsan')).toMatchObject({ phone_number: '+8613800138000', email_verified: true });
    // Restart: every instance goes away; a new one on the same Redis still knows the consent.
    await b.bridge.app.close();
    await a.bridge.app.close();
    const c = await secondInstance();
    expect(await userinfo(c, 'zhangsan')).toMatchObject({ phone_number: '+8613800138000', phone: '13800138000' });
  });
});
