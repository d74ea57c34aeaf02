/**
 * `npm run bench` runs end to end, briefly, and prints its one screen and one JSON line. Figures
 * are not judged here (no timing assertions in `npm test`): only that bridge and floor completed
 * logins without errors in every phase and that every line of the screen and the budget is there.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BudgetLine, StoreFigures } from '../../bench/report.js';

const run = promisify(execFile);
const STEPS = ['authorize', 'wecom', 'callback', 'token', 'userinfo', 'login'];

describe('npm run bench', () => {
  it('prints the screen and one JSON line', async () => {
    const args = [
      '--store',
      'memory',
      '--duration',
      '0.5',
      '--warmup',
      '0.5',
      '--rate',
      '40',
      '--open-duration',
      '0.5',
      '--browsers',
      '4',
      '--members',
      '50',
      '--flood',
      '300',
    ];
    const { stdout } = await run(process.execPath, ['dist/bench/main.js', ...args], { timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    const result = JSON.parse(lines.at(-1)!) as { stores: StoreFigures[]; budget: BudgetLine[] };
    const screen = lines.slice(0, -1).join('\n');
    for (const text of [
      'memory store',
      'logins/s',
      'CPU per login',
      'steady RSS',
      'peak RSS',
      'flood: 300 authorizations',
      'gettoken 1',
      'budget',
    ]) {
      expect(screen).toContain(text);
    }
    const [memory] = result.stores;
    for (const phase of [memory!.closed, memory!.open!]) {
      for (const side of [phase.bridge, phase.floor]) {
        expect(side.logins).toBeGreaterThan(0);
        expect(side.errors).toEqual({});
        expect(side.cpuMsPerLogin).toBeGreaterThan(0);
        for (const step of STEPS) expect(side.latency[step]!.count).toBeGreaterThan(0);
      }
    }
    expect(memory!.flood).toMatchObject({ requests: 300, failed: 0 });
    // /authorize stores nothing, and the rate-limit counters are not counted.
    expect(memory!.flood!.storeAdded).toBe(0);
    expect(memory!.wecom).toEqual({ gettoken: 1, callsPerLogin: 3 });
    const budget = result.budget.map((line) => [line.line, typeof line.ok]);
    expect(budget).toEqual([
      ['CPU per login ÷ floor (closed loop)', 'boolean'],
      ['logins/s ÷ floor (closed loop)', 'boolean'],
      ["worst hop p99 ÷ floor's (open loop)", 'boolean'],
      ["steady RSS ÷ floor's (open loop)", 'boolean'],
      ['RSS added by the flood', 'boolean'],
      ['store entries the flood added', 'boolean'],
      ['gettoken calls in the run', 'boolean'],
      ['WeCom API calls per login', 'boolean'],
    ]);
  }, 90_000);
});
