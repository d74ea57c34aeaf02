/**
 * `npm run build:nocobase-plugin`: bundles the plugin with esbuild (no NocoBase toolchain) and packs
 * it with `npm pack` into exactly one `dist/nocobase-plugin/<name>-<version>.tgz`, laid out the
 * way NocoBase's plugin manager takes an upload and `storage/plugins/` holds a plugin (as
 * NocoBase's own auth plugins are):
 *   package.json, server.js, client.js, client-v2.js, LICENSE, README.md,
 *   dist/server/index.js (CommonJS; jose bundled in, NocoBase's packages required at run time),
 *   dist/client/index.js and dist/client-v2/index.js (UMD/AMD modules for the classic and the
 *   modern client's loaders; React, antd and NocoBase's client packages come from the loader),
 *   dist/locale/<lang>.json, dist/externalVersion.js (the versions of what NocoBase supplies, from
 *   the NocoBase the tests install when it is there, else from package.json: versions.ts).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { cacheDir } from '../../demo/nocobase/install.js';
import {
  externalVersionModule,
  isNocoBaseApp,
  packageOf,
  type RecordedVersions,
  versionsFromApp,
  versionsFromManifest,
} from './versions.js';

const PLUGIN = fileURLToPath(new URL('..', import.meta.url));
/** `dist/nocobase-plugin`, or the folder after `--out` (the tests build into their own). */
const OUT = outDir(process.argv.slice(2)) ?? join(PLUGIN, '../dist/nocobase-plugin');
const STAGE = join(OUT, 'stage');

/** What NocoBase's browser loaders supply to plugins, per client lane (the bundles must not include them). */
const EXTERNALS = {
  client: ['react', 'antd', '@nocobase/client', '@nocobase/plugin-auth/client'],
  'client-v2': ['react', 'antd', '@nocobase/client-v2', '@nocobase/plugin-auth/client-v2'],
} as const;

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(STAGE, { recursive: true });
  const externals = [...(await buildServer()), ...(await buildClient('client')), ...(await buildClient('client-v2'))];
  writeStaticFiles();
  writeExternalVersions(externals);
  const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', OUT], { cwd: STAGE, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;
  rmSync(STAGE, { recursive: true, force: true });
  const files = readdirSync(OUT);
  if (files.length !== 1 || !files[0]!.endsWith('.tgz'))
    throw new Error(`expected one .tgz in ${OUT}, found ${files.join(', ')}`);
  process.stdout.write(`${join(OUT, tgz)}\n`);
}

/** Builds dist/server; returns the packages it requires from NocoBase. */
async function buildServer(): Promise<string[]> {
  const result = await build({
    entryPoints: [join(PLUGIN, 'src/server/index.ts')],
    outfile: join(STAGE, 'dist/server/index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['@nocobase/*'],
    legalComments: 'eof',
    logLevel: 'warning',
    metafile: true,
  });
  return externalPackages(result.metafile);
}

/** Builds dist/<lane>; returns the packages it takes from NocoBase's browser loader. */
async function buildClient(lane: keyof typeof EXTERNALS): Promise<string[]> {
  const result = await build({
    entryPoints: [join(PLUGIN, `src/${lane}/index.tsx`)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'cjs',
    target: 'es2020',
    external: [...EXTERNALS[lane]],
    jsx: 'transform',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  const body = result.outputFiles[0]!.text;
  mkdirSync(join(STAGE, 'dist', lane), { recursive: true });
  writeFileSync(join(STAGE, 'dist', lane, 'index.js'), umd(body, EXTERNALS[lane]));
  return externalPackages(result.metafile);
}

/** The packages (not subpaths, not Node's own modules) a bundle imports without including them. */
function externalPackages(metafile: Metafile): string[] {
  const imports = Object.values(metafile.outputs).flatMap((output) => output.imports);
  return imports
    .filter((entry) => entry.external && !entry.path.startsWith('node:') && !builtinModules.includes(entry.path))
    .map((entry) => packageOf(entry.path));
}

/**
 * dist/externalVersion.js: NocoBase's plugin manager checks these versions against its own
 * release's ranges. Says where they came from.
 */
function writeExternalVersions(externals: readonly string[]): void {
  const packages = [...new Set(externals)].sort();
  const appDir = join(cacheDir(), 'app');
  const manifest = JSON.parse(readFileSync(join(PLUGIN, 'package.json'), 'utf8')) as {
    nocobase?: { builtAgainst?: RecordedVersions };
  };
  const { versions, source } = isNocoBaseApp(appDir)
    ? versionsFromApp(packages, appDir)
    : versionsFromManifest(packages, manifest.nocobase?.builtAgainst);
  writeFileSync(join(STAGE, 'dist/externalVersion.js'), externalVersionModule(versions));
  process.stderr.write(`dist/externalVersion.js: versions from ${source}\n`);
}

/**
 * Wraps CommonJS code as a UMD module: an anonymous AMD `define` (NocoBase's loader is RequireJS,
 * which names the module after the path it loaded), or CommonJS.
 */
function umd(commonJs: string, externals: readonly string[]): string {
  const deps = JSON.stringify(['require', 'exports', 'module', ...externals]);
  return `(function (factory) {
  if (typeof define === 'function' && define.amd) define(${deps}, factory);
  else if (typeof module === 'object' && module.exports) factory(require, exports, module);
})(function (require, exports, module) {
${commonJs}
});
`;
}

function writeStaticFiles(): void {
  const manifest = JSON.parse(readFileSync(join(PLUGIN, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(STAGE, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(STAGE, 'server.js'), "'use strict';\nmodule.exports = require('./dist/server/index.js');\n");
  writeFileSync(join(STAGE, 'client.js'), "'use strict';\nmodule.exports = require('./dist/client/index.js');\n");
  // The modern client loads only plugins with this root marker.
  writeFileSync(join(STAGE, 'client-v2.js'), "'use strict';\nmodule.exports = require('./dist/client-v2/index.js');\n");
  mkdirSync(join(STAGE, 'dist/locale'), { recursive: true });
  for (const file of readdirSync(join(PLUGIN, 'src/locale')))
    copyFileSync(join(PLUGIN, 'src/locale', file), join(STAGE, 'dist/locale', file));
  copyFileSync(join(PLUGIN, 'LICENSE'), join(STAGE, 'LICENSE'));
  writeFileSync(join(STAGE, 'README.md'), packedReadme(readFileSync(join(PLUGIN, 'README.md'), 'utf8')));
}

/**
 * The README as the package shows it (npm, NocoBase's plugin manager): links into the rest of the
 * repository (`../docs/nocobase.md`) lead nowhere outside it, so they name the file instead.
 */
export function packedReadme(markdown: string): string {
  return markdown.replace(
    /\[([^\]]+)\]\(\.\.\/([^)#\s]+)(#[^)\s]*)?\)/g,
    (_, label: string, path: string) => `${label} (\`${path}\` in the wecom-oidc-bridge repository)`,
  );
}

function outDir(args: readonly string[]): string | undefined {
  const at = args.indexOf('--out');
  return at >= 0 && args[at + 1] ? resolve(args[at + 1]!) : undefined;
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url))
  main().catch((error: unknown) => {
    process.stderr.write(`build:nocobase-plugin failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
