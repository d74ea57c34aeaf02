/**
 * Refresh tokens (issue 3 "Features", oidc-checklist.md §6 and §7.24): rotation, reuse revoking
 * the whole family, concurrent use and repeats within the grace window (issue 21), binding to the client, the WeCom re-check, scope narrowing,
 * expiry, and revocation by code replay and by logout (also within the grace window: issue 27).
 */
import fc from 'fast-check';
import { Redis } from 'ioredis';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, type ConformanceRp, conformanceRp } from '../conformance/rp.js';
import type { TestBrowser } from '../helpers/browser.js';
import { USER_AGENTS } from '../helpers/browser.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { REDIS_TEST_URL, redisAvailable, uniquePrefix } from '../helpers/redis.js';

let h: Harness;
let rp: ConformanceRp;

beforeAll(async () => {
  h = await startHarness();
  rp = await conformanceRp(h);
});

afterAll(async () => {
  await h.close();
});

async function offlineLogin(user = 'zhangsan', browser: TestBrowser = h.browser(user)) {
  const login = await authorize(rp, browser, { scope: 'openid profile phone offline_access' });
  return login.tokens!;
}

/** Raw refresh as `client` (so failures are inspected, not thrown). */
async function refresh(
  token: string,
  extra: Record<string, string> = {},
  client: keyof typeof CLIENTS = 'modern',
): Promise<{ status: number; body: Record<string, string> }> {
  const { id, secret } = CLIENTS[client];
  const response = await fetch(`${h.issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token, ...extra }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

async function userinfo(accessToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${h.issuer}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('rotation and reuse', () => {
  it('each use rotates the token; a rotated token used again revokes the whole family', async () => {
    const tokens = await offlineLogin();
    const second = await refresh(tokens.refresh_token!);
    expect(second.status).toBe(200);
    const third = await refresh(second.body.refresh_token!);
    expect(third.status).toBe(200);
    // Someone replays the first (rotated) token, after the grace window: refused, and everything
    // of the family dies.
    h.clock.advance(11);
    const replay = await refresh(tokens.refresh_token!);
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await refresh(third.body.refresh_token!)).body.error).toBe('invalid_grant');
    for (const accessToken of [tokens.access_token, second.body.access_token!, third.body.access_token!]) {
      expect((await userinfo(accessToken)).status).toBe(401);
    }
  });

  it('concurrent uses of one token by its client all get the same rotation, and its tokens work', async () => {
    const tokens = await offlineLogin();
    // What a relying party with two workers (or a retry after a lost response) sends.
    const results = await Promise.all(Array.from({ length: 8 }, () => refresh(tokens.refresh_token!)));
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    const first = results[0]!.body;
    for (const { body } of results) {
      expect(body.access_token).toBe(first.access_token);
      expect(body.refresh_token).toBe(first.refresh_token);
      expect(body.id_token).toBe(first.id_token);
    }
    expect((await userinfo(first.access_token!)).status).toBe(200);
    expect((await refresh(first.refresh_token!)).status).toBe(200);
  });

  it('a repeat within the 10 s grace window gets the same answer; after it, the repeat revokes the family', async () => {
    const tokens = await offlineLogin();
    const rotated = await refresh(tokens.refresh_token!);
    h.clock.advance(9);
    const repeat = await refresh(tokens.refresh_token!);
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(rotated.body);
    expect((await userinfo(rotated.body.access_token!)).status).toBe(200);
    h.clock.advance(2);
    const late = await refresh(tokens.refresh_token!);
    expect(late).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await userinfo(rotated.body.access_token!)).status).toBe(401);
    expect((await refresh(rotated.body.refresh_token!)).body.error).toBe('invalid_grant');
  });

  it('within the grace window, another client gets nothing and revokes nothing', async () => {
    const tokens = await offlineLogin();
    const rotated = await refresh(tokens.refresh_token!);
    expect(await refresh(tokens.refresh_token!, {}, 'other')).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    expect((await userinfo(rotated.body.access_token!)).status).toBe(200);
  });

  it('another client cannot use it, nor revoke it by trying', async () => {
    const tokens = await offlineLogin();
    for (const thief of ['nocobase', 'other'] as const) {
      expect(await refresh(tokens.refresh_token!, {}, thief)).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
    }
    expect((await refresh(tokens.refresh_token!)).status).toBe(200);
  });

  it('unknown, malformed and expired tokens are invalid_grant', async () => {
    const tokens = await offlineLogin();
    for (const junk of ['nope', `${tokens.refresh_token!.split('.')[0]}.${'A'.repeat(43)}`, 'x'.repeat(500), '.']) {
      expect((await refresh(junk)).body.error).toBe('invalid_grant');
    }
    h.clock.advance(1_209_601);
    expect((await refresh(tokens.refresh_token!)).body.error).toBe('invalid_grant');
  });
});

describe('the WeCom re-check', () => {
  it('refreshes the profile from the directory and keeps the consented phone', async () => {
    const tokens = await offlineLogin('lisi', h.browser('lisi', USER_AGENTS.wecom));
    expect((await userinfo(tokens.access_token)).body).toMatchObject({ name: '李四', phone_number: '+8613900139000' });
    const member = h.sim.state.findMember('lisi')!;
    h.sim.state.upsertMember({ ...member, name: '李四（销售总监）', department: [2, 4] });
    try {
      const refreshed = await refresh(tokens.refresh_token!);
      expect((await userinfo(refreshed.body.access_token!)).body).toMatchObject({
        name: '李四（销售总监）',
        groups: ['2', '4'],
        phone_number: '+8613900139000',
      });
    } finally {
      h.sim.state.upsertMember(member);
    }
  });

  it.each([
    ['disabled', (m: Parameters<typeof h.sim.state.upsertMember>[0]) => h.sim.state.upsertMember({ ...m, status: 2 })],
    [
      'departed (status 5)',
      (m: Parameters<typeof h.sim.state.upsertMember>[0]) => h.sim.state.upsertMember({ ...m, status: 5 }),
    ],
    [
      'deleted from the directory (60111)',
      (m: Parameters<typeof h.sim.state.upsertMember>[0]) => h.sim.state.deleteMember(m.userid),
    ],
    [
      'moved out of the visible range',
      (m: Parameters<typeof h.sim.state.upsertMember>[0]) => h.sim.state.upsertMember({ ...m, visible: false }),
    ],
  ])('a member %s gets invalid_grant, and the family stays dead when they come back', async (_what, change) => {
    const tokens = await offlineLogin('Li.Na-01');
    const member = h.sim.state.findMember('Li.Na-01')!;
    change(member);
    try {
      expect(await refresh(tokens.refresh_token!)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    } finally {
      h.sim.state.upsertMember(member);
    }
    expect((await refresh(tokens.refresh_token!)).body.error).toBe('invalid_grant');
    expect((await userinfo(tokens.access_token)).status).toBe(401);
  });

  it("WeCom unavailable is not the member's fault: 503, and the same token works afterwards", async () => {
    const tokens = await offlineLogin();
    h.sim.state.addFault({ api: 'userget', errcode: -1, times: 2 });
    const failed = await refresh(tokens.refresh_token!);
    expect(failed).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable' } });
    expect((await refresh(tokens.refresh_token!)).status).toBe(200);
  });
});

describe('scope', () => {
  it('may be narrowed, never widened; the family keeps its scope', async () => {
    const tokens = await offlineLogin();
    const narrowed = await refresh(tokens.refresh_token!, { scope: 'openid' });
    expect(narrowed.body.scope).toBe('openid');
    expect((await userinfo(narrowed.body.access_token!)).body).toEqual({ sub: 'zhangsan' });
    const full = await refresh(narrowed.body.refresh_token!);
    expect(full.body.scope).toBe('openid profile phone offline_access');
    const wider = await refresh(full.body.refresh_token!, { scope: 'openid email' });
    expect(wider).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
  });
});

describe('revocation from elsewhere', () => {
  it('logout ends the refresh tokens of that session, not those of another session', async () => {
    const browser = h.browser('zhangsan');
    const mine = await offlineLogin('zhangsan', browser);
    const elsewhere = await offlineLogin('zhangsan');
    const url = oidc.buildEndSessionUrl(rp.config, {
      id_token_hint: mine.id_token!,
      post_logout_redirect_uri: CLIENTS.modern.postLogoutRedirectUri,
    });
    expect((await browser.request(url.href)).status).toBe(302);
    expect((await refresh(mine.refresh_token!)).body.error).toBe('invalid_grant');
    expect((await refresh(elsewhere.refresh_token!)).status).toBe(200);
  });

  it('a repeat within the grace window after logout ended the session is invalid_grant, never the remembered answer (issue 27)', async () => {
    // Any moment of the 10 s window, any number of repeats sent at once.
    const timing = fc.record({ seconds: fc.integer({ min: 0, max: 9 }), repeats: fc.integer({ min: 1, max: 4 }) });
    await fc.assert(
      fc.asyncProperty(timing, async ({ seconds, repeats }) => {
        const browser = h.browser('zhangsan');
        const tokens = await offlineLogin('zhangsan', browser);
        const rotated = await refresh(tokens.refresh_token!);
        expect(rotated.status).toBe(200);
        const url = oidc.buildEndSessionUrl(rp.config, {
          id_token_hint: tokens.id_token!,
          post_logout_redirect_uri: CLIENTS.modern.postLogoutRedirectUri,
        });
        expect((await browser.request(url.href)).status).toBe(302);
        h.clock.advance(seconds);
        const answers = await Promise.all(Array.from({ length: repeats }, () => refresh(tokens.refresh_token!)));
        for (const answer of answers) {
          expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
          expect(answer.body).not.toHaveProperty('access_token');
        }
        expect((await refresh(rotated.body.refresh_token!)).body.error).toBe('invalid_grant');
      }),
      { numRuns: 8 },
    );
  });

  it('a replayed code kills the refresh token issued from it', async () => {
    const login = await authorize(rp, h.browser('zhangsan'), { scope: 'openid offline_access', exchange: false });
    const body = (code: string) =>
      new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: CLIENTS.modern.redirectUri,
        client_id: CLIENTS.modern.id,
        client_secret: CLIENTS.modern.secret,
      }).toString();
    const post = (code: string) =>
      fetch(`${h.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: body(code),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, string> }));
    const first = await post(login.params.code!);
    expect(first.json.refresh_token).toBeDefined();
    expect((await post(login.params.code!)).json.error).toBe('invalid_grant');
    expect((await refresh(first.json.refresh_token!)).body.error).toBe('invalid_grant');
  });
});

describe.runIf(await redisAvailable())('concurrent refreshes on Redis (as replicas share it)', () => {
  let shared: Harness;
  let sharedRp: ConformanceRp;
  let redis: Redis;
  const prefix = uniquePrefix('refresh-grace');

  beforeAll(async () => {
    shared = await startHarness({ env: { REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: prefix } });
    sharedRp = await conformanceRp(shared);
    redis = new Redis(REDIS_TEST_URL);
  });

  afterAll(async () => {
    await shared?.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('all get the same rotation, whose tokens work', async () => {
    const login = await authorize(sharedRp, shared.browser('zhangsan'), { scope: 'openid offline_access' });
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: login.tokens!.refresh_token!,
    }).toString();
    const basic = `Basic ${Buffer.from(`${CLIENTS.modern.id}:${encodeURIComponent(CLIENTS.modern.secret)}`).toString('base64')}`;
    const send = () =>
      fetch(`${shared.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
        body: form,
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as Record<string, string>,
      }));
    const results = await Promise.all(Array.from({ length: 6 }, send));
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    expect(new Set(results.map((r) => r.body.refresh_token)).size).toBe(1);
    const info = await fetch(`${shared.issuer}/userinfo`, {
      headers: { authorization: `Bearer ${results[0]!.body.access_token}` },
    });
    expect(info.status).toBe(200);
  });
});
