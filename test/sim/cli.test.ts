/**
 * The simulator as its own process (the benchmark's way): it prints its URL, serves, refuses bad
 * arguments and stops cleanly on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CORP_ID, SECRET } from './sim-client.js';

const DIST_MAIN = 'dist/sim/main.js';

/**
 * The built CLI when it exists and is not older than the sources (a stale build would test old
 * code), else the TypeScript source through tsx.
 */
function cliCommand(): string[] {
  const newestSource = Math.max(
    ...readdirSync('sim')
      .filter((f) => f.endsWith('.ts'))
      .map((f) => statSync(`sim/${f}`).mtimeMs),
  );
  if (existsSync(DIST_MAIN) && statSync(DIST_MAIN).mtimeMs >= newestSource) return [DIST_MAIN];
  return ['--import', 'tsx', 'sim/main.ts'];
}

function startCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [...cliCommand(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the first stdout line. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += String(chunk);
      if (buffered.includes('\n')) resolve(buffered.split('\n')[0]!);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing`)));
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', resolve));
}

describe('simulator CLI', () => {
  it('prints its URL, serves the fixtures plus generated members, and exits 0 on SIGTERM', async () => {
    const child = startCli(['--port', '0', '--members', '3', '--latency', '1']);
    try {
      const line = await firstLine(child);
      expect(line).toMatch(/^WeCom simulator listening on http:\/\/127\.0\.0\.1:\d+$/);
      const url = line.slice('WeCom simulator listening on '.length);
      const { access_token } = (await (
        await fetch(`${url}/cgi-bin/gettoken?corpid=${CORP_ID}&corpsecret=${SECRET}`)
      ).json()) as { access_token: string };
      for (const userid of ['zhangsan', 'user00003']) {
        const answer = (await (
          await fetch(`${url}/cgi-bin/user/get?access_token=${access_token}&userid=${userid}`)
        ).json()) as { errcode: number };
        expect(answer.errcode).toBe(0);
      }
      const exited = exitOf(child);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a bad argument with one message and exit code 1', async () => {
    const child = startCli(['--port', 'abc']);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    expect(await exitOf(child)).toBe(1);
    expect(stderr).toMatch(/--port must be a whole number/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an event server given in part (the URL without Token and EncodingAESKey)', async () => {
    const child = startCli(['--event-url', 'http://127.0.0.1:9/wecom/events']);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    expect(await exitOf(child)).toBe(1);
    expect(stderr).toMatch(/go together: give all three/);
  });
});
