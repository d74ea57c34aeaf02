/** The processes of a run (simulator, bridge, floor, Redis), each on a loopback port and always stopped, also on Ctrl+C. */
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../demo/free-port.js';

const HOST = '127.0.0.1';
/** dist/ of this build: bench/ sits beside src/ and sim/. */
const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The bridge's node flags in production (`npm start`, the Dockerfile's CMD; a test keeps them in step). */
export const BRIDGE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--heap-growing-percent=30'];

/** The environment the production image sets (the Dockerfile's ENV; a test keeps it in step). */
export const BRIDGE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1' };

/** The bridge's REDIS_KEY_PREFIX: the keys of this run. */
export const REDIS_KEY_PREFIX = `bench-${process.pid}:`;

/** A running child process, the URL it serves and when it was spawned (`performance.now()`); {@link stopAll} stops it. */
export type Service = { readonly pid: number; readonly url: string; readonly spawnedAt: number };

/** The relying party the benchmark plays (nobody serves its redirect URI), with a fresh secret per run. */
export const CLIENT = {
  id: 'bench-rp',
  secret: randomBytes(24).toString('base64url'),
  redirectUri: `http://${HOST}:9/bench/callback`,
};

/** The WeCom simulator with `members` generated members (user00001…), answering at once. */
export async function startSimulator(members: number): Promise<Service> {
  const port = await freePort(HOST);
  const args = [
    join(DIST, 'sim/main.js'),
    '--host',
    HOST,
    '--port',
    String(port),
    '--latency',
    '0',
    '--members',
    String(members),
  ];
  return started('simulator', process.execPath, args, port, (output) => output.includes('listening on'));
}

/** The floor server (bench/floor.ts) with the bridge's runtime settings, calling the simulator at `simUrl`. */
export async function startFloor(simUrl: string): Promise<Service> {
  const port = await freePort(HOST);
  const args = [
    ...BRIDGE_NODE_FLAGS,
    join(DIST, 'bench/floor.js'),
    '--port',
    String(port),
    '--sim',
    simUrl,
    '--redirect-uri',
    CLIENT.redirectUri,
  ];
  return started('floor', process.execPath, args, port, (output) => output.includes('listening on'), {
    env: { ...BRIDGE_ENV },
  });
}

/** Starts the bridge (this build's, or `bridgeEntry`) as in production and waits for `/readyz`; `cpuProfile`: V8's profile file. */
export async function startBridge(
  simUrl: string,
  redisUrl: string | undefined,
  { bridgeEntry, cpuProfile }: { bridgeEntry?: string; cpuProfile?: string },
) {
  const [port, metricsPort] = [await freePort(HOST), await freePort(HOST)];
  const url = `http://${HOST}:${port}`;
  // A scratch working directory: the bridge reads `.env` from its cwd, and a developer's must not count.
  const cwd = mkdtempSync(join(tmpdir(), 'wecom-oidc-bench-'));
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
  const env = {
    ...BRIDGE_ENV,
    PUBLIC_URL: url,
    HOST,
    PORT: String(port),
    DATA_DIR: join(cwd, 'data'),
    LOG_LEVEL: 'warn',
    METRICS_ADDRESS: `${HOST}:${metricsPort}`,
    WECOM_CORP_ID: 'ww5imulat0rc0rp1d',
    WECOM_AGENT_ID: '1000002',
    WECOM_SECRET: 'sim-secret-0123456789',
    WECOM_API_BASE: simUrl,
    WECOM_OAUTH_BASE: simUrl,
    WECOM_SSO_BASE: simUrl,
    OIDC_CLIENT_ID: CLIENT.id,
    OIDC_CLIENT_SECRET: CLIENT.secret,
    OIDC_REDIRECT_URIS: CLIENT.redirectUri,
    SIGNING_KEY: signingKey,
    // Every browser is 127.0.0.1: the limits are raised, not switched off, so their counters still cost.
    RATE_LIMIT_AUTHORIZE_PER_IP: '1000000',
    RATE_LIMIT_TOKEN_PER_IP: '1000000',
    RATE_LIMIT_TOKEN_PER_CLIENT: '1000000',
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX } : {}),
  };
  const entry = bridgeEntry === undefined ? join(DIST, 'src/main.js') : resolve(bridgeEntry);
  if (cpuProfile) mkdirSync(dirname(cpuProfile), { recursive: true });
  const profiler = cpuProfile
    ? ['--cpu-prof', `--cpu-prof-dir=${dirname(cpuProfile)}`, `--cpu-prof-name=${basename(cpuProfile)}`]
    : [];
  const ready = () =>
    fetch(`${url}/readyz`).then(
      async (answer) => {
        await answer.arrayBuffer();
        return answer.ok;
      },
      () => false,
    );
  const service = await started('bridge', process.execPath, [...BRIDGE_NODE_FLAGS, ...profiler, entry], port, ready, {
    env,
    cwd,
  });
  return { ...service, metricsUrl: `http://${HOST}:${metricsPort}` };
}

/** A private, non-persistent `redis-server` from PATH: its counters are the bridge's alone. */
export async function startRedis(): Promise<Service> {
  const port = await freePort(HOST);
  const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no'];
  const cwd = mkdtempSync(join(tmpdir(), 'wecom-oidc-bench-redis-'));
  const redis = await started(
    'redis-server',
    'redis-server',
    args,
    port,
    (output) => output.includes('Ready to accept'),
    { cwd },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n(install redis-server, pass --redis-url, or use --store memory)`);
  });
  return { ...redis, url: `redis://${HOST}:${port}` };
}

const running: ChildProcess[] = [];
const gone = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null || child.pid === undefined;

/** Stops every child started so far, the last first: SIGTERM, then SIGKILL after 10 s. */
export async function stopAll(): Promise<void> {
  for (const child of running.splice(0).reverse()) {
    if (gone(child)) continue;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    // An unreferenced timer: a pending one would keep the benchmark alive after the child exited.
    if (!(await Promise.race([exited.then(() => true), sleep(10_000, false, { ref: false })]))) child.kill('SIGKILL');
    await exited;
  }
}

/** Kills every child still running when the benchmark exits, also on Ctrl+C. */
export function killAllOnExit(): void {
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
}

/** Spawns `command` with only the environment Node needs; waits until `ready`, given what it printed so far. */
async function started(
  name: string,
  command: string,
  args: readonly string[],
  port: number,
  ready: (output: string) => boolean | Promise<boolean>,
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<Service> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', ...options.env };
  const spawnedAt = performance.now();
  const child = spawn(command, args, { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let output = '';
  // The tail is enough for an error message; a chatty child must not grow our memory.
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.once('error', (error) => (output += `\n${error.message}`));
  for (const deadline = Date.now() + 15_000; !(await ready(output)); await sleep(50)) {
    if (gone(child) || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start:\n${output}`);
    }
  }
  return { pid: child.pid!, url: `http://${HOST}:${port}`, spawnedAt };
}
