/**
 * The processes a benchmark run drives, each on its own loopback port: the WeCom simulator, the
 * bridge (the real `dist/src/main.js`, configured only through its environment, as in
 * production), the bare fastify server of the ceiling, and a private Redis.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../demo/free-port.js';
import { startChild, waitForHttp, waitForOutput, type Child } from './child.js';

const HOST = '127.0.0.1';
/** dist/ of this build: bench/ sits beside src/ and sim/. */
const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The node flags the bridge runs with in production (`npm start`, the Dockerfile's CMD; a test
 * keeps the three in step); the benchmark measures the same process. Both bound memory:
 * - a young generation of 2 × 4 MB: by default V8 sizes it from the host's memory, up to 64 MB
 *   per semi-space, 100 MB of RSS on a large host; 4 MB costs ~0.04 ms of scavenging per login
 *   more than 8 MB and saves ~6 MB at steady load (2 MB saves hardly more; bench/README.md,
 *   "Memory settings");
 * - an old generation that may grow by 30% between full collections instead of up to 4×: under
 *   steady load it otherwise fills with dead objects for a long time before the first one
 *   (30% instead of 50%: ~5–7 MB less at steady load, no CPU difference the benchmark can show).
 */
export const BRIDGE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--heap-growing-percent=30'];

/**
 * Environment the production image sets for the bridge (the Dockerfile's ENV; a test keeps them
 * in step): one glibc malloc arena. Otherwise every thread that signs (libuv's pool) gets its
 * own arena, 6–13 MB of RSS at steady load (one arena instead of two: 1–3 MB more) for no CPU
 * gain the benchmark can measure: the main thread and the signing threads seldom malloc at once.
 */
export const BRIDGE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1' };

/** A running service. */
export interface Service {
  readonly child: Child;
  readonly url: string;
}

/** The relying party the benchmark plays. Its redirect URI is on loopback and nobody serves it. */
export interface BenchClient {
  readonly id: string;
  readonly secret: string;
  readonly redirectUri: string;
}

/** A fresh client and signing key per run (nothing from a developer's `.env` or `DATA_DIR`). */
export function benchSecrets(): { client: BenchClient; signingKeyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    client: { id: 'bench-rp', secret: randomBytes(24).toString('base64url'), redirectUri: `http://${HOST}:9/bench/callback` },
    signingKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

/** Environment for children: only what Node needs, so the caller's variables cannot leak in. */
function baseEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production' };
}

/** Starts the WeCom simulator with `members` generated members (user00001…). */
export async function startSimulator(options: { latencyMs: number; members: number }): Promise<Service> {
  const port = await freePort(HOST);
  const child = startChild('simulator', process.execPath, [
    join(DIST, 'sim/main.js'), '--host', HOST, '--port', String(port),
    '--latency', String(options.latencyMs), '--members', String(options.members),
  ], { env: baseEnv() });
  const match = await waitForOutput(child, /listening on (http:\/\/\S+)/);
  return { child, url: match[1]! };
}

/** Options of {@link startBridge}. */
export interface BridgeOptions {
  readonly simUrl: string;
  readonly client: BenchClient;
  readonly signingKeyPem: string;
  readonly redisUrl?: string;
  /** Extra node flags, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
  /** The bridge's entry point (default: this build's `dist/src/main.js`). */
  readonly entry?: string;
  /** Environment on top of {@link BRIDGE_ENV} (experiments). */
  readonly extraEnv?: Readonly<Record<string, string>>;
}

/** Starts the bridge (`node dist/src/main.js`) and waits for `/readyz`. */
export async function startBridge(options: BridgeOptions): Promise<Service> {
  const port = await freePort(HOST);
  const url = `http://${HOST}:${port}`;
  // A scratch working directory: the bridge reads `.env` from its cwd, and a developer's must not count.
  const cwd = mkdtempSync(join(tmpdir(), 'wecom-oidc-bench-'));
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    ...BRIDGE_ENV,
    ...options.extraEnv,
    PUBLIC_URL: url,
    HOST,
    PORT: String(port),
    WECOM_CORP_ID: 'ww5imulat0rc0rp1d',
    WECOM_AGENT_ID: '1000002',
    WECOM_SECRET: 'sim-secret-0123456789',
    WECOM_API_BASE: options.simUrl,
    WECOM_OAUTH_BASE: options.simUrl,
    WECOM_SSO_BASE: options.simUrl,
    OIDC_CLIENT_ID: options.client.id,
    OIDC_CLIENT_SECRET: options.client.secret,
    OIDC_REDIRECT_URIS: options.client.redirectUri,
    SIGNING_KEY: options.signingKeyPem,
    DATA_DIR: join(cwd, 'data'),
    LOG_LEVEL: 'warn',
    // Every browser of the benchmark comes from 127.0.0.1: the limits are raised to their maximum,
    // not switched off, so their counters still cost what they cost in production.
    RATE_LIMIT_AUTHORIZE_PER_IP: '1000000',
    RATE_LIMIT_AUTHORIZE_PER_CLIENT: '1000000',
    RATE_LIMIT_TOKEN_PER_IP: '1000000',
    RATE_LIMIT_TOKEN_PER_CLIENT: '1000000',
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl, REDIS_KEY_PREFIX: `bench-${process.pid}:` } : {}),
  };
  const entry = options.entry === undefined ? join(DIST, 'src/main.js') : resolve(options.entry);
  const child = startChild('bridge', process.execPath, [...(options.nodeFlags ?? []), entry], { env, cwd });
  await waitForHttp(child, `${url}/readyz`);
  return { child, url };
}

/** Starts the bare fastify server of the ceiling; `/hop` calls `upstream` once per request. */
export async function startBareServer(upstream: string): Promise<Service> {
  const port = await freePort(HOST);
  const child = startChild('bare server', process.execPath, [join(DIST, 'bench/bare-server.js'), '--port', String(port), '--upstream', upstream], {
    env: baseEnv(),
  });
  const match = await waitForOutput(child, /listening on (http:\/\/\S+)/);
  return { child, url: match[1]! };
}

/** `redis-server` on PATH, if any. */
export function findRedisServer(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, 'redis-server');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * A private, non-persistent Redis for this run: its counters (commands, reads) then belong to the
 * bridge alone, and nobody else's data is touched.
 */
export async function startPrivateRedis(binary: string): Promise<Service> {
  const port = await freePort(HOST);
  const child = startChild('redis', binary, [
    '--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'notice',
  ], { env: baseEnv(), cwd: mkdtempSync(join(tmpdir(), 'wecom-oidc-bench-redis-')) });
  await waitForOutput(child, /Ready to accept connections/);
  return { child, url: `redis://${HOST}:${port}` };
}
