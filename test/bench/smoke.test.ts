/**
 * `npm run bench` runs end to end for about a second per phase and prints its report and one
 * well-formed JSON line. Figures are not judged here (no timing assertions in `npm test`): only
 * that every phase ran, completed logins without errors, and measured what it should.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run bench', () => {
  it('runs every phase briefly and ends with one JSON line', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        'dist/bench/main.js', '--store', 'memory', '--duration', '1', '--warmup', '0.5', '--route-duration', '0.5',
        '--rate', '40', '--open-duration', '1', '--browsers', '4', '--members', '50', '--flood', '300',
      ],
      { timeout: 90_000, maxBuffer: 10 * 1024 * 1024 },
    );
    const lines = stdout.trim().split('\n');
    expect(stdout).toContain('budget');
    const result = JSON.parse(lines.at(-1)!) as {
      ceiling: {
        bareRoute: { requestsPerSecond: number };
        signJose: { cpuMs: number };
        floorCpuMsPerLogin: number;
        bareHopOpenLoop: { requestsPerSecond: number; p99Ms: number; errors: number };
      };
      stores: {
        store: string;
        closed: { logins: number; errors: number; cpuMsPerLogin: number; latency: Record<string, { count: number }> };
        hops: { logins: number; errors: number; authorize: number; callback: number; token: number; userinfo: number };
        hopFloor: {
          routeCpuMs: number; outboundCpuMs: number; signCpuMs: number; floorCpuMs: number; rounds: number;
          paced: Record<'authorize' | 'callback' | 'token' | 'userinfo' | 'floorCpuMs', number>;
        };
        open: { logins: number; errors: number };
        openAnalogs: Record<string, { count: number; p99: number }>;
        discovery: { requestsPerSecond: number };
        jwks: { requestsPerSecond: number };
        flood: { requests: number; errors: number; storedLogins: number };
        gettoken: number;
        wecomCallsPerLogin: number;
      }[];
      budget: { line: string; limit: string }[];
    };
    expect(result.ceiling.bareRoute.requestsPerSecond).toBeGreaterThan(0);
    expect(result.ceiling.signJose.cpuMs).toBeGreaterThan(0);
    // The yardstick ran on the hops' schedule: 4 requests per login at --rate 40.
    expect(result.ceiling.bareHopOpenLoop.requestsPerSecond).toBeGreaterThan(100);
    expect(result.ceiling.bareHopOpenLoop.p99Ms).toBeGreaterThan(0);
    expect(result.ceiling.bareHopOpenLoop.errors).toBe(0);
    const [memory] = result.stores;
    expect(memory!.store).toBe('memory');
    expect(memory!.closed.logins).toBeGreaterThan(0);
    expect(memory!.closed.errors).toBe(0);
    expect(memory!.closed.cpuMsPerLogin).toBeGreaterThan(0);
    for (const step of ['authorize', 'wecom', 'callback', 'token', 'userinfo', 'login']) expect(memory!.closed.latency[step]!.count).toBeGreaterThan(0);
    expect(memory!.hops).toMatchObject({ logins: 300, errors: 0 });
    for (const hop of ['authorize', 'callback', 'token', 'userinfo'] as const) expect(memory!.hops[hop]).toBeGreaterThanOrEqual(0);
    // The floor was measured between the hop-by-hop rounds, from its three parts.
    const floor = memory!.hopFloor;
    expect(floor.rounds).toBe(5);
    expect(floor.routeCpuMs).toBeGreaterThan(0);
    expect(floor.signCpuMs).toBeGreaterThan(0);
    expect(floor.floorCpuMs).toBeCloseTo(4 * floor.routeCpuMs + 3 * floor.outboundCpuMs + floor.signCpuMs, 2);
    // The floor at the bridge's pace: each hop's bare analog measured, the parts add up, and the
    // token hop's part includes the signature.
    const paced = floor.paced;
    for (const hop of ['authorize', 'callback', 'token', 'userinfo'] as const) expect(paced[hop]).toBeGreaterThan(0);
    expect(paced.token).toBeGreaterThanOrEqual(floor.signCpuMs);
    expect(paced.floorCpuMs).toBeCloseTo(paced.authorize + paced.callback + paced.token + paced.userinfo, 2);
    expect(memory!.open.logins).toBeGreaterThan(0);
    expect(memory!.open.errors).toBe(0);
    // The hops' bare analogs ran on the open loop's schedule, every one of them, and whole "logins".
    for (const hop of ['authorize', 'callback', 'token', 'userinfo', 'login']) {
      expect(memory!.openAnalogs[hop]!.count).toBeGreaterThanOrEqual(30);
      expect(memory!.openAnalogs[hop]!.p99).toBeGreaterThan(0);
    }
    expect(memory!.discovery.requestsPerSecond).toBeGreaterThan(0);
    expect(memory!.jwks.requestsPerSecond).toBeGreaterThan(0);
    expect(memory!.flood).toMatchObject({ requests: 300, errors: 0 });
    // Every abandoned authorization left its login transaction (far below the cap).
    expect(memory!.flood.storedLogins).toBeGreaterThanOrEqual(300);
    // One token for the whole run; getuserinfo, getuserdetail and user/get per login.
    expect(memory!.gettoken).toBe(1);
    expect(memory!.wecomCallsPerLogin).toBe(3);
    expect(result.budget.map((line) => line.line)).toContain('bridge CPU per login, ms (memory, saturated)');
    expect(result.budget.map((line) => line.line)).toContain('  … yardstick: bare call p99, same rate');
    expect(result.budget.find((line) => line.line === "  … yardstick: bare analogs' worst hop p99 (memory)")).toMatchObject({ value: expect.any(Number) });
    expect(result.budget.find((line) => line.line === "  … p99 beyond the hop's bare analog, worst hop (memory)")).toMatchObject({ ok: expect.any(Boolean) });
    expect(result.budget.find((line) => line.line === '  … hop by hop ÷ floor measured alongside')).toMatchObject({ ok: expect.any(Boolean) });
    expect(result.budget.find((line) => line.line === "  … hop by hop ÷ floor at the bridge's pace")).toMatchObject({ ok: expect.any(Boolean) });
  }, 120_000);
});
