/**
 * Command-line options of `npm run bench -- [options]` (see bench/README.md).
 */
import { parseArgs } from 'node:util';

/** Which store the bridge runs with. */
export type StoreMode = 'memory' | 'redis';

/** The benchmark's settings, as {@link parseOptions} makes them from the flags of {@link USAGE}. */
export type BenchOptions = Exclude<ReturnType<typeof parseOptions>, 'help'>;

/** The usage text (`--help`). */
export const USAGE = `npm run bench -- [options]

  Each of bridge and floor gets the seconds below, in alternating 2 s slices.
  --duration S         closed-loop seconds per store (10)
  --warmup S           unmeasured warm-up seconds, at the open loop's rate (5)
  --browsers K         concurrent browsers of the closed loop (32)
  --members N          generated WeCom members to rotate over (5000)
  --rate R             open-loop logins per second (200; 0 = skip)
  --open-duration S    open-loop seconds (same as --duration)
  --store M            memory | redis | both (both)
  --redis-url URL      use this Redis instead of a private redis-server
  --flood [N]          also send N abandoned authorizations (100000)
  --cpu-prof DIR       write the bridge's V8 CPU profiles to DIR and print where its time goes
  --node-flags=F       node flags for the bridge instead of those of npm start (experiments)
  --bridge-entry PATH  run another build's dist/src/main.js as the bridge (before/after)
  --bridge-env N=V     set N=V in the bridge's environment (repeatable; experiments)
  --help
`;

/** Parses `argv` (without node and script). */
export function parseOptions(argv: readonly string[]) {
  // `--flood` alone means the default count; a following number overrides it.
  const args = [...argv];
  const floodAt = args.indexOf('--flood');
  if (floodAt !== -1 && !/^\d+$/.test(args[floodAt + 1] ?? '')) args.splice(floodAt + 1, 0, '100000');
  const { values } = parseArgs({
    args,
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '5' },
      browsers: { type: 'string', default: '32' },
      members: { type: 'string', default: '5000' },
      rate: { type: 'string', default: '200' },
      'open-duration': { type: 'string' },
      store: { type: 'string', default: 'both' },
      'redis-url': { type: 'string' },
      flood: { type: 'string', default: '0' },
      'cpu-prof': { type: 'string' },
      'node-flags': { type: 'string' },
      'bridge-entry': { type: 'string' },
      'bridge-env': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help' as const;
  const number = (name: string, value: string | undefined, min: number): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min) throw new Error(`--${name} must be a number ≥ ${min}, got ${value}`);
    return parsed;
  };
  const duration = number('duration', values.duration, 0.1);
  const store = values.store;
  if (store !== 'memory' && store !== 'redis' && store !== 'both') throw new Error(`--store must be memory, redis or both, got ${store}`);
  return {
    duration,
    warmup: number('warmup', values.warmup, 0),
    browsers: Math.round(number('browsers', values.browsers, 1)),
    members: Math.round(number('members', values.members, 1)),
    rate: number('rate', values.rate, 0),
    openDuration: number('open-duration', values['open-duration'] ?? String(duration), 0.1),
    stores: (store === 'both' ? ['memory', 'redis'] : [store]) as StoreMode[],
    redisUrl: values['redis-url'],
    flood: Math.round(number('flood', values.flood, 0)),
    cpuProf: values['cpu-prof'],
    nodeFlags: values['node-flags'] === undefined ? undefined : values['node-flags'].split(' ').filter(Boolean),
    bridgeEntry: values['bridge-entry'],
    bridgeEnv: Object.fromEntries(values['bridge-env'].map(envPair)),
  };
}

function envPair(text: string): [string, string] {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
  if (!match) throw new Error(`--bridge-env must be NAME=VALUE, got ${text}`);
  return [match[1]!, match[2]!];
}
