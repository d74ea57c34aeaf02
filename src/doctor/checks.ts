/**
 * The doctor's checks: the signing key, Redis and WeCom, each with what to do when it fails.
 * They use the service's own code (key parsing, RedisStore, the WeCom HTTP call and errcode
 * table, the outbound proxy), so a green doctor means the service will see the same.
 */
import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { parsePrivateKeys } from '../config/signing-key.js';
import type { Config } from '../config/types.js';
import { KeyRing } from '../keys/key-ring.js';
import { keptKeyPath, readKeptKey } from '../keys/load.js';
import { RedisStore } from '../store/redis.js';
import { WeComApiError } from '../wecom/errors.js';
import { callWeCom, type WeComHttpOptions } from '../wecom/http.js';

/** The outcome of one check. */
export interface CheckResult {
  readonly name: string;
  readonly status: 'ok' | 'warn' | 'fail';
  /** The first line says what was found; later lines say what to do. */
  readonly lines: readonly string[];
  /** The egress IP WeCom reported, when it did (60020). */
  readonly egressIp?: string;
}

/** GETDEL, which makes single use atomic, exists from Redis 6.2 on. */
const MIN_REDIS_VERSION = [6, 2] as const;

/** Loads every configured key, signs a token with the first and verifies it. */
export async function checkSigningKey(config: Config): Promise<CheckResult> {
  const name = 'signing key';
  const { key, alg, dataDir } = config.signing;
  try {
    if (key === undefined) {
      const path = keptKeyPath(dataDir, alg);
      const kept = readKeptKey(path);
      if (!kept) {
        return {
          name,
          status: 'warn',
          lines: [
            `no SIGNING_KEY: the first start generates one and keeps it at ${path}`,
            'fine for one instance; several replicas need one shared SIGNING_KEY (npm run --silent keygen)',
          ],
        };
      }
      return describeRing(name, await KeyRing.fromKeyObjects([kept], alg), config, [
        `generated key kept at ${path} (one instance only)`,
      ]);
    }
    return describeRing(name, await KeyRing.fromKeyObjects(parsePrivateKeys(key), alg), config, []);
  } catch (error) {
    return {
      name,
      status: 'fail',
      lines: [
        `unusable: ${(error as Error).message}`,
        'set SIGNING_KEY(_FILE) to a PKCS#8 PEM, e.g. from npm run --silent keygen',
      ],
    };
  }
}

async function describeRing(name: string, ring: KeyRing, config: Config, extra: string[]): Promise<CheckResult> {
  const token = await ring.sign({ iss: config.publicUrl, sub: 'doctor', exp: Math.floor(Date.now() / 1000) + 60 });
  if (!(await ring.verify(token, { issuer: config.publicUrl }))) {
    return { name, status: 'fail', lines: ['a token signed with the first key does not verify'] };
  }
  const count = ring.jwks().keys.length;
  const rotation = count > 1 ? `; ${count - 1} older key(s) stay in the JWKS for verification` : '';
  return { name, status: 'ok', lines: [`${ring.alg}, kid ${ring.currentKid} signs${rotation}`, ...extra] };
}

/** Connects to Redis, checks its version and does a write/read/delete round trip. */
export async function checkRedis(config: Config): Promise<CheckResult> {
  const name = 'Redis';
  if (!config.redis)
    return { name, status: 'ok', lines: ['not configured: state lives in memory (one instance only)'] };
  const where = redactUrl(config.redis.url);
  const store = new RedisStore({
    url: config.redis.url,
    keyPrefix: config.redis.keyPrefix,
    connectionName: 'wecom-oidc-bridge-doctor',
  });
  try {
    await store.connect();
    await store.ping();
    const version = /redis_version:([\d.]+)/.exec(await store.client.info('server'))?.[1] ?? '0';
    if (!atLeast(version, MIN_REDIS_VERSION)) {
      return {
        name,
        status: 'fail',
        lines: [
          `${where} runs Redis ${version}`,
          `Redis ${MIN_REDIS_VERSION.join('.')} or newer is required (GETDEL makes codes single-use)`,
        ],
      };
    }
    const key = `doctor:${randomBytes(8).toString('hex')}`;
    await store.set(key, { ok: true }, 30);
    const back = await store.take<{ ok: boolean }>(key);
    if (back?.ok !== true) return { name, status: 'fail', lines: [`${where}: a written value did not read back`] };
    return {
      name,
      status: 'ok',
      lines: [
        `${where} answers (Redis ${version}); write, read and delete work under prefix "${config.redis.keyPrefix}"`,
      ],
    };
  } catch (error) {
    const cause = store.connectionError ?? (error as { cause?: Error }).cause?.message ?? (error as Error).message;
    return {
      name,
      status: 'fail',
      lines: [
        `${where} does not answer: ${cause}`,
        'check that Redis runs, that this host can reach it, and the password/database in REDIS_URL',
      ],
    };
  } finally {
    await store.close();
  }
}

/**
 * gettoken with the configured corp ID and secret, then one data API: `auth/getuserinfo` with a
 * code that cannot exist. 40029 ("invalid code") proves the token works from this egress IP;
 * 60020 means the IP is not trusted (gettoken itself succeeds from any IP).
 */
export async function checkWeCom(config: Config, dispatcher: Dispatcher): Promise<CheckResult> {
  const name = 'WeCom';
  const http: WeComHttpOptions = { apiBase: config.wecom.apiBase, dispatcher };
  let token: string;
  try {
    const answer = await callWeCom(http, 'gettoken', '/cgi-bin/gettoken', {
      corpid: config.wecom.corpId,
      corpsecret: config.wecom.secret,
    });
    token = String(answer.access_token ?? '');
  } catch (error) {
    return weComFailure(name, 'gettoken', error, config);
  }
  try {
    await callWeCom(http, 'getuserinfo', '/cgi-bin/auth/getuserinfo', {
      access_token: token,
      code: `doctor${randomBytes(8).toString('hex')}`,
    });
    return {
      name,
      status: 'warn',
      lines: ['gettoken works; auth/getuserinfo accepted a made-up code (unexpected for WeCom)'],
    };
  } catch (error) {
    if (error instanceof WeComApiError && error.errcode === 40029) {
      return {
        name,
        status: 'ok',
        lines: [`gettoken works for corp ${config.wecom.corpId}; data APIs answer from this egress IP`],
      };
    }
    return weComFailure(name, 'auth/getuserinfo', error, config);
  }
}

function weComFailure(name: string, api: string, error: unknown, config: Config): CheckResult {
  if (!(error instanceof WeComApiError)) throw error;
  const egressIp = typeof error.details.egressIp === 'string' ? error.details.egressIp : undefined;
  const found =
    error.errcode === -1
      ? `${api}: cannot reach ${config.wecom.apiBase} (network, DNS, firewall${config.outboundProxy ? ' or the proxy in HTTPS_PROXY/HTTP_PROXY' : '; set HTTPS_PROXY if egress needs a proxy'})`
      : `${api} failed: errcode ${error.errcode} (${error.reason})`;
  const fix =
    error.hint ??
    (error.errcode === -1 ? undefined : `see https://open.work.weixin.qq.com/devtool/query?e=${error.errcode}`);
  return { name, status: 'fail', lines: [found, ...(fix ? [`fix: ${fix}`] : [])], ...(egressIp ? { egressIp } : {}) };
}

/** A URL for output: no password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function atLeast(version: string, minimum: readonly [number, number]): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > minimum[0] || (major === minimum[0] && minor >= minimum[1]);
}
