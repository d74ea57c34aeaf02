/**
 * The bridge as a real child process (`node dist/src/main.js`, what `npm start` and the image
 * run), for tests about replicas, signals and startup.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The compiled entry point; `npm test` builds it before vitest runs. */
export const MAIN = resolve('dist/src/main.js');

/** Fails clearly when the build is missing (run `npm run build`, or `npm test`). */
export function requireBuild(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does)`);
}

/** A started child process with its collected output. */
export class ChildBridge {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  readonly child: ChildProcess;

  /** Starts `node <script>` (default: the bridge) with exactly `env` (plus PATH). */
  constructor(
    env: Record<string, string | undefined>,
    options: { cwd?: string; script?: string; args?: string[] } = {},
  ) {
    this.child = spawn(process.execPath, [options.script ?? MAIN, ...(options.args ?? [])], {
      cwd: options.cwd ?? process.cwd(),
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk));
    // 'close', not 'exit': it comes after the output pipes are drained, so no last line is missed.
    this.exited = new Promise((done) => this.child.on('close', (code) => done(code)));
  }

  /** Resolves once stdout contains `text`; rejects when the process exits first or after 20 s. */
  async waitFor(text: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (!this.stdout.includes(text)) {
      if (exited || Date.now() > deadline) {
        throw new Error(
          `waiting for "${text}" failed (${exited ? 'process exited' : 'timeout'}); stderr: ${this.stderr}; stdout: ${this.stdout.slice(-2000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** The JSON log lines printed so far. */
  logLines(): Record<string, unknown>[] {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Sends `signal` and resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
