/**
 * `npm run doctor` against the WeCom simulator: what it finds, how it explains WeCom's answers
 * (40013, 40001, 60020), what it tells the admin to paste where, what the bridge sees behind its
 * reverse proxy (X-Forwarded-For from a trusted peer or not), and its exit code.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeComSimulator, type WeComSimulator } from '../../sim/server.js';
import { runDoctor } from '../../src/doctor/doctor.js';
import { generateSigningKeyPem } from '../../src/keys/generate.js';
import { validEnv } from '../helpers/env.js';
import { startHarness } from '../helpers/harness.js';
import { ChildBridge, requireBuild } from '../helpers/process.js';
import { REDIS_TEST_URL, redisAvailable } from '../helpers/redis.js';

const withRedis = await redisAvailable();
const KEY = generateSigningKeyPem('RS256');
let sim: WeComSimulator;

beforeAll(async () => {
  sim = await startWeComSimulator();
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.state.reset();
});

/** Runs the doctor in-process; returns its exit code and output. */
async function doctor(
  overrides: Record<string, string | undefined> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const env = validEnv({
    PUBLIC_URL: 'https://sso.example.com:8443',
    WECOM_API_BASE: sim.url,
    SIGNING_KEY: KEY,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'wob-doctor-')),
    ...overrides,
  });
  const code = await runDoctor(env, { out: (text) => (out += text), err: (text) => (err += text) });
  return { code, out, err };
}

describe('doctor', () => {
  it.runIf(withRedis)('passes a good setup and prints what to paste where', async () => {
    const { code, out } = await doctor({ REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: 'test:doctor:' });
    expect(code).toBe(0);
    expect(out).toMatch(/\[ ok \] configuration/);
    expect(out).toMatch(/\[ ok \] signing key +RS256, kid [\w-]{43} signs/);
    expect(out).toMatch(/\[ ok \] Redis +redis:\/\/127\.0\.0\.1:6379\/15 answers \(Redis \d+\.\d+/);
    expect(out).toMatch(/\[ ok \] WeCom +gettoken works/);
    // WeCom console: host with its non-default port, both login paths in auto mode.
    expect(out).toContain(
      '  网页授权及JS-SDK → 可信域名 (trusted domain, login inside WeCom):\n      sso.example.com:8443\n',
    );
    expect(out).toContain(
      '  企业微信授权登录 → Web网页授权回调域 (callback domain, web/QR login):\n      sso.example.com:8443\n',
    );
    expect(out).toContain('redirect_uri=https://sso.example.com:8443/wecom/callback');
    // NocoBase: every field of the OIDC authenticator.
    expect(out).toContain('(client "nocobase")');
    expect(out).toContain('  Issuer:\n      https://sso.example.com:8443\n');
    expect(out).toContain('  Client ID:\n      nocobase\n');
    expect(out).toContain('  Scope:\n      openid email profile phone\n');
    expect(out).toContain('  ID Token signed response algorithm:\n      RS256\n');
    expect(out).toContain('\n      https://nocobase.example.com/api/oidc:redirect\n');
    expect(out).toMatch(/Bind field[^\n]*:\n {6}email/);
    expect(out).toContain('nickname → Nickname, email → Email, phone → Phone, username → Username');
    expect(out).toContain('All checks passed.');
    // No secret is ever printed.
    for (const secret of [validEnv().OIDC_CLIENT_SECRET!, 'sim-secret-0123456789', KEY.split('\n')[1]!])
      expect(out).not.toContain(secret);
  });

  it('lists only the trusted domain the login mode uses', async () => {
    const oauth = await doctor({ WECOM_LOGIN_MODE: 'oauth' });
    expect(oauth.out).toContain('可信域名');
    expect(oauth.out).not.toContain('Web网页授权回调域');
    const qr = await doctor({ WECOM_LOGIN_MODE: 'qr', WECOM_SCOPE: 'snsapi_base' });
    expect(qr.out).not.toContain('可信域名');
    expect(qr.out).toContain('Web网页授权回调域');
    expect(qr.out).toMatch(/Bind field[^\n]*:\n {6}username/);
  });

  it('explains a wrong corp ID (40013)', async () => {
    const { code, out } = await doctor({ WECOM_CORP_ID: 'wwwrongcorp' });
    expect(code).toBe(1);
    expect(out).toMatch(/\[FAIL\] WeCom +gettoken failed: errcode 40013 \(wecom_invalid_corpid\)/);
    expect(out).toContain('fix: WECOM_CORP_ID is wrong: copy 企业ID from 我的企业 → 企业信息');
    expect(out).toContain('Failed: WeCom.');
  });

  it('explains a wrong secret (40001)', async () => {
    const { code, out } = await doctor({ WECOM_SECRET: 'not-the-app-secret' });
    expect(code).toBe(1);
    expect(out).toMatch(/gettoken failed: errcode 40001 \(wecom_invalid_secret\)/);
    expect(out).toContain('fix: WECOM_SECRET is wrong');
    expect(out).not.toContain('not-the-app-secret');
  });

  it('explains an untrusted egress IP (60020) and names the IP WeCom saw', async () => {
    sim.state.setConfig({ trustedIps: ['10.9.8.7'] });
    const { code, out } = await doctor();
    expect(code).toBe(1);
    expect(out).toMatch(/auth\/getuserinfo failed: errcode 60020 \(wecom_untrusted_ip\)/);
    expect(out).toContain('企业可信IP');
    expect(out).toContain('WeCom saw this server as 127.0.0.1');
    expect(out).toContain(
      '  企业可信IP (trusted IP):\n      127.0.0.1 (the address WeCom saw this server call from)\n',
    );
  });

  it('reports an unreachable WeCom and an unreachable Redis', async () => {
    const { code, out } = await doctor({ WECOM_API_BASE: 'http://127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1/0' });
    expect(code).toBe(1);
    expect(out).toMatch(/\[FAIL\] Redis +redis:\/\/127\.0\.0\.1:1\/0 does not answer: connect ECONNREFUSED/);
    expect(out).toMatch(/\[FAIL\] WeCom +gettoken: cannot reach http:\/\/127\.0\.0\.1:1/);
    expect(out).toContain('Failed: Redis, WeCom.');
  });

  it('warns (without failing) when no key is configured for a single instance', async () => {
    const { code, out } = await doctor({ SIGNING_KEY: undefined });
    expect(code).toBe(0);
    expect(out).toMatch(/\[warn\] signing key +no SIGNING_KEY: the first start generates one/);
  });

  it('stops on a bad configuration with the same message as npm start, exit 1', async () => {
    requireBuild();
    const env = { PUBLIC_URL: 'https://sso.example.com/', WECOM_AGENT_ID: 'x', REDIS_URL: 'redis://127.0.0.1:6379/0' };
    const cwd = mkdtempSync(join(tmpdir(), 'wob-doctor-'));
    const start = new ChildBridge(env, { cwd });
    const check = new ChildBridge(env, { cwd, script: resolve('dist/src/doctor/main.js') });
    expect(await start.exited).toBe(1);
    expect(await check.exited).toBe(1);
    expect(check.stderr).toBe(start.stderr);
    expect(check.stderr).toContain('  - SIGNING_KEY: required when REDIS_URL is set');
    expect(check.stdout).toBe('');
  });
});

/** A reverse proxy in front of `target` that appends the client's address to X-Forwarded-For. */
async function forwardingProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((incoming, outgoing) => {
    const upstream = httpRequest(
      `${target}${incoming.url}`,
      { method: incoming.method, headers: { ...incoming.headers, 'x-forwarded-for': '203.0.113.7' } },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    incoming.pipe(upstream);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) };
}

describe('doctor: the bridge behind its reverse proxy', () => {
  it('warns when X-Forwarded-For arrives from a peer TRUST_PROXY does not trust, and is content once it does', async () => {
    for (const [trustProxy, expected] of [
      [
        undefined,
        /\[warn\] reverse proxy +X-Forwarded-For reaches the bridge from a peer TRUST_PROXY does not trust[\s\S]*fix: set TRUST_PROXY/,
      ],
      ['127.0.0.1', /\[ ok \] reverse proxy +the reverse proxy's X-Forwarded-For is trusted/],
    ] as const) {
      const bridge = await startHarness({ env: trustProxy ? { TRUST_PROXY: trustProxy } : {} });
      const proxy = await forwardingProxy(bridge.issuer);
      try {
        const { code, out } = await doctor({ PUBLIC_URL: proxy.url, TRUST_PROXY: trustProxy });
        expect(out).toMatch(expected);
        expect(code).toBe(0);
      } finally {
        await proxy.close();
        await bridge.close();
      }
    }
  });

  it('says so when PUBLIC_URL cannot be reached from where it runs, without failing', async () => {
    const { code, out } = await doctor();
    expect(code).toBe(0);
    expect(out).toMatch(/\[warn\] reverse proxy +cannot reach https:\/\/sso\.example\.com:8443\/healthz from here/);
  });
});

describe('doctor: NocoBase with the WeCom plugin', () => {
  it("prints the WeCom authenticator's settings for a client registered with the plugin's redirect URI", async () => {
    const { out } = await doctor({ OIDC_REDIRECT_URIS: 'https://nocobase.example.com/api/wecomBridge:redirect' });
    expect(out).toContain('NocoBase → Settings → Authentication → Add new → WeCom (client "nocobase")');
    expect(out).toContain('  Bind existing users by:\n      Mobile number, Email');
    expect(out).toContain(
      'Redirect URI (the form shows it; registered here): https://nocobase.example.com/api/wecomBridge:redirect',
    );
    expect(out).not.toContain('Field map');
  });
});
