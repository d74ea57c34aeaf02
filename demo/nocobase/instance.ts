/**
 * One NocoBase run from the cached install: a fresh PostgreSQL database, `nocobase install`,
 * then `nocobase start` on a loopback port in its own process group (stopped by that group's
 * PID, never by name), and the database dropped afterwards.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NocoBaseInstall } from './install.js';

/** PostgreSQL as the machine offers it (trust auth on loopback); overridable for other hosts. */
const PG = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: process.env.PGPORT ?? '5432',
  admin: process.env.PGUSER ?? 'postgres',
};
/** The role NocoBase connects as (created when missing). */
const DB_USER = 'wob_nocobase';

/** NocoBase's root account as `nocobase install` creates it. */
export const ROOT_ACCOUNT = { account: 'nocobase', password: 'admin123' } as const;

/** A running NocoBase. */
export interface NocoBaseInstance {
  /** e.g. `http://127.0.0.1:13456` (no trailing slash). */
  readonly url: string;
  readonly database: string;
  /** Everything NocoBase printed so far. */
  output(): string;
  /** Resident memory of NocoBase's processes (its process group), in MB; undefined once stopped. */
  rssMb(): number | undefined;
  /** Runs `nocobase <args>` (its CLI) against this instance's database; returns its output. */
  cli(args: string[]): string;
  /** Restarts NocoBase on the same database with `env` added (e.g. APP_CLIENT_ENTRY_MODE). */
  restart(env: Record<string, string>): Promise<void>;
  /** Stops NocoBase (its process group) and drops its database. */
  stop(): Promise<void>;
}

/** Whether PostgreSQL answers (psql from Debian's postgresql-client). */
export function postgresAvailable(): boolean {
  const result = spawnSync('psql', [...pgArgs('postgres'), '-tAc', 'select 1'], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() === '1';
}

/**
 * Creates a fresh database, installs NocoBase's schema into it and starts NocoBase on `port`.
 */
export async function startNocoBase(
  install: NocoBaseInstall,
  options: {
    port: number;
    database: string;
    progress?: (line: string) => void;
    /** Runs after `nocobase install`, before the start (e.g. `pm add` of a plugin in storage/plugins). */
    beforeStart?: (cli: (args: string[]) => string) => void;
  },
): Promise<NocoBaseInstance> {
  const progress = options.progress ?? (() => {});
  const env = {
    ...process.env,
    PATH: install.path,
    DB_DATABASE: options.database,
    DB_USER,
    DB_PASSWORD: DB_USER,
    DB_HOST: PG.host,
    DB_PORT: PG.port,
    APP_PORT: String(options.port),
    APP_LAUNCH_MODE: 'node',
    INIT_LANG: 'en-US',
    SOCKET_PATH: socketPath(options.port),
  };
  const cli = (args: string[]): string => {
    const result = spawnSync(install.node, [join(install.appDir, 'node_modules/.bin/nocobase-v1'), ...args], {
      cwd: install.appDir,
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0)
      throw new Error(`nocobase ${args.join(' ')} failed:\n${(result.stderr + result.stdout).slice(-3000)}`);
    return result.stdout;
  };
  // A socket left by a killed instance on the same port would take the CLI's commands.
  rmSync(env.SOCKET_PATH, { force: true });
  progress(`NocoBase: a fresh database ${options.database}…`);
  freshDatabase(options.database);
  progress('NocoBase: installing its schema and root user (nocobase install)…');
  cli(['install', '-l', 'en-US']);
  options.beforeStart?.(cli);
  progress(`NocoBase: starting on port ${options.port}…`);
  const url = `http://127.0.0.1:${options.port}`;
  let running = launch(install, env);
  const stop = async () => {
    await stopGroup(running.child, running.exited);
    dropDatabase(options.database);
  };
  const restart = async (extra: Record<string, string>) => {
    await stopGroup(running.child, running.exited);
    rmSync(env.SOCKET_PATH, { force: true });
    running = launch(install, { ...env, ...extra });
    await waitUntilServing(url, running.child, running.output);
  };
  try {
    await waitUntilServing(url, running.child, running.output);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    database: options.database,
    output: () => running.output(),
    rssMb: () => groupRssMb(running.child.pid),
    cli,
    restart,
    stop,
  };
}

/** Starts `nocobase start` in a process group of its own, collecting what it prints. */
function launch(
  install: NocoBaseInstall,
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; exited: Promise<void>; output: () => string } {
  const child = spawn(install.node, [join(install.appDir, 'node_modules/.bin/nocobase-v1'), 'start'], {
    cwd: install.appDir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited, output: () => output };
}

/** Waits until NocoBase answers its app info (it serves the API some seconds after the port opens). */
export async function waitUntilServing(
  url: string,
  child?: ChildProcess,
  output: () => string = () => '',
  timeoutMs = 180_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new Error(`NocoBase exited with ${child.exitCode}:\n${output().slice(-3000)}`);
    try {
      const response = await fetch(`${url}/api/app:getInfo`, { signal: AbortSignal.timeout(5000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`NocoBase did not serve ${url} within ${timeoutMs / 1000} s:\n${output().slice(-3000)}`);
}

/** SIGTERM to the process group, SIGKILL after 15 s. */
async function stopGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // the group is gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
  // Children of the group that outlived the leader.
  signal('SIGKILL');
}

/**
 * NocoBase's CLI hands commands to a running app through its IPC socket (default
 * `storage/gateway.sock`, shared by every instance of one install): each instance gets its own,
 * or `nocobase install` of a second instance would reach the first.
 */
function socketPath(port: number): string {
  return join(tmpdir(), `wob-nocobase-${port}.sock`);
}

function freshDatabase(database: string): void {
  psql(
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${DB_USER}') THEN CREATE ROLE ${DB_USER} LOGIN PASSWORD '${DB_USER}' CREATEDB; END IF; END $$;`,
  );
  dropDatabase(database);
  psql(`CREATE DATABASE "${database}" OWNER ${DB_USER}`);
}

function dropDatabase(database: string): void {
  psql(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
}

function psql(sql: string): void {
  const result = spawnSync('psql', [...pgArgs('postgres'), '-v', 'ON_ERROR_STOP=1', '-qc', sql], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`psql failed (${sql}): ${result.stderr}`);
}

function pgArgs(database: string): string[] {
  return ['-h', PG.host, '-p', PG.port, '-U', PG.admin, '-d', database];
}

/** The summed RSS of the process group `pgid` (ps reports KiB), or undefined when it is gone. */
function groupRssMb(pgid: number | undefined): number | undefined {
  if (pgid === undefined) return undefined;
  try {
    const kib = execFileSync('ps', ['-o', 'rss=', '-g', String(pgid)], { encoding: 'utf8' })
      .split('\n')
      .reduce((sum, line) => sum + (Number(line.trim()) || 0), 0);
    return kib > 0 ? Math.round(kib / 1024) : undefined;
  } catch {
    return undefined;
  }
}
