/**
 * A real NocoBase site for the adapter's tests: NocoBase 2.2 from npm (installed once into the
 * cache, see demo/nocobase/install.ts) on a fresh PostgreSQL database, the bridge and the WeCom
 * simulator beside it, the adapter built by `npm run build:nocobase-plugin` and uploaded through
 * NocoBase's plugin manager, and one authenticator "wecom" (auto sign-up, auto login in WeCom).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NocoBaseApi } from '../../demo/nocobase/api.js';
import { ensureNocoBase } from '../../demo/nocobase/install.js';
import { type NocoBaseInstance, postgresAvailable, startNocoBase } from '../../demo/nocobase/instance.js';
import { CHROMIUM_PATH } from '../browser/chromium.js';
import { TRICKY_SECRET } from '../helpers/env.js';
import { freePort } from '../helpers/free-port.js';
import { type Harness, startHarness } from '../helpers/harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The client NocoBase is registered as at the bridge (its secret needs form-encoding in Basic). */
export const SITE_CLIENT = { id: 'nocobase-site', secret: TRICKY_SECRET } as const;

/** The event server's Token and EncodingAESKey, as set in WeCom's console and in the bridge. */
const EVENT_SERVER = {
  token: 'nocobaseSiteEvents42',
  encodingAesKey: 'Qn6KdZr8uVx2bTyP4wLs9HfJ3mGc7EaN1oRiUdSkXhW',
} as const;

/** A running site. */
export interface Site {
  readonly harness: Harness;
  readonly nocobase: NocoBaseInstance;
  /** NocoBase's API as root. */
  readonly api: NocoBaseApi;
  /** The options of a working authenticator (add keys to vary it). */
  readonly options: Record<string, unknown>;
  /** Wall-clock seconds of each setup step, for the closing note. */
  readonly timings: Record<string, number>;
  /** The plugin package built for this run. */
  readonly tgz: string;
  close(): Promise<void>;
}

/**
 * Whether the real-NocoBase tests can run: PostgreSQL answers and Chromium is there. Without
 * them they are skipped with a notice; in CI (`CI=true`) or with REQUIRE_NOCOBASE=1 a missing one
 * fails the run instead.
 */
export function realNocoBaseAvailable(): boolean {
  const missing = [
    postgresAvailable() ? '' : 'PostgreSQL (psql -h 127.0.0.1 -U postgres)',
    existsSync(CHROMIUM_PATH) ? '' : `Chromium (${CHROMIUM_PATH})`,
  ].filter(Boolean);
  if (missing.length === 0) return true;
  if (process.env.CI === 'true' || process.env.REQUIRE_NOCOBASE === '1')
    throw new Error(`the real-NocoBase tests need ${missing.join(' and ')}`);
  console.warn(
    `\n[tests] ${missing.join(' and ')} not available: the real-NocoBase tests are SKIPPED (set REQUIRE_NOCOBASE=1 to fail instead)\n`,
  );
  return false;
}

/** Builds the plugin package and returns its path (exactly one .tgz). */
export function buildPlugin(): string {
  execFileSync('npm', ['run', '--silent', 'build:nocobase-plugin'], { cwd: ROOT, stdio: 'pipe' });
  const dir = join(ROOT, 'dist/nocobase-plugin');
  const files = readdirSync(dir);
  if (files.length !== 1 || !files[0]!.endsWith('.tgz'))
    throw new Error(`expected exactly one .tgz in ${dir}, found ${files.join(', ')}`);
  return join(dir, files[0]!);
}

/** Starts the whole site; `close()` stops NocoBase (by its process group), drops its database, stops the bridge. */
export async function startSite(): Promise<Site> {
  const timings: Record<string, number> = {};
  const timed = async <T>(step: string, work: () => T | Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await work();
    timings[step] = Math.round((Date.now() - started) / 100) / 10;
    return result;
  };
  const install = await timed('install (cache)', () => ensureNocoBase((line) => console.log(`[nocobase] ${line}`)));
  // NocoBase's upload keeps an unpacked copy of the same version it finds in storage/plugins/ (a
  // previous run's, in the shared cache): without this, a run would test the last run's plugin.
  forgetUnpackedPlugin(install.appDir);
  const tgz = await timed('build:nocobase-plugin', buildPlugin);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const harness = await startHarness({
    env: {
      OIDC_CLIENT_ID: SITE_CLIENT.id,
      OIDC_CLIENT_SECRET: SITE_CLIENT.secret,
      // The https form too: the attack tests reach NocoBase as through a TLS proxy (X-Forwarded-Proto).
      OIDC_REDIRECT_URIS: `${origin}/api/wecomBridge:redirect,${origin.replace('http:', 'https:')}/api/wecomBridge:redirect`,
      OIDC_POST_LOGOUT_REDIRECT_URIS: `${origin}/signin,${origin}/v/signin`,
      // Offboarding: the simulator's contact events reach the bridge, whose logout tokens reach the plugin.
      OIDC_BACKCHANNEL_LOGOUT_URI: `${origin}/api/wecomBridge:backchannelLogout`,
      WECOM_CALLBACK_TOKEN: EVENT_SERVER.token,
      WECOM_CALLBACK_AES_KEY: EVENT_SERVER.encodingAesKey,
      LOG_LEVEL: 'warn',
    },
  });
  harness.sim.state.setConfig({ eventTarget: { ...EVENT_SERVER, url: `${harness.issuer}/wecom/events` } });
  let nocobase: NocoBaseInstance | undefined;
  try {
    nocobase = await timed('nocobase install + start', () =>
      startNocoBase(install, { port, database: `wob_test_${process.pid}_${Date.now()}` }),
    );
    const api = new NocoBaseApi(nocobase.url);
    await api.signInRoot();
    await timed('plugin upload + enable', () => api.uploadAndEnable(tgz));
    // Installed in English; Chinese enabled too, for the pages in both languages.
    const languages = await api.call('systemSettings:update', {
      method: 'POST',
      query: { filterByTk: '1' },
      body: { enabledLanguages: ['en-US', 'zh-CN'] },
    });
    if (languages.status !== 200)
      throw new Error(`systemSettings:update answered ${languages.status}: ${JSON.stringify(languages.body)}`);
    const options = {
      issuer: harness.issuer,
      clientId: SITE_CLIENT.id,
      clientSecret: SITE_CLIENT.secret,
      autoSignup: true,
      autoLoginInWeCom: true,
    };
    const created = await api.createAuthenticator('wecom', options, '');
    if (created.status !== 200)
      throw new Error(`authenticators:create answered ${created.status}: ${JSON.stringify(created.body)}`);
    const running = nocobase;
    return {
      harness,
      nocobase: running,
      api,
      options,
      timings,
      tgz,
      close: async () => {
        await running.stop();
        await harness.close();
      },
    };
  } catch (error) {
    await nocobase?.stop();
    await harness.close();
    throw error;
  }
}

/** Removes the plugin unpacked under the cached install's `storage/plugins/`. */
function forgetUnpackedPlugin(appDir: string): void {
  const { name } = JSON.parse(readFileSync(join(ROOT, 'nocobase-plugin/package.json'), 'utf8')) as { name: string };
  rmSync(join(appDir, 'storage/plugins', name), { recursive: true, force: true });
}

/**
 * The Docker path: a second NocoBase on a fresh database of the same install, the package
 * unpacked into `storage/plugins/<name>/` (as the compose example mounts it), `pm add` and
 * `pm enable` through NocoBase's CLI, then started. Returns the auth types it offers; stops it.
 */
export async function installFromStoragePlugins(site: Site): Promise<Array<{ name: string; title?: string }>> {
  const install = ensureNocoBase();
  const { name } = JSON.parse(readFileSync(join(ROOT, 'nocobase-plugin/package.json'), 'utf8')) as { name: string };
  const target = join(install.appDir, 'storage/plugins', name);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['xzf', site.tgz, '--strip-components=1', '-C', target]);
  return authTypesAfter(install, 'storage', (cli) => {
    cli(['pm', 'add', name]);
    cli(['pm', 'enable', name]);
  });
}

/** The tarball given to NocoBase's CLI, `pm add <file>.tgz` (it unpacks it itself), then `pm enable`. */
export async function installWithPmAddTarball(site: Site): Promise<Array<{ name: string; title?: string }>> {
  const install = ensureNocoBase();
  const { name } = JSON.parse(readFileSync(join(ROOT, 'nocobase-plugin/package.json'), 'utf8')) as { name: string };
  return authTypesAfter(install, 'tarball', (cli) => {
    cli(['pm', 'add', site.tgz]);
    cli(['pm', 'enable', name]);
  });
}

/** A second NocoBase on a fresh database, `prepare`d with its CLI before it starts: the auth types it offers. */
async function authTypesAfter(
  install: ReturnType<typeof ensureNocoBase>,
  label: string,
  prepare: (cli: (args: string[]) => string) => void,
): Promise<Array<{ name: string; title?: string }>> {
  const nocobase = await startNocoBase(install, {
    port: await freePort(),
    database: `wob_test_${label}_${process.pid}_${Date.now()}`,
    beforeStart: prepare,
  });
  try {
    const api = new NocoBaseApi(nocobase.url);
    await api.signInRoot();
    const answer = await api.call('authenticators:listTypes');
    if (answer.status !== 200) throw new Error(`authenticators:listTypes answered ${answer.status}`);
    return answer.body.data as Array<{ name: string; title?: string }>;
  } finally {
    await nocobase.stop();
  }
}
