/**
 * Child processes of the benchmark (simulator, bridge, bare server, Redis): started with a clean
 * environment, awaited until they serve, and always stopped, even when the benchmark fails or is
 * interrupted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** A started child process. */
export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** Everything it printed so far (stdout and stderr), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves when it has exited. */
  stop(): Promise<void>;
}

const running = new Set<Child>();

/** Starts `command` with `args`; the child dies with the benchmark. */
export function startChild(name: string, command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Child {
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  let text = '';
  const keep = (chunk: Buffer) => {
    // The tail is enough for diagnostics; a chatty child must not grow our memory.
    text = (text + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const handle: Child = {
    name,
    process: child,
    pid: child.pid,
    output: () => text,
    stop: async () => {
      running.delete(handle);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
  running.add(handle);
  return handle;
}

/** Waits until `text` appears in the child's output; returns the first match of `pattern`. */
export async function waitForOutput(child: Child, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = pattern.exec(child.output());
    if (match) return match;
    assertAlive(child);
    await sleep(20);
  }
  throw new Error(`${child.name} did not start within ${timeoutMs} ms:\n${child.output()}`);
}

/** Polls `url` until it answers 200. */
export async function waitForHttp(child: Child, url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    assertAlive(child);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(50);
  }
  throw new Error(`${child.name} did not become ready within ${timeoutMs} ms:\n${child.output()}`);
}

function assertAlive(child: Child): void {
  if (child.process.exitCode !== null || child.process.signalCode !== null) {
    throw new Error(`${child.name} exited (${child.process.exitCode ?? child.process.signalCode}):\n${child.output()}`);
  }
}

/** Stops every child still running (normal end, error, Ctrl+C). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/** Kills children synchronously when the benchmark exits abruptly. */
export function killAllOnExit(): void {
  process.once('exit', () => {
    for (const child of running) child.process.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stopAll().finally(() => process.exit(130));
    });
  }
}
