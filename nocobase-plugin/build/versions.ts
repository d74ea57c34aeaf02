/**
 * The versions `dist/externalVersion.js` records: for each package the plugin's bundles leave to
 * NocoBase (NocoBase's plugin manager checks them against the ranges of its own release, e.g.
 * `@nocobase/*` 2.2.x, react 18.x, antd 5.x), the version the plugin was built against.
 *
 * Taken from the NocoBase the real-NocoBase tests install, when it is there: `@nocobase/*` from the
 * packages themselves (the browser ones, prebuilt inside @nocobase/app and not installed, have
 * @nocobase/app's version); react, antd… from what NocoBase's own @nocobase/plugin-auth recorded
 * for them in its externalVersion.js (the browser bundles of @nocobase/app carry them, installed
 * nowhere). Without that install, from `nocobase.builtAgainst` in nocobase-plugin/package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** `nocobase.builtAgainst` of nocobase-plugin/package.json: `@nocobase` for every @nocobase/* package. */
export type RecordedVersions = Readonly<Record<string, string>>;

/** The versions and where they came from (said in the build's output). */
export interface ExternalVersions {
  readonly versions: Record<string, string>;
  readonly source: string;
}

/** Whether `appDir` holds an installed NocoBase app. */
export function isNocoBaseApp(appDir: string): boolean {
  return existsSync(join(appDir, 'node_modules/@nocobase/app/package.json'));
}

/** The versions of `packages` (package names, no subpaths) from the NocoBase app at `appDir`. */
export function versionsFromApp(packages: readonly string[], appDir: string): ExternalVersions {
  const modules = join(appDir, 'node_modules');
  const app = packageVersion(join(modules, '@nocobase/app'))!;
  const shared = sharedModuleVersions(modules);
  const versions: Record<string, string> = {};
  for (const name of packages) {
    const version = name.startsWith('@nocobase/') ? (packageVersion(join(modules, name)) ?? app) : shared[name];
    if (!version) throw new Error(`NocoBase ${app} at ${appDir} records no version of ${name}`);
    versions[name] = version;
  }
  return { versions, source: `the NocoBase ${app} at ${appDir}` };
}

/** The versions of `packages` from `nocobase.builtAgainst` of the plugin's package.json. */
export function versionsFromManifest(
  packages: readonly string[],
  recorded: RecordedVersions | undefined,
): ExternalVersions {
  const versions: Record<string, string> = {};
  for (const name of packages) {
    const version = recorded?.[name.startsWith('@nocobase/') ? '@nocobase' : name];
    if (!version) throw new Error(`nocobase-plugin/package.json: nocobase.builtAgainst records no version of ${name}`);
    versions[name] = version;
  }
  return {
    versions,
    source: `nocobase-plugin/package.json (nocobase.builtAgainst: NocoBase ${recorded?.['@nocobase']})`,
  };
}

/** The module `dist/externalVersion.js` of `versions`. */
export function externalVersionModule(versions: Readonly<Record<string, string>>): string {
  return `module.exports = ${JSON.stringify(versions, null, 2)};\n`;
}

/** The package a module specifier belongs to: `@nocobase/plugin-auth/client` → `@nocobase/plugin-auth`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

function packageVersion(dir: string): string | undefined {
  const file = join(dir, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : undefined;
}

/** What NocoBase's auth plugin was built against for the browser modules NocoBase shares (react, antd…). */
function sharedModuleVersions(modules: string): Record<string, string> {
  const file = join(modules, '@nocobase/plugin-auth/dist/externalVersion.js');
  return existsSync(file) ? (createRequire(file)(file) as Record<string, string>) : {};
}
