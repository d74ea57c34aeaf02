/**
 * Runs `npm run demo` as a newcomer would (the built `dist/demo/main.js`, a separate process with
 * no configuration) and reads the URLs it prints.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = join(ROOT, 'dist/demo/main.js');

/** A running demo. */
export interface DemoProcess {
  /** The sample relying party (the URL the demo tells people to open), without trailing slash. */
  readonly rpUrl: string;
  /** The bridge's PUBLIC_URL, the issuer. */
  readonly issuer: string;
  /** Everything the demo printed so far. */
  output(): string;
  /** SIGTERM, then waits for the process to exit (the demo shuts its three servers down). */
  stop(): Promise<number | null>;
}

/**
 * Builds when `dist/` is missing or older than the sources (`npm test` has just built, so this
 * is a no-op there; a focused `npx vitest run test/browser` may need it), the same as `predemo`.
 */
export function ensureBuilt(): void {
  const built = mtime(ENTRY);
  const newest = Math.max(...['src', 'sim', 'demo'].map((dir) => newestMtime(join(ROOT, dir))));
  if (built === undefined || built < newest) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
}

/** Starts the demo and resolves once it printed the URL to open. */
export async function startDemo(timeoutMs = 20_000): Promise<DemoProcess> {
  const child = spawn(process.execPath, [ENTRY], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const urls = await waitForUrls(child, () => output, timeoutMs);
  return {
    ...urls,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

async function waitForUrls(
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<{ rpUrl: string; issuer: string }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = /Open (http:\/\/\S+?)\/? and click/.exec(output());
    const issuer = /bridge \(issuer\)\s+(http:\/\/\S+)/.exec(output());
    if (open && issuer) return { rpUrl: open[1]!, issuer: issuer[1]! };
    if (child.exitCode !== null) throw new Error(`the demo exited with ${child.exitCode}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGTERM');
  throw new Error(`the demo printed no URL within ${timeoutMs} ms:\n${output()}`);
}

function mtime(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts'))
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}
