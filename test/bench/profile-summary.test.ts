/**
 * The benchmark cuts the bridge's CPU profile by hop with time windows taken on the load
 * generator's side (process.hrtime). Here a real V8 profile of this process is cut the same way:
 * two functions busy in two separate windows must each show in their own window only.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeHopProfiles, describeProfile, summarise } from '../../bench/profile-summary.js';

const dir = mkdtempSync(join(tmpdir(), 'profile-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Busy for `ms` in a function whose name the profile will carry. */
function spinAlpha(ms: number): number {
  let x = 0;
  for (const end = performance.now() + ms; performance.now() < end; ) x += Math.sqrt(x + 1);
  return x;
}

function spinBeta(ms: number): number {
  let x = 0;
  for (const end = performance.now() + ms; performance.now() < end; ) x += Math.cbrt(x + 2);
  return x;
}

/**
 * Profiles alpha, a pause, then beta; returns the file and the two windows. Once per file: a
 * second run would find the spinners optimised and inlined into their caller, under its name.
 */
async function profileTwoPhases(): Promise<{ file: string; alpha: [number, number]; beta: [number, number] }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const alphaFrom = nowMicros();
  spinAlpha(150);
  const alpha: [number, number] = [alphaFrom, nowMicros()];
  await new Promise((resolve) => setTimeout(resolve, 20));
  const betaFrom = nowMicros();
  spinBeta(150);
  const beta: [number, number] = [betaFrom, nowMicros()];
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  const file = join(dir, 'two-phases.cpuprofile');
  writeFileSync(file, JSON.stringify(profile));
  return { file, alpha, beta };
}

describe('profile summary', () => {
  const profiled = profileTwoPhases();

  it('cuts a profile by time windows of the monotonic clock, each window with its own functions', async () => {
    const { file, alpha, beta } = await profiled;
    const text = describeHopProfiles(file, { first: [alpha], second: [beta] }, 5);
    const [, firstPart, secondPart] = text.split(/\n {2}(?=first:|second:)/);
    expect(firstPart).toMatch(/^first: \d+ ms busy in 1 stage\(s\)/);
    expect(firstPart).toContain('spinAlpha');
    expect(firstPart).not.toContain('spinBeta');
    expect(secondPart).toMatch(/^second: \d+ ms busy in 1 stage\(s\)/);
    expect(secondPart).toContain('spinBeta');
    expect(secondPart).not.toContain('spinAlpha');
  });

  it('shares of a window add up to its busy time, and the whole profile holds both phases', async () => {
    const { file, alpha } = await profiled;
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof summarise>[0];
    const inAlpha = summarise(profile, (stamp) => stamp >= alpha[0] && stamp <= alpha[1]);
    // The window is all spinning: most of it sampled as busy, and never more than the window
    // (plus the one sample interval that straddles its start).
    const span = alpha[1] - alpha[0];
    expect(inAlpha.busyUs).toBeGreaterThan(span / 2);
    expect(inAlpha.busyUs).toBeLessThanOrEqual(span + 20_000);
    const selfSum = inAlpha.rows.reduce((sum, row) => sum + row.selfPercent, 0);
    expect(selfSum).toBeCloseTo(100, 5);
    const whole = summarise(profile).rows.map((row) => row.name);
    expect(whole.some((name) => name.startsWith('spinAlpha '))).toBe(true);
    expect(whole.some((name) => name.startsWith('spinBeta '))).toBe(true);
    // The printed summary skips what came before `skipMs`: here, everything.
    expect(describeProfile(file, 5, 60_000)).not.toContain('spin');
  });
});
