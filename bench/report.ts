/** The screen and its budget: ratios to the floor for what it also has, absolute limits for what only the bridge has. */

import { HOPS } from './load.js';
import type { Percentiles } from './measure.js';

/** One server's figures over its slices of a phase (ms, MB; failed logins by kind). */
export interface Side {
  readonly logins: number;
  readonly loginsPerSecond: number;
  readonly cpuMsPerLogin: number;
  readonly peakRssMb: number;
  readonly latency: Record<string, Percentiles>;
  readonly errors: Record<string, number>;
}

/** A phase: bridge and floor under the same load; Redis read events (round trips) and commands per bridge hop. */
export type Phase = {
  readonly bridge: Side;
  readonly floor: Side;
  readonly redis?: { readonly roundTripsPerHop: number; readonly commandsPerHop: number };
};

/** The flood: its requests and time, the bridge's RSS around it, the store entries it added (rate-limit counters left out). */
export type Flood = {
  requests: number;
  failed: number;
  seconds: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  storeAdded: number | undefined;
};

/** Everything measured against one store; `open` is absent with `--rate 0`, `peakRssMb` is read before any flood. */
export interface StoreFigures {
  readonly store: 'memory' | 'redis';
  readonly browsers: number;
  readonly rate: number;
  readonly closed: Phase;
  readonly open: Phase | undefined;
  readonly peakRssMb: number;
  readonly flood: Flood | undefined;
  readonly wecom: { readonly gettoken: number; readonly callsPerLogin: number };
}

/** The budget's limits; bench/README.md says why each is where it is. */
export const LIMITS = {
  cpuRatio: { memory: 2.5, redis: 3 },
  loginsRatio: 0.35,
  p99Ratio: 4,
  rssRatio: 1.25,
  floodRssMb: 80,
  floodStoreEntries: 100,
  redisRoundTrips: 2,
} as const;

/** One line of the budget: the figure it judges (as printed, and its value) and the verdict (undefined: not measured). */
export interface BudgetLine {
  readonly store: string;
  readonly line: string;
  readonly figure: string;
  readonly value: number | undefined;
  readonly limit: string;
  readonly ok: boolean | undefined;
}

/** The budget lines of every store. */
export function budget(stores: readonly StoreFigures[]): BudgetLine[] {
  return stores.flatMap((s) => {
    const lines: BudgetLine[] = [];
    // `figure` as printed and its value; `at` the comparison the value must pass.
    const check = (
      line: string,
      [figure, value]: readonly [string, number | undefined],
      at: '≤' | '≥' | '=',
      limit: number,
      unit = '',
    ) => {
      const ok =
        value === undefined ? undefined : at === '≤' ? value <= limit : at === '≥' ? value >= limit : value === limit;
      lines.push({ store: s.store, line, figure, value, limit: `${at} ${limit}${unit}`, ok });
    };
    const versus = (
      a: number,
      b: number,
      text: (v: number) => string,
      unit = '',
      [aText, bText] = [text(a), text(b)],
    ) => [`${aText} ÷ ${bText}${unit} = ${fixed(ratio(a, b))}`, ratio(a, b)] as const;
    const { bridge, floor } = s.closed;
    check(
      'CPU per login ÷ floor (closed loop)',
      versus(bridge.cpuMsPerLogin, floor.cpuMsPerLogin, ms, ' ms'),
      '≤',
      LIMITS.cpuRatio[s.store],
    );
    check(
      'logins/s ÷ floor (closed loop)',
      versus(bridge.loginsPerSecond, floor.loginsPerSecond, (v) => v.toFixed(0)),
      '≥',
      LIMITS.loginsRatio,
    );
    if (s.open) {
      const [b, f] = [worstHop(s.open.bridge), worstHop(s.open.floor)];
      check(
        "worst hop p99 ÷ floor's (open loop)",
        versus(b.p99, f.p99, ms, ' ms', [`${b.hop} ${ms(b.p99)}`, `${f.hop} ${ms(f.p99)}`]),
        '≤',
        LIMITS.p99Ratio,
      );
      check(
        "steady RSS ÷ floor's (open loop)",
        versus(s.open.bridge.peakRssMb, s.open.floor.peakRssMb, mb, ' MB'),
        '≤',
        LIMITS.rssRatio,
      );
    }
    // The memory store would hold a flood in the bridge's process; with Redis only the key count says.
    if (s.flood && s.store === 'memory') {
      const added = s.flood.rssAfterMb - s.flood.rssBeforeMb;
      check('RSS added by the flood', [`${mb(added)} MB`, added], '≤', LIMITS.floodRssMb, ' MB');
    }
    if (s.flood)
      check(
        'store entries the flood added',
        [String(s.flood.storeAdded ?? 'n/a'), s.flood.storeAdded],
        '≤',
        LIMITS.floodStoreEntries,
      );
    // Under saturation concurrent requests share Redis reads: the open loop shows the code's round trips.
    const trips = s.open?.redis?.roundTripsPerHop;
    if (trips !== undefined)
      check('Redis round trips per hop (open loop)', [trips.toFixed(2), trips], '≤', LIMITS.redisRoundTrips);
    check('gettoken calls in the run', [String(s.wecom.gettoken), s.wecom.gettoken], '=', 1);
    check('WeCom API calls per login', [s.wecom.callsPerLogin.toFixed(2), s.wecom.callsPerLogin], '=', 3);
    return lines;
  });
}

/** The screen: one block per store, then the budget. */
export function screen(heading: string, stores: readonly StoreFigures[], lines: readonly BudgetLine[]): string {
  return [
    heading,
    '',
    ...stores.flatMap((s) => [...storeBlock(s), '']),
    'budget (✓ met, ✗ not met, - not measured)',
    ...lines.map(
      (l) =>
        `  ${l.ok === undefined ? '-' : l.ok ? '✓' : '✗'} ${columns([7, 40, 44], l.store, l.line, l.figure, l.limit)}`,
    ),
  ].join('\n');
}

/** One store's figures, bridge and floor side by side. */
function storeBlock(s: StoreFigures): string[] {
  const row = (
    label: string,
    { bridge, floor }: Phase,
    figure: (side: Side) => number,
    text: (value: number) => string,
  ) =>
    `  ${columns([38, 12, 12], label, text(figure(bridge)), text(figure(floor)), fixed(ratio(figure(bridge), figure(floor))))}`;
  const out = [
    columns([40, 12, 12], `${s.store} store`, 'bridge', 'floor', 'bridge ÷ floor'),
    row(
      `closed loop (${s.browsers} browsers): logins/s`,
      s.closed,
      (x) => x.loginsPerSecond,
      (v) => v.toFixed(0),
    ),
    row('closed loop: CPU per login, ms', s.closed, (x) => x.cpuMsPerLogin, ms),
  ];
  if (s.open) {
    const { bridge, floor } = s.open;
    out.push(
      row(`open loop (${s.rate} logins/s): CPU, ms`, s.open, (x) => x.cpuMsPerLogin, ms),
      row('steady RSS (open loop), MB', s.open, (x) => x.peakRssMb, mb),
      `  ${columns([26, 8, 12, 8, 12], 'latency (open loop), ms', 'p50', 'p99', 'p50', 'p99', 'p99 ÷ floor')}`,
    );
    for (const step of ['authorize', 'wecom', 'callback', 'token', 'userinfo', 'login']) {
      const [b, f] = [bridge.latency[step], floor.latency[step]];
      const name = step === 'wecom' ? 'wecom (simulator)' : step;
      if (b && f)
        out.push(
          `    ${columns([24, 8, 12, 8, 12], name, ms(b.p50), ms(b.p99), ms(f.p50), ms(f.p99), fixed(ratio(b.p99, f.p99)))}`,
        );
    }
  }
  out.push(`  ${columns([38], 'peak RSS (VmHWM, before a flood), MB', mb(s.peakRssMb))}`);
  const f = s.flood;
  if (f)
    out.push(
      `  flood: ${f.requests} authorizations in ${f.seconds.toFixed(1)} s, ${f.failed} failed; ` +
        `RSS ${mb(f.rssBeforeMb)} → ${mb(f.rssAfterMb)} MB; ${f.storeAdded ?? 'n/a'} store entries added`,
    );
  const redis = (loop: string, phase: Phase | undefined) =>
    phase?.redis &&
    `${loop} ${phase.redis.roundTripsPerHop.toFixed(2)} round trips, ${phase.redis.commandsPerHop.toFixed(1)} commands`;
  if (s.closed.redis)
    out.push(
      `  Redis per hop: ${[redis('open loop', s.open), redis('closed loop', s.closed)].filter(Boolean).join('; ')}`,
    );
  out.push(
    `  WeCom: gettoken ${s.wecom.gettoken} call(s) in the run, ${s.wecom.callsPerLogin.toFixed(2)} API calls per login`,
  );
  for (const [loop, phase] of [
    ['closed loop', s.closed],
    ['open loop', s.open],
  ] as const) {
    for (const side of ['bridge', 'floor'] as const) {
      if (phase && Object.keys(phase[side].errors).length > 0)
        out.push(`  errors, ${side}, ${loop}: ${JSON.stringify(phase[side].errors)}`);
    }
  }
  return out;
}

/** The hop with the highest p99. */
function worstHop(side: Side): { hop: string; p99: number } {
  return HOPS.map((hop) => ({ hop, p99: side.latency[hop]?.p99 ?? Infinity })).reduce((a, b) =>
    b.p99 > a.p99 ? b : a,
  );
}

/** `a ÷ b` to two decimals, undefined when `b` is 0. */
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : undefined);
const fixed = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(2));
const ms = (value: number) => value.toFixed(value < 10 ? 3 : 1);
const mb = (value: number) => value.toFixed(1);
/** `cells` in columns of `widths` (at least a space between two), the cells past them unpadded. */
const columns = (widths: readonly number[], ...cells: string[]) =>
  cells.map((cell, i) => (i < widths.length ? `${cell.padEnd(widths[i]! - 1)} ` : cell)).join('');
