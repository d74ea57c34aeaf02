/**
 * The NocoBase plugin's tarball as a package: its layout (what NocoBase's plugin manager and
 * `storage/plugins/` expect), `npm publish --dry-run` on it (name, version, files, licence, no
 * warnings but the missing login), its README outside the repository, and the versions
 * dist/externalVersion.js records: from an installed NocoBase when there is one (a stand-in
 * here), else from package.json's `nocobase.builtAgainst`, the build saying which.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const MANIFEST = JSON.parse(readFileSync(join(ROOT, 'nocobase-plugin/package.json'), 'utf8')) as Record<string, any>;
const work = mkdtempSync(join(tmpdir(), 'wob-plugin-package-'));

/** The files at the tarball's root and below, as the plugin manager and storage/plugins/ take them. */
const FILES = [
  'LICENSE',
  'README.md',
  'client-v2.js',
  'client.js',
  'dist/client-v2/index.js',
  'dist/client/index.js',
  'dist/externalVersion.js',
  'dist/locale/en-US.json',
  'dist/locale/zh-CN.json',
  'dist/server/index.js',
  'package.json',
  'server.js',
];

interface Built {
  readonly tgz: string;
  /** What the build said on stderr. */
  readonly said: string;
}

/** `npm run build:nocobase-plugin` into a folder of its own, with the NocoBase cache at `cache`. */
function buildPlugin(name: string, cache: string): Built {
  const out = join(work, name);
  const result = spawnSync(
    join(ROOT, 'node_modules/.bin/tsx'),
    [join(ROOT, 'nocobase-plugin/build/build.ts'), '--out', out],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, WOB_NOCOBASE_CACHE: cache } },
  );
  if (result.status !== 0) throw new Error(`build failed: ${result.stderr}`);
  const files = readdirSync(out);
  expect(files).toHaveLength(1);
  return { tgz: join(out, files[0]!), said: result.stderr };
}

function packed(tgz: string, file: string): string {
  return execFileSync('tar', ['xzOf', tgz, `package/${file}`], { encoding: 'utf8' });
}

function externalVersions(tgz: string): Record<string, string> {
  const module = { exports: {} as Record<string, string> };
  new Function('module', packed(tgz, 'dist/externalVersion.js'))(module);
  return module.exports;
}

let plain: Built;
beforeAll(() => {
  plain = buildPlugin('plain', join(work, 'no-nocobase-here'));
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the NocoBase plugin package', () => {
  it('holds exactly the files NocoBase expects, under package/', () => {
    const entries = execFileSync('tar', ['tzf', plain.tgz], { encoding: 'utf8' }).trim().split('\n');
    expect(entries.map((entry) => entry.replace(/^package\//, '')).sort()).toEqual([...FILES].sort());
    expect(entries.every((entry) => entry.startsWith('package/'))).toBe(true);
    expect(plain.tgz.endsWith(`wecom-oidc-bridge-plugin-auth-wecom-bridge-${MANIFEST.version}.tgz`)).toBe(true);
  });

  it('passes npm publish --dry-run with its name, version, files and nothing to warn about but the login', () => {
    const result = spawnSync('npm', ['publish', '--dry-run', '--json', plain.tgz], { cwd: work, encoding: 'utf8' });
    expect(result.status).toBe(0);
    const report = (
      JSON.parse(result.stdout) as Record<string, { name: string; version: string; files: { path: string }[] }>
    )[MANIFEST.name];
    expect(report).toMatchObject({ name: '@wecom-oidc-bridge/plugin-auth-wecom-bridge', version: MANIFEST.version });
    expect(report!.files.map((file) => file.path).sort()).toEqual([...FILES].sort());
    const warnings = result.stderr
      .split('\n')
      .filter((line) => /npm (warn|error)/i.test(line) && !/requires you to be logged in/.test(line));
    expect(warnings).toEqual([]);
    expect(result.stderr).toContain('public access');
  });

  it('carries its metadata, the MIT licence and a README that stands on its own', () => {
    const manifest = JSON.parse(packed(plain.tgz, 'package.json')) as Record<string, any>;
    expect(manifest).toMatchObject({
      name: MANIFEST.name,
      version: MANIFEST.version,
      license: 'MIT',
      main: './dist/server/index.js',
      displayName: expect.any(String),
      'displayName.zh-CN': expect.any(String),
      description: expect.any(String),
    });
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual([
      '@nocobase/auth',
      '@nocobase/client',
      '@nocobase/client-v2',
      '@nocobase/plugin-auth',
      '@nocobase/server',
    ]);
    expect(manifest.dependencies).toBeUndefined();
    expect(packed(plain.tgz, 'LICENSE')).toMatch(/^MIT License/);
    const readme = packed(plain.tgz, 'README.md');
    expect(readme).toMatch(/^# Auth: WeCom \(OpenID Connect\) for NocoBase/);
    expect(readme).not.toMatch(/\]\(\.\.\//);
    expect(readme).toContain('`docs/nocobase.md` in the wecom-oidc-bridge repository');
    for (const [root, target] of [
      ['server.js', 'server'],
      ['client.js', 'client'],
      ['client-v2.js', 'client-v2'],
    ])
      expect(packed(plain.tgz, root!)).toContain(`require('./dist/${target}/index.js')`);
  });
});

describe('dist/externalVersion.js', () => {
  it('without an installed NocoBase: the versions package.json records, and the build says so', () => {
    const recorded = MANIFEST.nocobase.builtAgainst as Record<string, string>;
    expect(externalVersions(plain.tgz)).toEqual({
      '@nocobase/auth': recorded['@nocobase'],
      '@nocobase/client': recorded['@nocobase'],
      '@nocobase/client-v2': recorded['@nocobase'],
      '@nocobase/plugin-auth': recorded['@nocobase'],
      '@nocobase/server': recorded['@nocobase'],
      antd: recorded.antd,
      react: recorded.react,
    });
    expect(plain.said).toContain(
      'dist/externalVersion.js: versions from nocobase-plugin/package.json (nocobase.builtAgainst',
    );
  });

  it("with an installed NocoBase: its packages' versions, the browser ones as NocoBase's own auth plugin recorded them", () => {
    const cache = join(work, 'fake-cache');
    const modules = join(cache, 'app/node_modules/@nocobase');
    const pkg = (name: string, version: string) => {
      mkdirSync(join(modules, name), { recursive: true });
      writeFileSync(join(modules, name, 'package.json'), JSON.stringify({ name: `@nocobase/${name}`, version }));
    };
    pkg('app', '2.3.4');
    pkg('server', '2.3.4');
    pkg('auth', '2.3.3');
    pkg('plugin-auth', '2.3.4');
    mkdirSync(join(modules, 'plugin-auth/dist'), { recursive: true });
    writeFileSync(
      join(modules, 'plugin-auth/dist/externalVersion.js'),
      'module.exports = { "react": "18.3.1", "antd": "5.30.0", "lodash": "4.18.1" };\n',
    );
    const built = buildPlugin('against-nocobase', cache);
    expect(externalVersions(built.tgz)).toEqual({
      '@nocobase/auth': '2.3.3',
      '@nocobase/client': '2.3.4',
      '@nocobase/client-v2': '2.3.4',
      '@nocobase/plugin-auth': '2.3.4',
      '@nocobase/server': '2.3.4',
      antd: '5.30.0',
      react: '18.3.1',
    });
    expect(built.said).toContain(`dist/externalVersion.js: versions from the NocoBase 2.3.4 at ${join(cache, 'app')}`);
  }, 120_000);
});
