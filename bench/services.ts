/**
 * The processes of a benchmark run, each on its own loopback port and always stopped at the end
 * (also on an error or Ctrl+C): the WeCom simulator, the bridge (the real `dist/src/main.js`,
 * configured only through its environment, as in production), the floor server and a private Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../demo/free-port.js';

const HOST = '127.0.0.1';
/** dist/ of this build: bench/ sits beside src/ and sim/. */
const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The node flags of the bridge in production (`npm start`, the Dockerfile's CMD; a test keeps the
 * three in step), so that the benchmark measures the process that runs: a young generation of
 * 2 × 4 MB (V8 otherwise sizes it from the host's memory) and an old generation that grows by 30%
 * between full collections. bench/README.md, "Memory settings", has the figures behind them.
 */
export const BRIDGE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--heap-growing-percent=30'];

/**
 * The environment the production image sets (the Dockerfile's ENV; a test keeps them in step): one
 * glibc malloc arena instead of one per signing thread of libuv's pool.
 */
export const BRIDGE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1' };

/** A running child process and the URL it serves; `stop` sends SIGTERM, then SIGKILL after 10 s. */
export interface Service {
  readonly pid: number;
  readonly url: string;
  stop(): Promise<void>;
}

/** The relying party the benchmark plays (nobody serves its redirect URI) and the bridge's signing key. */
export interface Secrets {
  readonly client: { readonly id: string; readonly secret: string; readonly redirectUri: string };
  readonly signingKeyPem: string;
}

/** Fresh secrets per run (nothing from a developer's `.env` or `DATA_DIR`). */
export function benchSecrets(): Secrets {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    client: { id: 'bench-rp', secret: randomBytes(24).toString('base64url'), redirectUri: `http://${HOST}:9/bench/callback` },
    signingKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

/** The WeCom simulator with `members` generated members (user00001…), answering at once: the bridge's own cost shows. */
export async function startSimulator(members: number): Promise<Service> {
  const port = await freePort(HOST);
  const args = [join(DIST, 'sim/main.js'), '--host', HOST, '--port', String(port), '--latency', '0', '--members', String(members)];
  return started('simulator', process.execPath, args, port, (output) => output.includes('listening on'));
}

/** The floor server (bench/floor.ts), calling the simulator at `simUrl`. */
export async function startFloor(simUrl: string, client: Secrets['client']): Promise<Service> {
  const port = await freePort(HOST);
  // The bridge's runtime settings, so that the two differ only by their code.
  const args = [...BRIDGE_NODE_FLAGS, join(DIST, 'bench/floor.js'), '--port', String(port), '--sim', simUrl, '--redirect-uri', client.redirectUri];
  return started('floor', process.execPath, args, port, (output) => output.includes('listening on'), { env: { ...BRIDGE_ENV } });
}

/**
 * Starts the bridge, configured only through its environment as in production, and waits for
 * `/readyz`. `experiment` may name another build's entry and add to {@link BRIDGE_ENV}.
 */
export async function startBridge(
  simUrl: string,
  secrets: Secrets,
  redisUrl: string | undefined,
  nodeFlags: readonly string[],
  experiment: { readonly bridgeEntry: string | undefined; readonly bridgeEnv: Readonly<Record<string, string>> },
): Promise<Service & { readonly metricsUrl: string }> {
  const [port, metricsPort] = [await freePort(HOST), await freePort(HOST)];
  const url = `http://${HOST}:${port}`;
  // A scratch working directory: the bridge reads `.env` from its cwd, and a developer's must not count.
  const cwd = mkdtempSync(join(tmpdir(), 'wecom-oidc-bench-'));
  const [sim, client] = [simUrl, secrets.client];
  const env = {
    ...BRIDGE_ENV, ...experiment.bridgeEnv,
    PUBLIC_URL: url, HOST, PORT: String(port), DATA_DIR: join(cwd, 'data'), LOG_LEVEL: 'warn',
    METRICS_ADDRESS: `${HOST}:${metricsPort}`,
    WECOM_CORP_ID: 'ww5imulat0rc0rp1d', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 'sim-secret-0123456789',
    WECOM_API_BASE: sim, WECOM_OAUTH_BASE: sim, WECOM_SSO_BASE: sim,
    OIDC_CLIENT_ID: client.id, OIDC_CLIENT_SECRET: client.secret, OIDC_REDIRECT_URIS: client.redirectUri,
    SIGNING_KEY: secrets.signingKeyPem,
    // Every browser of the benchmark is 127.0.0.1: the limits are raised, not switched off, so
    // their counters still cost what they cost in production.
    RATE_LIMIT_AUTHORIZE_PER_IP: '1000000', RATE_LIMIT_TOKEN_PER_IP: '1000000', RATE_LIMIT_TOKEN_PER_CLIENT: '1000000',
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `bench-${process.pid}:` } : {}),
  };
  const entry = experiment.bridgeEntry === undefined ? join(DIST, 'src/main.js') : resolve(experiment.bridgeEntry);
  const ready = () => fetch(`${url}/readyz`).then(async (answer) => (await answer.arrayBuffer(), answer.ok), () => false);
  const service = await started('bridge', process.execPath, [...nodeFlags, entry], port, ready, { env, cwd });
  return { ...service, metricsUrl: `http://${HOST}:${metricsPort}` };
}

/**
 * A private, non-persistent `redis-server` from PATH: its counters (commands, reads) then belong
 * to the bridge alone, and nobody else's data is touched.
 */
export async function startRedis(): Promise<Service> {
  const port = await freePort(HOST);
  const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no'];
  const cwd = mkdtempSync(join(tmpdir(), 'wecom-oidc-bench-redis-'));
  const redis = await started('redis-server', 'redis-server', args, port, (output) => output.includes('Ready to accept'), { cwd }).catch((error: Error) => {
    throw new Error(`${error.message}\n(install redis-server, pass --redis-url, or use --store memory)`);
  });
  return { ...redis, url: `redis://${HOST}:${port}` };
}

const running = new Set<ChildProcess>();

/** Kills every child still running when the benchmark exits, also on Ctrl+C. */
export function stopAllOnExit(): void {
  process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
}

/**
 * Spawns `command` with only the environment Node needs (the caller's variables must not leak in)
 * and waits until `ready` says it serves on `port`, given what it printed so far.
 */
async function started(
  name: string,
  command: string,
  args: readonly string[],
  port: number,
  ready: (output: string) => boolean | Promise<boolean>,
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<Service> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', ...options.env };
  const child = spawn(command, args, { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  // The tail is enough for an error message; a chatty child must not grow our memory.
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.once('error', (error) => (output += `\n${error.message}`));
  const exited = new Promise((done) => child.once('exit', done));
  for (const deadline = Date.now() + 15_000; !(await ready(output)); await sleep(50)) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start:\n${output}`);
    }
  }
  const stop = async () => {
    running.delete(child);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    // An unreferenced timer: a pending one would keep the benchmark alive after the child exited.
    const exitedInTime = await Promise.race([exited.then(() => true), sleep(10_000, false, { ref: false })]);
    if (!exitedInTime) child.kill('SIGKILL');
    await exited;
  };
  return { pid: child.pid!, url: `http://${HOST}:${port}`, stop };
}
