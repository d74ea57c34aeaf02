/**
 * Offboarding end to end (issue 30, the bridge's half): a member deleted in WeCom is ended at
 * once. Real HTTP, real `openid-client`; WeCom's encrypted events are built with the bridge's own
 * crypto module (itself proven against WeCom's published samples in test/unit/callback-crypto).
 * Runs on the memory store and, when a Redis is available, on Redis.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackKey, sealCallback } from '../../src/wecom/callback-crypto.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { REDIS_TEST_URL, redisAvailable, uniquePrefix } from '../helpers/redis.js';
import { modernLogin, nocobaseLogin } from '../helpers/rp.js';

const TOKEN = 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo';
const AES_KEY = '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt';
const CORP_ID = 'ww5imulat0rc0rp1d';
const SECRETS = { token: TOKEN, key: callbackKey(AES_KEY), corpId: CORP_ID };

/** A relying party's back-channel logout endpoint: records every logout_token it receives. */
class LogoutEndpoint {
  readonly received: { path: string; token: string; at: number }[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        const token = new URLSearchParams(body).get('logout_token');
        if (request.method === 'POST' && token) this.received.push({ path: request.url ?? '', token, at: Date.now() });
        response.writeHead(200, { 'cache-control': 'no-store' }).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Waits until `count` tokens arrived (or the time is up). */
  async waitFor(count: number, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (this.received.length < count && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A WeCom contact event as XML. */
function contactEvent(change: string, userid: string, extra = ''): string {
  return `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event><ChangeType>${change}</ChangeType><UserID><![CDATA[${userid}]]></UserID>${extra}</xml>`;
}

let nonceCounter = 0;

/** POSTs `message` to /wecom/events, sealed as WeCom does (or with other secrets, forged). */
async function postEvent(
  h: Harness,
  message: string,
  options: { secrets?: typeof SECRETS; timestamp?: number; repeat?: { query: URLSearchParams; body: string } } = {},
): Promise<{ status: number; text: string; query: URLSearchParams; body: string }> {
  let query: URLSearchParams;
  let body: string;
  if (options.repeat) ({ query, body } = options.repeat);
  else {
    const timestamp = String(options.timestamp ?? Math.floor(h.clock.now() / 1000));
    const sealed = sealCallback(options.secrets ?? SECRETS, message, timestamp, `n${++nonceCounter}`);
    query = new URLSearchParams({
      msg_signature: sealed.query.signature,
      timestamp: sealed.query.timestamp,
      nonce: sealed.query.nonce,
    });
    body = sealed.body;
  }
  const response = await fetch(`${h.issuer}/wecom/events?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body,
  });
  return { status: response.status, text: await response.text(), query, body };
}

async function userinfoStatus(h: Harness, accessToken: string): Promise<number> {
  const response = await fetch(`${h.issuer}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  await response.arrayBuffer();
  return response.status;
}

async function refreshError(config: oidc.Configuration, refreshToken: string): Promise<string | undefined> {
  try {
    await oidc.refreshTokenGrant(config, refreshToken);
    return undefined;
  } catch (error) {
    return (error as { error?: string }).error;
  }
}

const redis = await redisAvailable();

for (const backend of ['memory', 'redis'] as const) {
  describe.skipIf(backend === 'redis' && !redis)(`offboarding with WeCom contact events (${backend})`, () => {
    let h: Harness;
    const rp = new LogoutEndpoint();

    beforeAll(async () => {
      await rp.start();
      h = await startHarness({
        captureLogs: true,
        env: {
          WECOM_CALLBACK_TOKEN: TOKEN,
          WECOM_CALLBACK_AES_KEY: AES_KEY,
          OIDC_BACKCHANNEL_LOGOUT_URI: `${rp.url}/nocobase`,
          OIDC_CLIENTS: JSON.stringify(
            [CLIENTS.modern, CLIENTS.other].map((c) => ({
              client_id: c.id,
              client_secret: c.secret,
              redirect_uris: [c.redirectUri],
              post_logout_redirect_uris: [c.postLogoutRedirectUri],
              ...(c.id === CLIENTS.modern.id ? { backchannel_logout_uri: `${rp.url}/modern` } : {}),
            })),
          ),
          ...(backend === 'redis' ? { REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: uniquePrefix('offboarding') } : {}),
        },
      });
    });

    afterAll(async () => {
      await h?.close();
      await rp.close();
    });

    it('advertises back-channel logout in discovery', async () => {
      const discovery = (await (await fetch(`${h.issuer}/.well-known/openid-configuration`)).json()) as Record<
        string,
        unknown
      >;
      expect(discovery).toMatchObject({
        backchannel_logout_supported: true,
        backchannel_logout_session_supported: true,
      });
    });

    it('answers WeCom’s URL verification with the decrypted echostr only', async () => {
      const timestamp = String(Math.floor(h.clock.now() / 1000));
      const sealed = sealCallback(SECRETS, '6784239047205439871', timestamp, 'verify1');
      const query = new URLSearchParams({
        msg_signature: sealed.query.signature,
        timestamp,
        nonce: 'verify1',
        echostr: sealed.ciphertext,
      });
      const response = await fetch(`${h.issuer}/wecom/events?${query}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toBe('6784239047205439871');
      query.set('msg_signature', '0'.repeat(40));
      expect((await fetch(`${h.issuer}/wecom/events?${query}`)).status).toBe(403);
    });

    it('a deleted member loses every session and token at once; their RPs get logout tokens; others are untouched', async () => {
      const browser = h.browser('zhangsan');
      const modern = await modernLogin(h, browser, { scope: 'openid profile offline_access' });
      const nocobase = await nocobaseLogin(h, h.browser('zhangsan'));
      const other = await modernLogin(h, h.browser('lisi'), { scope: 'openid profile offline_access' });
      const zhangsanSid = modern.tokens!.claims()!.sid;
      expect(await userinfoStatus(h, modern.tokens!.access_token)).toBe(200);

      // A forged event (another Token and key) and one for another corp change nothing.
      const forged = { token: 'forgedToken123', key: callbackKey('a'.repeat(43)), corpId: CORP_ID };
      expect((await postEvent(h, contactEvent('delete_user', 'zhangsan'), { secrets: forged })).status).toBe(403);
      const foreign = { ...SECRETS, corpId: 'wwforeigncorp' };
      expect((await postEvent(h, contactEvent('delete_user', 'zhangsan'), { secrets: foreign })).status).toBe(403);
      await new Promise((r) => setTimeout(r, 700));
      expect(rp.received).toEqual([]);
      expect(await userinfoStatus(h, modern.tokens!.access_token)).toBe(200);

      h.sim.state.deleteMember('zhangsan');
      const started = Date.now();
      const event = await postEvent(h, contactEvent('delete_user', 'zhangsan'));
      expect(event.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1000);
      await rp.waitFor(2);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(rp.received.map((r) => r.path).sort()).toEqual(['/modern', '/nocobase']);

      const jwks = createRemoteJWKSet(new URL(`${h.issuer}/jwks`));
      for (const { path, token } of rp.received) {
        const audience = path === '/modern' ? CLIENTS.modern.id : CLIENTS.nocobase.id;
        expect(decodeProtectedHeader(token).typ).toBe('logout+jwt');
        const { payload } = await jwtVerify(token, jwks, { issuer: h.issuer, audience, typ: 'logout+jwt' });
        expect(payload).toMatchObject({
          sub: 'zhangsan',
          events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
        });
        expect(payload.nonce).toBeUndefined();
        expect(typeof payload.jti).toBe('string');
        expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(120);
        if (path === '/modern') expect(payload.sid).toBe(zhangsanSid);
        else expect(payload.sid).toBe(nocobase.tokenSet!.claims().sid);
      }

      expect(await userinfoStatus(h, modern.tokens!.access_token)).toBe(401);
      expect(await userinfoStatus(h, nocobase.tokenSet!.access_token!)).toBe(401);
      expect(await refreshError(modern.config, modern.tokens!.refresh_token!)).toBe('invalid_grant');
      const silent = await modernLogin(h, browser, { prompt: 'none' });
      expect(silent.params.error).toBe('login_required');

      // Another member is untouched.
      expect(await userinfoStatus(h, other.tokens!.access_token)).toBe(200);
      const refreshed = await oidc.refreshTokenGrant(other.config, other.tokens!.refresh_token!);
      expect(await userinfoStatus(h, refreshed.access_token)).toBe(200);

      // WeCom repeating the delivery: 200, nothing more.
      const repeat = await postEvent(h, '', { repeat: { query: event.query, body: event.body } });
      expect(repeat.status).toBe(200);
      await new Promise((r) => setTimeout(r, 700));
      expect(rp.received).toHaveLength(2);
      const audit = h.logs.filter((line) => line.includes('"audit"'));
      expect(audit.some((line) => line.includes('"member_ended"'))).toBe(true);
      expect(h.logs.join('\n')).not.toContain(rp.received[0]!.token);
    });

    it('update_user with a Status other than 1 ends the member; without Status WeCom is asked', async () => {
      const before = rp.received.length;
      const lisi = await modernLogin(h, h.browser('lisi'), { scope: 'openid profile offline_access' });
      // Still active in WeCom: a department change alone changes nothing.
      expect((await postEvent(h, contactEvent('update_user', 'lisi', '<Department>1</Department>'))).status).toBe(200);
      await new Promise((r) => setTimeout(r, 700));
      expect(await userinfoStatus(h, lisi.tokens!.access_token)).toBe(200);
      expect(rp.received.length).toBe(before);
      expect((await postEvent(h, contactEvent('update_user', 'lisi', '<Status>2</Status>'))).status).toBe(200);
      // lisi holds two sessions at the modern client (this login and the previous test's): one token each.
      await rp.waitFor(before + 2);
      expect(rp.received.length).toBe(before + 2);
      expect(await userinfoStatus(h, lisi.tokens!.access_token)).toBe(401);
    });

    it('refuses bad input with 4xx and changes nothing', async () => {
      const post = (query: string, body: string, type = 'text/xml') =>
        fetch(`${h.issuer}/wecom/events?${query}`, { method: 'POST', headers: { 'content-type': type }, body });
      const good = await postEvent(h, contactEvent('delete_user', 'nobody'));
      expect(good.status).toBe(200);
      // A timestamp far off, even correctly signed.
      const stale = await postEvent(h, contactEvent('delete_user', 'lisi'), {
        timestamp: Math.floor(h.clock.now() / 1000) - 3600,
      });
      expect(stale.status).toBe(400);
      const q = new URLSearchParams({
        msg_signature: '0'.repeat(40),
        timestamp: String(Math.floor(h.clock.now() / 1000)),
        nonce: 'x',
      }).toString();
      // DOCTYPE / entity bomb.
      const bomb = `<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><Encrypt>&b;</Encrypt></xml>`;
      expect((await post(q, bomb)).status).toBe(400);
      // Oversized body.
      expect((await post(q, `<xml><Encrypt>${'A'.repeat(70_000)}</Encrypt></xml>`)).status).toBe(413);
      // Missing parameters, wrong signature, any XML content type reaches the checks.
      expect((await post('', '<xml/>')).status).toBe(400);
      expect((await post(q, '<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>', 'application/xml')).status).toBe(403);
      const refused = h.logs.filter((line) => line.includes('wecom_event_refused'));
      expect(refused.length).toBeGreaterThanOrEqual(4);
      expect(refused.join('\n')).not.toContain('ENTITY');
    });
  });
}

describe('offboarding not configured', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('answers 404 on both paths and does not advertise back-channel logout', async () => {
    expect((await fetch(`${h.issuer}/wecom/events?echostr=x`)).status).toBe(404);
    expect((await fetch(`${h.issuer}/wecom/events`, { method: 'POST', body: '<xml/>' })).status).toBe(404);
    const discovery = (await (await fetch(`${h.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery.backchannel_logout_supported).toBeUndefined();
  });
});
