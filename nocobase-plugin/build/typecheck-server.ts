/**
 * `npm run typecheck:nocobase-plugin`: type-checks the plugin's server against the typings of a
 * real NocoBase (@nocobase/server, auth, database, actions, cache, plugin-auth), the one the
 * real-NocoBase tests install into the cache (demo/nocobase/install.ts; a first run installs it).
 *
 * tsconfig.server.json maps those packages into `nocobase-plugin/.nocobase`, a link to the
 * installed app (gitignored) made here, so the config itself names no machine's paths and a
 * fresh clone without NocoBase still passes `npm run typecheck` (tsconfig.json).
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNocoBase } from '../../demo/nocobase/install.js';

const PLUGIN = fileURLToPath(new URL('..', import.meta.url));

/** Where tsconfig.server.json expects the NocoBase app. */
export const NOCOBASE_LINK = join(PLUGIN, '.nocobase');

/** The outcome of one `tsc -p tsconfig.server.json`. */
export interface TypecheckResult {
  readonly ok: boolean;
  /** tsc's diagnostics (empty when ok). */
  readonly output: string;
}

/** Points `nocobase-plugin/.nocobase` at `appDir` (replacing a link to another install). */
export function linkNocoBase(appDir: string): void {
  const target = resolve(appDir);
  if (currentLink() === target) return;
  rmSync(NOCOBASE_LINK, { force: true });
  symlinkSync(target, NOCOBASE_LINK, 'dir');
}

/** Type-checks src/server against the NocoBase at `appDir`. */
export function typecheckServer(appDir: string): TypecheckResult {
  linkNocoBase(appDir);
  const tsc = join(PLUGIN, '../node_modules/typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(PLUGIN, 'tsconfig.server.json')], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

function currentLink(): string | undefined {
  try {
    return lstatSync(NOCOBASE_LINK).isSymbolicLink() ? resolve(PLUGIN, readlinkSync(NOCOBASE_LINK)) : undefined;
  } catch {
    return undefined;
  }
}

function main(): void {
  const { appDir } = ensureNocoBase((line) => process.stderr.write(`${line}\n`));
  const result = typecheckServer(appDir);
  if (result.output) process.stderr.write(`${result.output}\n`);
  process.stdout.write(result.ok ? `nocobase-plugin server: types agree with the NocoBase at ${appDir}\n` : '');
  process.exit(result.ok ? 0 : 1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
