/**
 * The service as a process: `node dist/src/main.js` (what `npm start` runs after building).
 * A bad configuration stops it before it listens with exit code 1 and one message; a good one
 * (here from a .env file) serves until SIGTERM, then exits 0.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';

const MAIN = resolve('dist/src/main.js');

/** A started bridge process with its collected output. */
class BridgeProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(env: Record<string, string>, cwd: string) {
    this.child = spawn(process.execPath, [MAIN], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    this.child.stdout.on('data', (chunk: Buffer) => (this.stdout += chunk));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk));
    this.exited = new Promise((done) => this.child.on('exit', done));
  }

  /** Resolves once stdout contains `text` (or rejects after 15 s). */
  async waitFor(text: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!this.stdout.includes(text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}"; stderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }
}

describe.runIf(existsSync(MAIN))('process startup', () => {
  it('stops with exit 1 and one message listing every problem, without a stack trace', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'wob-start-'));
    const bridge = new BridgeProcess(
      { WECOM_AGENT_ID: 'abc', PORT: 'eighty', OIDC_CLIENT_SECRET: 'not-shown-anywhere' },
      cwd,
    );
    expect(await bridge.exited).toBe(1);
    expect(bridge.stdout).toBe('');
    expect(bridge.stderr).toMatch(/^wecom-oidc-bridge: Invalid configuration \(\d+ problems\):\n/);
    for (const variable of [
      'PUBLIC_URL',
      'WECOM_CORP_ID',
      'WECOM_AGENT_ID',
      'WECOM_SECRET',
      'PORT',
      'OIDC_CLIENT_SECRET',
    ]) {
      expect(bridge.stderr).toContain(`  - ${variable}: `);
    }
    expect(bridge.stderr).not.toContain('not-shown-anywhere');
    expect(bridge.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses TRUST_PROXY=true before listening: exit 1, one message naming the safe forms (issue 27)', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'wob-start-'));
    const port = await freePort();
    const bridge = new BridgeProcess(
      { ...minimalEnv(port, join(cwd, 'data')), METRICS_ADDRESS: 'off', TRUST_PROXY: 'true' },
      cwd,
    );
    expect(await bridge.exited).toBe(1);
    expect(bridge.stdout).toBe('');
    expect(bridge.stderr).toMatch(
      /^wecom-oidc-bridge: Invalid configuration \(1 problem\):\n {2}- TRUST_PROXY: true \(trust every hop\) is refused: /,
    );
    expect(bridge.stderr).toMatch(/hop count \(e\.g\. 1 for one proxy in front/);
    expect(bridge.stderr).toMatch(/comma-separated addresses\/CIDRs of your proxies/);
    expect(bridge.stderr).not.toMatch(/\n\s+at /);
    // Nothing listens: the refusal came before the bridge started.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('reads .env from the working directory, serves, and exits 0 on SIGTERM', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'wob-start-'));
    const port = await freePort();
    writeFileSync(
      join(cwd, '.env'),
      [
        `PUBLIC_URL=http://127.0.0.1:${port}`,
        'HOST=127.0.0.1',
        `PORT=${port}`,
        'WECOM_CORP_ID=wwcorp',
        'WECOM_AGENT_ID=1000002',
        'WECOM_SECRET=from-dotenv',
        'OIDC_CLIENT_ID=nocobase',
        'OIDC_CLIENT_SECRET=a-long-enough-client-secret',
        'OIDC_REDIRECT_URIS=http://127.0.0.1:13000/api/oidc:redirect',
        `DATA_DIR=${join(cwd, 'data')}`,
        // A free port: other test files' bridges run at the same time.
        'METRICS_ADDRESS=127.0.0.1:0',
      ].join('\n'),
    );
    const bridge = new BridgeProcess({}, cwd);
    await bridge.waitFor('wecom-oidc-bridge listening');
    const discovery = (await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`).then((r) =>
      r.json(),
    )) as { issuer: string };
    expect(discovery.issuer).toBe(`http://127.0.0.1:${port}`);
    expect(existsSync(join(cwd, 'data', 'signing-key-RS256.jwk.json'))).toBe(true);
    const jwks = () =>
      fetch(`http://127.0.0.1:${port}/jwks`).then((r) => r.json()) as Promise<{ keys: { kid: string }[] }>;
    const before = await jwks();
    bridge.signal('SIGTERM');
    expect(await bridge.exited).toBe(0);
    expect(bridge.stdout).toContain('"msg":"shutting down"');
    // Started again on the same DATA_DIR: the generated key is reused, so issued tokens stay valid.
    const again = new BridgeProcess({}, cwd);
    await again.waitFor('wecom-oidc-bridge listening');
    expect((await jwks()).keys.map((key) => key.kid)).toEqual(before.keys.map((key) => key.kid));
    expect(before.keys).toHaveLength(1);
    again.signal('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('explains an unusable port instead of crashing', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'wob-start-'));
    const port = await freePort();
    const env = (mainPort: number, metrics: string) => ({
      ...minimalEnv(mainPort, join(cwd, 'a')),
      METRICS_ADDRESS: metrics,
    });
    const blocker = new BridgeProcess(env(port, 'off'), cwd);
    await blocker.waitFor('listening');
    const second = new BridgeProcess(env(port, 'off'), cwd);
    expect(await second.exited).toBe(1);
    expect(second.stderr).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
    blocker.signal('SIGTERM');
    expect(await blocker.exited).toBe(0);
  });

  it('explains a taken metrics port, naming METRICS_ADDRESS', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'wob-start-'));
    const [first, second, metrics] = [await freePort(), await freePort(), await freePort()];
    const blocker = new BridgeProcess(
      { ...minimalEnv(first, join(cwd, 'a')), METRICS_ADDRESS: `127.0.0.1:${metrics}` },
      cwd,
    );
    await blocker.waitFor('listening');
    const late = new BridgeProcess(
      { ...minimalEnv(second, join(cwd, 'a')), METRICS_ADDRESS: `127.0.0.1:${metrics}` },
      cwd,
    );
    expect(await late.exited).toBe(1);
    expect(late.stderr).toContain(`METRICS_ADDRESS: cannot listen on 127.0.0.1:${metrics} (EADDRINUSE)`);
    blocker.signal('SIGTERM');
    expect(await blocker.exited).toBe(0);
  });
});

/** The least a bridge needs to start on `port`, with its generated key in `dataDir`. */
function minimalEnv(port: number, dataDir: string): Record<string, string> {
  return {
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    HOST: '127.0.0.1',
    PORT: String(port),
    WECOM_CORP_ID: 'ww',
    WECOM_AGENT_ID: '1',
    WECOM_SECRET: 's',
    OIDC_CLIENT_ID: 'c',
    OIDC_CLIENT_SECRET: 'a-long-enough-client-secret',
    OIDC_REDIRECT_URIS: 'http://127.0.0.1/cb',
    DATA_DIR: dataDir,
  };
}
