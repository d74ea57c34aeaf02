/**
 * The image without Docker (no engine runs on our machines): replays the Dockerfile's COPY, ENV
 * and RUN instructions in a temporary directory per stage (`/app` of a stage = its directory),
 * then starts its CMD and runs its HEALTHCHECK. System-level steps that need root inside an
 * image (apt-get for tini, the /data volume) are the only ones skipped; a BuildKit cache mount
 * is the host's npm cache here.
 */
import { execFileSync, execSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPem } from '../../src/keys/generate.js';
import { envPairs, execForm, type Instruction, readDockerfile } from '../helpers/dockerfile.js';
import { freePort } from '../helpers/free-port.js';
import { harnessEnv } from '../helpers/harness.js';
import { ChildBridge } from '../helpers/process.js';

/** RUN steps not replayed, and why. */
const SKIPPED: readonly { match: RegExp; why: string }[] = [
  { match: /^apt-get /, why: 'installs tini into the image (system package; PID 1 only matters in a container)' },
  { match: /^mkdir -p \/data && chown/, why: 'creates the /data volume owned by the image user' },
];

/** Where the image keeps the NocoBase plugin's tarball. */
const PLUGIN_DIR = '/opt/wecom-oidc-bridge/nocobase-plugin';

interface Image {
  readonly root: string;
  readonly dirs: Record<string, string>;
  readonly env: Record<string, string>;
  readonly cmd: string[];
  readonly healthcheck: string[];
  readonly skipped: string[];
}

/** Builds the image's file system outside Docker. */
function build(instructions: readonly Instruction[]): Image {
  const root = mkdtempSync(join(tmpdir(), 'wob-image-'));
  const dirs: Record<string, string> = {};
  let env: Record<string, string> = {};
  let cmd: string[] = [];
  let healthcheck: string[] = [];
  const skipped: string[] = [];
  // `/app` of a stage is its directory; any other absolute path lands in `<stage>.fs/` beside it.
  const inStage = (stage: string, path: string) =>
    /^\/(?!app(\/|$))/.test(path)
      ? join(root, `${stage}.fs`, path)
      : resolve(dirs[stage]!, path.replace(/^\/app\/?/, './'));
  for (const step of instructions) {
    const dir = dirs[step.stage];
    switch (step.keyword) {
      case 'FROM':
        dirs[step.stage] = join(root, step.stage);
        mkdirSync(dirs[step.stage]!);
        env = {};
        break;
      case 'WORKDIR':
        if (step.args !== '/app') throw new Error(`unsupported WORKDIR ${step.args}`);
        break;
      case 'ENV':
        env = { ...env, ...envPairs(step.args) };
        break;
      case 'COPY': {
        const parts = step.args.split(/\s+/);
        const target = inStage(step.stage, parts.pop()!);
        for (const source of parts) {
          const from = step.flags.from ? inStage(step.flags.from, source) : resolve(source);
          const to =
            parts.length > 1 || target.endsWith('/') || existsSync(target) ? join(target, basename(source)) : target;
          mkdirSync(dirname(to), { recursive: true });
          cpSync(from, to, { recursive: true });
        }
        break;
      }
      case 'RUN': {
        const skip = SKIPPED.find((rule) => rule.match.test(step.args));
        if (skip) {
          skipped.push(`${step.args.slice(0, 40)}…: ${skip.why}`);
          break;
        }
        // Node 24 (this test's own) first in PATH, as in the node:24-slim image.
        const path = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
        // prefer-offline: the packages come from the cache mount (here the host's npm cache) when there.
        const started = Date.now();
        // No NocoBase in an image build: the plugin's build takes its versions from its package.json.
        const noNocoBase = { WOB_NOCOBASE_CACHE: join(root, 'no-nocobase') };
        execSync(step.args, {
          cwd: dir,
          env: { ...process.env, ...noNocoBase, ...env, PATH: path, npm_config_prefer_offline: 'true' },
          stdio: 'pipe',
          shell: '/bin/sh',
        });
        console.info(
          `[image] ${step.stage}: ${step.args.slice(0, 60)} (${Math.round((Date.now() - started) / 1000)} s)`,
        );
        break;
      }
      case 'CMD':
        cmd = execForm(step.args)!;
        break;
      case 'HEALTHCHECK':
        healthcheck = execForm(step.args)!;
        break;
      default:
        break; // USER, VOLUME, EXPOSE, LABEL, ENTRYPOINT: container metadata.
    }
  }
  return { root, dirs, env, cmd, healthcheck, skipped };
}

let image: Image | undefined;

afterAll(() => {
  if (image) rmSync(image.root, { recursive: true, force: true });
});

describe('the Dockerfile, replayed outside Docker', () => {
  it('builds, starts its CMD, passes its HEALTHCHECK and exits 0 on SIGTERM', { timeout: 300_000 }, async () => {
    const instructions = readDockerfile();
    image = build(instructions);
    const runtime = image.dirs[instructions.at(-1)!.stage]!;
    expect(image.skipped).toHaveLength(2);
    // The runtime has production dependencies only.
    expect(existsSync(join(runtime, 'node_modules/fastify'))).toBe(true);
    for (const dev of ['typescript', 'vitest', 'openid-client', 'tsx'])
      expect(existsSync(join(runtime, 'node_modules', dev)), dev).toBe(false);
    expect(existsSync(join(runtime, 'dist/src/main.js'))).toBe(true);
    // The NocoBase plugin of the same version, where docs/nocobase.md's step 2 copies it from.
    const plugin = JSON.parse(readFileSync('nocobase-plugin/package.json', 'utf8')) as {
      name: string;
      version: string;
    };
    const pluginDir = join(image.root, `${instructions.at(-1)!.stage}.fs`, PLUGIN_DIR);
    const tgz = `${plugin.name.replace(/^@/, '').replace('/', '-')}-${plugin.version}.tgz`;
    expect(readdirSync(pluginDir)).toEqual([tgz]);
    expect(execFileSync('tar', ['tzf', join(pluginDir, tgz)], { encoding: 'utf8' })).toContain(
      'package/dist/server/index.js',
    );
    expect(readFileSync('docs/nocobase.md', 'utf8')).toContain(`${PLUGIN_DIR}/*.tgz`);

    const port = await freePort();
    const env = {
      ...harnessEnv(port, 'http://127.0.0.1:9'),
      HOST: undefined,
      ...image.env,
      PORT: String(port),
      SIGNING_KEY: generateSigningKeyPem('RS256'),
    };
    expect(image.cmd[0]).toBe('node');
    const bridge = new ChildBridge(env, { cwd: runtime, script: image.cmd[1]!, args: image.cmd.slice(2) });
    await bridge.waitFor('wecom-oidc-bridge listening');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const check = () =>
      spawnSync(process.execPath, image!.healthcheck.slice(1), {
        cwd: runtime,
        env: { PATH: process.env.PATH ?? '', ...env },
      }).status;
    expect(image.healthcheck[0]).toBe('node');
    expect(check()).toBe(0);
    expect(await bridge.stop('SIGTERM')).toBe(0);
    expect(check()).toBe(1);
  });
});
