/** `npm run bench` options: defaults, `--flood` with or without a count, `--bridge-entry`, refusals. */
import { describe, expect, it } from 'vitest';
import { type BenchOptions, parseOptions } from '../../bench/options.js';

function parsed(argv: string[]): BenchOptions {
  const options = parseOptions(argv);
  if (options === 'help') throw new Error('unexpected --help');
  return options;
}

describe('bench options', () => {
  it('default to both stores, no flood and the bridge of this build', () => {
    expect(parsed([])).toMatchObject({
      duration: 10,
      openDuration: 10,
      warmup: 5,
      rate: 200,
      stores: ['memory', 'redis'],
      flood: 0,
      bridgeEntry: undefined,
    });
    expect(parsed(['--duration', '3']).openDuration).toBe(3);
  });

  it('take --flood alone or with a count, and another build with --bridge-entry', () => {
    expect(parsed(['--flood', '--store', 'memory'])).toMatchObject({ flood: 100_000, stores: ['memory'] });
    expect(parsed(['--flood', '300']).flood).toBe(300);
    expect(parsed(['--bridge-entry', '/tmp/before/dist/src/main.js']).bridgeEntry).toBe('/tmp/before/dist/src/main.js');
    expect(parseOptions(['--help'])).toBe('help');
  });

  it('refuse what they cannot use', () => {
    expect(() => parsed(['--rate', 'fast'])).toThrow('--rate must be a number ≥ 0, got fast');
    expect(() => parsed(['--store', 'disk'])).toThrow(/memory, redis or both/);
    expect(() => parsed(['--node-flags=--max-semi-space-size=8'])).toThrow(/node-flags/);
  });
});
