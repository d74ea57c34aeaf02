/**
 * Behind reverse proxies: TRUST_PROXY decides whose X-Forwarded-For is believed (the client IP in
 * logs and rate limits; `true`, which believes what the client wrote, is refused at start), while issuer, endpoints, the WeCom redirect_uri and cookies come from PUBLIC_URL only,
 * whatever Host / X-Forwarded-* say. A PUBLIC_URL with a path prefix works end to end, whether
 * the proxy passes the prefix through or strips it.
 */
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import * as oidc from 'openid-client';
import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { TRUST_PROXY_TRUE_REFUSED } from '../../src/config/parsers.js';
import { CLIENTS, type Harness, harnessEnv, startHarness } from '../helpers/harness.js';
import { modernLogin, nocobaseClient, nocobaseLogin } from '../helpers/rp.js';

let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** An authorization request of the NocoBase client. */
const AUTHORIZE_QUERY = new URLSearchParams({
  client_id: CLIENTS.nocobase.id,
  redirect_uri: CLIENTS.nocobase.redirectUri,
  response_type: 'code',
  scope: 'openid',
});

/** Headers a client or a misconfigured proxy may send to mislead URL building. */
const SPOOFED = {
  host: 'evil.example',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'https',
  'x-forwarded-prefix': '/evil',
  forwarded: 'for=192.0.2.66;host=evil.example;proto=https',
};

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A request with exactly these headers (fetch would not let a test set Host). */
function raw(url: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** The request log line of the last request to `path`. */
function logLineFor(harness: Harness, path: string): Record<string, unknown> {
  const lines = harness.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
  const found = lines.filter((line) => line.msg === 'request' && line.path === path).at(-1);
  if (!found) throw new Error(`no request line for ${path}`);
  return found;
}

async function authorizeUrl(harness: Harness): Promise<string> {
  const client = await nocobaseClient(harness);
  return client.authorizationUrl({ scope: 'openid', state: 'st', redirect_uri: CLIENTS.nocobase.redirectUri });
}

/** Asserts that nothing the bridge emitted came from the spoofed headers. */
async function expectUrlsFromPublicUrl(harness: Harness, headers: Record<string, string>): Promise<void> {
  const discovery = JSON.parse(
    (await raw(`${harness.issuer.replace(/\/sso$/, '')}/.well-known/openid-configuration`, headers)).body,
  ) as Record<string, unknown>;
  expect(discovery.issuer).toBe(harness.issuer);
  for (const name of [
    'authorization_endpoint',
    'token_endpoint',
    'userinfo_endpoint',
    'jwks_uri',
    'end_session_endpoint',
  ]) {
    expect(String(discovery[name]).startsWith(`${harness.issuer}/`), name).toBe(true);
  }
  const authorize = await raw(await authorizeUrl(harness), headers);
  expect(authorize.status).toBe(302);
  const wecom = new URL(String(authorize.headers.location));
  expect(wecom.searchParams.get('redirect_uri')).toBe(`${harness.issuer}/wecom/callback`);
  // Cookies follow PUBLIC_URL (http on loopback): no Secure, no __Host- prefix, whatever the proto header says.
  const cookies = ([] as string[]).concat(authorize.headers['set-cookie'] ?? []);
  expect(cookies.length).toBeGreaterThan(0);
  for (const cookie of cookies) {
    expect(cookie).toMatch(/^wecom-oidc-login(-[A-Za-z0-9_-]{16})?=/);
    expect(cookie).not.toMatch(/Secure/i);
    expect(cookie).toMatch(/Path=\//);
  }
}

describe('TRUST_PROXY', () => {
  it('false (default): X-Forwarded-For is ignored; URLs come from PUBLIC_URL only', async () => {
    h = await startHarness({ captureLogs: true });
    await expectUrlsFromPublicUrl(h, { ...SPOOFED, 'x-forwarded-for': '203.0.113.9' });
    expect(logLineFor(h, '/authorize').ip).toBe('127.0.0.1');
    // The bridge says so, once, naming the peer and what to set.
    const warnings = h.logs.filter((line) => line.includes('X-Forwarded-For arrives from'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({
      level: 40,
      peer: '127.0.0.1',
      msg: expect.stringContaining('set TRUST_PROXY=127.0.0.1'),
    });
  });

  it('addresses: the proxy at 127.0.0.1 is believed, and the client IP reaches the logs', async () => {
    h = await startHarness({ captureLogs: true, env: { TRUST_PROXY: '127.0.0.1/8, ::1' } });
    await expectUrlsFromPublicUrl(h, { ...SPOOFED, 'x-forwarded-for': '203.0.113.9' });
    expect(logLineFor(h, '/authorize').ip).toBe('203.0.113.9');
    expect(h.logs.some((line) => line.includes('X-Forwarded-For arrives from'))).toBe(false);
  });

  it('a hop count trusts that many proxies from the right of X-Forwarded-For', async () => {
    h = await startHarness({ captureLogs: true, env: { TRUST_PROXY: '1' } });
    await expectUrlsFromPublicUrl(h, { ...SPOOFED, 'x-forwarded-for': '198.51.100.7, 203.0.113.9' });
    // One trusted hop (the socket peer): the client is the last address it forwarded.
    expect(logLineFor(h, '/authorize').ip).toBe('203.0.113.9');
  });

  it('behind a hop count, 400 /authorize requests from one socket with forged left-most entries are counted as the real peer: 100 get 429 (issue 27)', {
    timeout: 120_000,
  }, async () => {
    // What a client behind nginx's $proxy_add_x_forwarded_for sends: its own made-up entries,
    // to which the proxy (here: one socket from 127.0.0.1) appends the real peer. TRUST_PROXY=true
    // took the left-most, so every request came from a new address and none was ever limited.
    const forged = fc.array(
      fc.oneof(
        fc.ipV4(),
        fc.ipV6(),
        fc.integer({ min: 1, max: 254 }).map((n) => `203.0.113.${n}`),
      ),
      { minLength: 1, maxLength: 3 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(forged, { minLength: 400, maxLength: 400 }), async (chains) => {
        const bridge = await startHarness({ captureLogs: true, env: { TRUST_PROXY: '1' } });
        const socket = new Client(bridge.issuer, { pipelining: 1 });
        try {
          const statuses: Record<number, number> = {};
          for (const chain of chains) {
            const { statusCode, body } = await socket.request({
              method: 'GET',
              path: `/authorize?${AUTHORIZE_QUERY}`,
              headers: { 'x-forwarded-for': [...chain, '127.0.0.1'].join(', ') },
            });
            await body.dump();
            statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
          }
          expect(statuses).toEqual({
            302: bridge.config.rateLimit.authorizePerIp,
            429: 400 - bridge.config.rateLimit.authorizePerIp,
          });
          expect(logLineFor(bridge, '/authorize').ip).toBe('127.0.0.1');
        } finally {
          await socket.close();
          await bridge.close();
        }
      }),
      { numRuns: 2 },
    );
  });

  it('true is refused before the bridge starts, naming the safe forms (issue 27)', () => {
    for (const value of ['true', 'TRUE', 'yes', 'on']) {
      const error = (() => {
        try {
          loadConfig(harnessEnv(8080, 'http://127.0.0.1:9', { TRUST_PROXY: value }));
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([{ variable: 'TRUST_PROXY', message: TRUST_PROXY_TRUE_REFUSED }]);
    }
    expect(TRUST_PROXY_TRUE_REFUSED).toMatch(/hop count/);
    expect(TRUST_PROXY_TRUE_REFUSED).toMatch(/addresses\/CIDRs/);
  });
});

describe('PUBLIC_URL with a path prefix (https://example.com/sso style)', () => {
  it('logs in end to end with openid-client v5 and v6 through the prefixed URLs', async () => {
    h = await startHarness({ publicPath: '/sso' });
    expect(h.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sso$/);
    const v5 = await nocobaseLogin(h, h.browser('zhangsan'));
    expect(v5.tokenSet!.claims()).toMatchObject({ iss: h.issuer, sub: 'zhangsan' });
    expect(new URL(v5.flow.hops[0]!.url).pathname).toBe('/sso/authorize');
    expect(new URL(v5.flow.hops[0]!.location!).searchParams.get('redirect_uri')).toBe(`${h.issuer}/wecom/callback`);
    expect(new URL(v5.flow.hops[2]!.url).pathname).toBe('/sso/wecom/callback');
    expect((await v5.client.userinfo(v5.tokenSet!.access_token!)).sub).toBe('zhangsan');
    const v6 = await modernLogin(h, h.browser('lisi'));
    expect(v6.tokens!.claims()).toMatchObject({ iss: h.issuer, sub: 'lisi' });
    expect((await oidc.fetchUserInfo(v6.config, v6.tokens!.access_token, 'lisi')).sub).toBe('lisi');
  });

  it('also serves a proxy that strips the prefix, and still emits prefixed URLs', async () => {
    h = await startHarness({ publicPath: '/sso' });
    const origin = h.issuer.replace(/\/sso$/, '');
    const stripped = (await (await fetch(`${origin}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    const passed = await (await fetch(`${h.issuer}/.well-known/openid-configuration`)).json();
    expect(stripped).toEqual(passed);
    expect(stripped.token_endpoint).toBe(`${h.issuer}/token`);
    const authorize = new URL(await authorizeUrl(h));
    const response = await raw(`${origin}${authorize.pathname.replace(/^\/sso/, '')}${authorize.search}`, {});
    expect(response.status).toBe(302);
    expect(new URL(String(response.headers.location)).searchParams.get('redirect_uri')).toBe(
      `${h.issuer}/wecom/callback`,
    );
    // The health probe works at both paths too (a proxy's health check may use either).
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.issuer}/healthz`)).status).toBe(200);
  });
});
