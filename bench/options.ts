/** Command-line options of `npm run bench -- [options]` (see bench/README.md). */
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
  --bridge-entry PATH  run another build's dist/src/main.js as the bridge (before/after)
  --help
`;

/** Parses `argv` (without node and script). */
export function parseOptions(argv: readonly string[]) {
  // `--flood` alone means the default count; a following number overrides it.
  const args = [...argv];
  const floodAt = args.indexOf('--flood');
  if (floodAt !== -1 && !/^\d+$/.test(args[floodAt + 1] ?? '')) args.splice(floodAt + 1, 0, '100000');
  const text = (value?: string) => ({ type: 'string', default: value }) as const;
  const { values } = parseArgs({
    args,
    options: {
      duration: text('10'),
      warmup: text('5'),
      browsers: text('32'),
      members: text('5000'),
      rate: text('200'),
      'open-duration': text(),
      store: text('both'),
      'redis-url': text(),
      flood: text('0'),
      'cpu-prof': text(),
      'bridge-entry': text(),
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help' as const;
  const number = (name: keyof typeof values, min: number, fallback?: string): number => {
    const value = (values[name] as string | undefined) ?? fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min) throw new Error(`--${name} must be a number ≥ ${min}, got ${value}`);
    return parsed;
  };
  const { store } = values;
  if (store !== 'memory' && store !== 'redis' && store !== 'both')
    throw new Error(`--store must be memory, redis or both, got ${store}`);
  return {
    duration: number('duration', 0.1),
    warmup: number('warmup', 0),
    browsers: Math.round(number('browsers', 1)),
    members: Math.round(number('members', 1)),
    rate: number('rate', 0),
    openDuration: number('open-duration', 0.1, values.duration),
    stores: (store === 'both' ? ['memory', 'redis'] : [store]) as StoreMode[],
    redisUrl: values['redis-url'],
    flood: Math.round(number('flood', 0)),
    cpuProf: values['cpu-prof'],
    bridgeEntry: values['bridge-entry'],
  };
}
