/**
 * Command-line options of `npm run bench -- [options]` (see bench/README.md).
 */
import { parseArgs } from 'node:util';

/** Which store(s) the bridge runs with. */
export type StoreMode = 'memory' | 'redis';

/** The benchmark's settings. */
export interface BenchOptions {
  /** Seconds of measured closed-loop load per store. */
  readonly duration: number;
  /** Seconds of unmeasured load first (JIT, WeCom token, connection pools). */
  readonly warmup: number;
  /** Concurrent browsers of the closed loop (and connections of the route measurements). */
  readonly browsers: number;
  /** Simulated WeCom latency per server call, ms. */
  readonly latency: number;
  /** Generated WeCom members the logins rotate over. */
  readonly members: number;
  /** Logins per second of the open loop (0 skips it). */
  readonly rate: number;
  /** Seconds of the open loop. */
  readonly openDuration: number;
  /** Seconds per route of the ceiling and of discovery/JWKS (0 skips them). */
  readonly routeDuration: number;
  readonly stores: readonly StoreMode[];
  /** An existing Redis instead of a private `redis-server` (its counters are then shared). */
  readonly redisUrl: string | undefined;
  /** Abandoned authorizations to send (0 = no flood). */
  readonly flood: number;
  /** Directory for the bridge's V8 CPU profiles (`--cpu-prof`), if wanted. */
  readonly cpuProf: string | undefined;
  /** Node flags of the bridge process (default: those of `npm start` and the Dockerfile). */
  readonly nodeFlags: readonly string[] | undefined;
  /** Another build's `dist/src/main.js` to run as the bridge (before/after comparisons). */
  readonly bridgeEntry: string | undefined;
  /** Environment for the bridge on top of the image's (`--bridge-env NAME=VALUE`, repeatable). */
  readonly bridgeEnv: Readonly<Record<string, string>>;
}

const HELP = `npm run bench -- [options]

  --duration S         measured closed-loop seconds per store (10)
  --warmup S           unmeasured warm-up seconds (2)
  --browsers K         concurrent browsers (32)
  --latency MS         simulated WeCom latency per call (0)
  --members N          generated WeCom members to rotate over (5000)
  --rate R             open-loop logins per second (200; 0 = skip)
  --open-duration S    open-loop seconds (same as --duration)
  --route-duration S   seconds per route for the ceiling and discovery/JWKS (3; 0 = skip)
  --store M            memory | redis | both (both)
  --redis-url URL      use this Redis instead of a private redis-server
  --flood [N]          also send N abandoned authorizations (100000)
  --cpu-prof DIR       write the bridge's V8 CPU profiles to DIR and print the top functions,
                       overall and for each hop alone
  --node-flags=F       node flags for the bridge instead of those of npm start (experiments)
  --bridge-entry PATH  run another build's dist/src/main.js as the bridge (before/after)
  --bridge-env N=V     set N=V in the bridge's environment (repeatable; experiments)
  --help
`;

/** Parses `argv` (without node and script). */
export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  // `--flood` alone means the default count; a following number overrides it.
  const args = [...argv];
  const floodAt = args.indexOf('--flood');
  if (floodAt !== -1 && !/^\d+$/.test(args[floodAt + 1] ?? '')) args.splice(floodAt + 1, 0, '100000');
  const { values } = parseArgs({
    args,
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      browsers: { type: 'string', default: '32' },
      latency: { type: 'string', default: '0' },
      members: { type: 'string', default: '5000' },
      rate: { type: 'string', default: '200' },
      'open-duration': { type: 'string' },
      'route-duration': { type: 'string', default: '3' },
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
  if (values.help) return 'help';
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
    latency: number('latency', values.latency, 0),
    members: Math.round(number('members', values.members, 1)),
    rate: number('rate', values.rate, 0),
    openDuration: number('open-duration', values['open-duration'] ?? String(duration), 0.1),
    routeDuration: number('route-duration', values['route-duration'], 0),
    stores: store === 'both' ? ['memory', 'redis'] : [store],
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

/** The usage text. */
export function usage(): string {
  return HELP;
}
