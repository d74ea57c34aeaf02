/** `npm run bench` options that shape the bridge process (experiments: flags, environment). */
import { describe, expect, it } from 'vitest';
import { parseOptions, type BenchOptions } from '../../bench/options.js';

function parsed(argv: string[]): BenchOptions {
  const options = parseOptions(argv);
  if (options === 'help') throw new Error('unexpected --help');
  return options;
}

describe('bench options', () => {
  it('run the bridge as in production unless told otherwise', () => {
    const options = parsed([]);
    expect(options.nodeFlags).toBeUndefined();
    expect(options.bridgeEnv).toEqual({});
  });

  it('take repeated --bridge-env NAME=VALUE pairs (the value may contain "=") and node flags', () => {
    const options = parsed(['--bridge-env', 'MALLOC_ARENA_MAX=2', '--bridge-env', 'NODE_OPTIONS=--title=a=b', '--node-flags=--max-semi-space-size=8 --heap-growing-percent=50']);
    expect(options.bridgeEnv).toEqual({ MALLOC_ARENA_MAX: '2', NODE_OPTIONS: '--title=a=b' });
    expect(options.nodeFlags).toEqual(['--max-semi-space-size=8', '--heap-growing-percent=50']);
  });

  it('refuse a --bridge-env that is not NAME=VALUE', () => {
    expect(() => parsed(['--bridge-env', 'MALLOC_ARENA_MAX'])).toThrow('--bridge-env must be NAME=VALUE, got MALLOC_ARENA_MAX');
    expect(() => parsed(['--bridge-env', '1X=2'])).toThrow(/NAME=VALUE/);
  });
});
