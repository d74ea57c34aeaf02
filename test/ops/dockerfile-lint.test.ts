/**
 * Lints the Dockerfile. hadolint is not a Debian package (and downloading its release binary is
 * not possible on our machines), so the lint is: dockerfile-utils' validator (the checks of the
 * Docker language server: syntax, flags, JSON forms, ports, deprecated instructions), the
 * hadolint rules that apply to this file, and issue #4's list for the image.
 */
import { readFileSync } from 'node:fs';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { BRIDGE_NODE_FLAGS } from '../../bench/services.js';
import { envPairs, execForm, readDockerfile } from '../helpers/dockerfile.js';

const text = readFileSync('Dockerfile', 'utf8');
const instructions = readDockerfile();
const of = (keyword: string, stage?: string) =>
  instructions.filter((i) => i.keyword === keyword && (stage === undefined || i.stage === stage));
const runtime = instructions.at(-1)!.stage;

describe('Dockerfile lint', () => {
  it('has no diagnostics from dockerfile-utils', () => {
    expect(validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('follows the hadolint rules that apply', () => {
    const runs = of('RUN').map((i) => i.args);
    // DL3007/DL3006: tagged base images, never latest.
    for (const from of of('FROM'))
      expect(from.args).toMatch(/^[\w./-]+:(?!latest)[\w.-]+(@sha256:[0-9a-f]{64})?\s+AS\s+\w+$/i);
    // DL3000: absolute WORKDIR. DL3003: no cd in RUN. DL3004: no sudo. DL3020: COPY, not ADD.
    for (const workdir of of('WORKDIR')) expect(workdir.args).toMatch(/^\//);
    for (const run of runs) expect(run).not.toMatch(/(^|&&|;)\s*(cd|sudo)\s/);
    expect(of('ADD')).toEqual([]);
    // DL3009/DL3015/DL3014: apt lists removed, no recommended packages, non-interactive.
    for (const run of runs.filter((r) => r.includes('apt-get install'))) {
      expect(run).toContain('--no-install-recommends');
      expect(run).toMatch(/\s-y\s/);
      expect(run).toContain('rm -rf /var/lib/apt/lists/*');
    }
    // DL3025: exec form for CMD and ENTRYPOINT (signals reach the process). DL4006 needs no pipes.
    for (const form of [...of('CMD'), ...of('ENTRYPOINT')]) expect(execForm(form.args)).toBeDefined();
    for (const run of runs) expect(run).not.toMatch(/[^|]\|[^|]/);
    // DL3002: the last USER is not root. DL3022: COPY --from names an earlier stage.
    expect(of('USER').at(-1)!.args).not.toMatch(/^(root|0)$/);
    const stages = of('FROM').map((from) => from.stage);
    for (const copy of of('COPY').filter((c) => c.flags.from))
      expect(stages.slice(0, stages.indexOf(copy.stage))).toContain(copy.flags.from);
    // DL4000: no MAINTAINER. DL3057 is met: there is a HEALTHCHECK.
    expect(of('MAINTAINER')).toEqual([]);
    expect(of('HEALTHCHECK')).toHaveLength(1);
  });

  it('builds the image issue #4 asks for', () => {
    // Multi-stage on Node 24 slim; runtime dependencies only in the runtime stage.
    expect(of('FROM').map((from) => from.args)).toEqual(['node:24-slim AS build', 'node:24-slim AS runtime']);
    expect(of('RUN', runtime).some((run) => /npm ci --omit=dev/.test(run.args))).toBe(true);
    expect(of('RUN', 'build').some((run) => /npx tsc -p tsconfig\.build\.json/.test(run.args))).toBe(true);
    // The NocoBase plugin of the same commit rides along, outside the bridge's /app.
    expect(of('RUN', 'build').some((run) => run.args === 'npm run build:nocobase-plugin')).toBe(true);
    expect(
      of('COPY', runtime).some(
        (copy) =>
          copy.flags.from === 'build' &&
          copy.args === '/app/dist/nocobase-plugin /opt/wecom-oidc-bridge/nocobase-plugin',
      ),
    ).toBe(true);
    // Non-root user; an init process; port 8080; node started directly (with the memory flags of
    // `npm start`, test/bench/node-flags.test.ts).
    expect(of('USER', runtime).map((user) => user.args)).toEqual(['node']);
    expect(execForm(of('ENTRYPOINT', runtime)[0]!.args)).toEqual(['/usr/bin/tini', '--']);
    expect(of('EXPOSE', runtime).map((expose) => expose.args)).toEqual(['8080']);
    expect(execForm(of('CMD', runtime).at(-1)!.args)).toEqual(['node', ...BRIDGE_NODE_FLAGS, 'dist/src/main.js']);
    // HEALTHCHECK against /healthz without curl or wget (neither is in node:24-slim).
    expect(execForm(of('HEALTHCHECK', runtime)[0]!.args)).toEqual(['node', 'dist/src/healthcheck.js']);
    expect(readFileSync('src/healthcheck.ts', 'utf8')).toContain('/healthz');
    expect(text).not.toMatch(/\b(curl|wget)\b/);
    expect(envPairs(of('ENV', runtime)[0]!.args)).toMatchObject({
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: '8080',
      DATA_DIR: '/data',
    });
  });

  it('keeps secrets, local state and dependencies out of the build context', () => {
    const ignored = readFileSync('.dockerignore', 'utf8')
      .split('\n')
      .map((line) => line.trim());
    for (const entry of ['node_modules', 'dist', 'data', '.env', '.git']) expect(ignored).toContain(entry);
  });
});
