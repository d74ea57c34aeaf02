/**
 * A real NocoBase from npm, installed once into a cache directory outside the repository and
 * reused: `create-nocobase-app` (PostgreSQL), yarn 1, Node 24 (this repository's `node` package,
 * which NocoBase's dependencies need), and the `xlsx` resolution that keeps the install on the npm
 * registry. A fresh machine pays a few minutes once; later runs find `.ready` and return at once.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** The NocoBase release the adapter is tested against. */
export const NOCOBASE_VERSION = '2.2.15';

/** The installed NocoBase. */
export interface NocoBaseInstall {
  /** The generated app (package.json, node_modules, storage/). */
  readonly appDir: string;
  /** The Node 24 binary every NocoBase process runs on. */
  readonly node: string;
  /** PATH with Node 24 and yarn first. */
  readonly path: string;
}

/** `$WOB_NOCOBASE_CACHE`, else `~/.cache/wecom-oidc-bridge/nocobase-<version>`. */
export function cacheDir(): string {
  return (
    process.env.WOB_NOCOBASE_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'wecom-oidc-bridge', `nocobase-${NOCOBASE_VERSION}`)
  );
}

/**
 * The Node that runs this process, which `npm run`/`npm test` take from this repository's `node`
 * dev dependency (Node 24): NocoBase's processes get the same one.
 */
export function nodeBinary(): string {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  throw new Error(
    `NocoBase needs Node 22 or later, this is ${process.version}: run it through npm ("npm run demo:nocobase", "npm test"), which puts the repository's Node 24 first`,
  );
}

/**
 * Installs NocoBase into the cache unless it is there, reporting each step through `progress`.
 * A half-finished install (no `.ready`) is removed and done again.
 */
export function ensureNocoBase(progress: (line: string) => void = () => {}): NocoBaseInstall {
  const root = cacheDir();
  const appDir = join(root, 'app');
  const node = nodeBinary();
  const path = [dirname(node), join(root, 'tools/node_modules/.bin'), process.env.PATH ?? ''].join(':');
  const install = { appDir, node, path };
  if (existsSync(join(root, '.ready'))) return install;
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const run = (step: string, command: string, args: string[], cwd: string) => {
    progress(`NocoBase ${NOCOBASE_VERSION}: ${step}…`);
    const started = Date.now();
    const result = spawnSync(command, args, {
      cwd,
      env: { ...process.env, PATH: path },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0)
      throw new Error(
        `${step} failed (${command} ${args.join(' ')}):\n${(result.stderr || result.stdout || '').slice(-3000)}`,
      );
    progress(`NocoBase ${NOCOBASE_VERSION}: ${step} done in ${Math.round((Date.now() - started) / 1000)} s`);
  };
  run(
    'installing yarn 1',
    'npm',
    ['install', '--prefix', join(root, 'tools'), '--no-audit', '--no-fund', 'yarn@1.22.22'],
    root,
  );
  run(
    'creating the app (create-nocobase-app)',
    'npx',
    [
      '-y',
      `create-nocobase-app@${NOCOBASE_VERSION}`,
      'app',
      '-d',
      'postgres',
      '--skip-dev-dependencies',
      '-e',
      'DB_HOST=127.0.0.1',
      '-e',
      'DB_PORT=5432',
    ],
    root,
  );
  pinXlsx(appDir);
  run(
    'installing its packages (yarn install, ~1.1 GB)',
    'yarn',
    ['install', '--network-timeout', '600000', '--non-interactive'],
    appDir,
  );
  writeFileSync(
    join(root, '.ready'),
    `${new Date().toISOString()} node ${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()}\n`,
  );
  return install;
}

/** One dependency points at a tarball on a CDN outside npm: map it to the npm release. */
function pinXlsx(appDir: string): void {
  const file = join(appDir, 'package.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { resolutions?: Record<string, string> };
  manifest.resolutions = { ...manifest.resolutions, xlsx: '0.18.5' };
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}
