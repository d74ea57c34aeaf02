/**
 * The one screen `npm run bench` prints, and its budget. What the floor (bench/floor.ts) also has
 * (CPU, throughput, latency, RSS) is judged as a ratio to the floor measured alongside in the same
 * run: the absolute figures move with the machine and whatever else runs on it, the ratios much
 * less. What only the bridge has (a store to flood, Redis, WeCom calls) keeps absolute limits.
 * bench/README.md says why each limit is where it is.
 */
import type { Percentiles } from './measure.js';
import { HOPS } from './load.js';

/** One server's figures over its slices of a phase (ms, MB). */
export interface Side {
  readonly logins: number;
  readonly loginsPerSecond: number;
  readonly cpuMsPerLogin: number;
  readonly peakRssMb: number;
  readonly latency: Record<string, Percentiles>;
  readonly errors: Record<string, number>;
}

/** A phase: bridge and floor under the same load; Redis read events (round trips) and commands per bridge hop. */
export interface Phase {
  readonly bridge: Side;
  readonly floor: Side;
  readonly redis?: { readonly roundTripsPerHop: number; readonly commandsPerHop: number };
}

/**
 * Everything measured against one store: the closed loop (throughput, CPU), the open loop (latency,
 * steady RSS; absent with `--rate 0`), the bridge's RSS high-water mark before any flood, the
 * flood (`storeAdded`: entries the flood added to the store: /authorize stores nothing), and the simulator's count of gettoken
 * calls in the run and of API calls per login.
 */
export interface StoreFigures {
  readonly store: 'memory' | 'redis';
  readonly browsers: number;
  readonly rate: number;
  readonly closed: Phase;
  readonly open: Phase | undefined;
  readonly peakRssMb: number;
  readonly flood: { requests: number; failed: number; seconds: number; rssBeforeMb: number; rssAfterMb: number; storeAdded: number | undefined } | undefined;
  readonly wecom: { readonly gettoken: number; readonly callsPerLogin: number };
}

/** The budget's limits; bench/README.md says why each is where it is. */
export const LIMITS = { cpuRatio: { memory: 2.5, redis: 3 }, loginsRatio: 0.35, p99Ratio: 4, rssRatio: 1.25, floodRssMb: 80, floodStoreEntries: 100, redisRoundTrips: 2 } as const;

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
    const check = (line: string, figure: string, value: number | undefined, limit: number, at: 'most' | 'least' | 'exactly', unit = '') => {
      const ok = value === undefined ? undefined : at === 'most' ? value <= limit : at === 'least' ? value >= limit : value === limit;
      lines.push({ store: s.store, line, figure, value, limit: `${{ most: '≤', least: '≥', exactly: '=' }[at]} ${limit}${unit}`, ok });
    };
    const versus = (a: number, b: number, text: (v: number) => string, unit = '') => [`${text(a)} ÷ ${text(b)}${unit} = ${fixed(ratio(a, b))}`, ratio(a, b)] as const;
    const { bridge, floor } = s.closed;
    check('CPU per login ÷ floor (closed loop)', ...versus(bridge.cpuMsPerLogin, floor.cpuMsPerLogin, ms, ' ms'), LIMITS.cpuRatio[s.store], 'most');
    check('logins/s ÷ floor (closed loop)', ...versus(bridge.loginsPerSecond, floor.loginsPerSecond, (v) => v.toFixed(0)), LIMITS.loginsRatio, 'least');
    if (s.open) {
      const [b, f] = [worstHop(s.open.bridge), worstHop(s.open.floor)];
      check("worst hop p99 ÷ floor's (open loop)", `${b.hop} ${ms(b.p99)} ÷ ${f.hop} ${ms(f.p99)} ms = ${fixed(ratio(b.p99, f.p99))}`, ratio(b.p99, f.p99), LIMITS.p99Ratio, 'most');
      check("steady RSS ÷ floor's (open loop)", ...versus(s.open.bridge.peakRssMb, s.open.floor.peakRssMb, mb, ' MB'), LIMITS.rssRatio, 'most');
    }
    // The memory store holds the flood in the bridge's process, and caps it.
    if (s.flood && s.store === 'memory') {
      const added = s.flood.rssAfterMb - s.flood.rssBeforeMb;
      check('RSS added by the flood', `${mb(added)} MB`, added, LIMITS.floodRssMb, 'most', ' MB');
      check('store entries the flood added', String(s.flood.storeAdded ?? 'n/a'), s.flood.storeAdded, LIMITS.floodStoreEntries, 'most');
    }
    // Under saturation concurrent requests share Redis reads: the open loop shows the code's round trips.
    const trips = s.open?.redis?.roundTripsPerHop;
    if (trips !== undefined) check('Redis round trips per hop (open loop)', trips.toFixed(2), trips, LIMITS.redisRoundTrips, 'most');
    check('gettoken calls in the run', String(s.wecom.gettoken), s.wecom.gettoken, 1, 'exactly');
    check('WeCom API calls per login', s.wecom.callsPerLogin.toFixed(2), s.wecom.callsPerLogin, 3, 'exactly');
    return lines;
  });
}

/** The screen: one block per store, then the budget. */
export function screen(heading: string, stores: readonly StoreFigures[], lines: readonly BudgetLine[]): string {
  const out = [heading, ''];
  for (const s of stores) out.push(...storeBlock(s), '');
  out.push('budget (✓ met, ✗ not met, - not measured)');
  for (const l of lines) out.push(`  ${l.ok === undefined ? '-' : l.ok ? '✓' : '✗'} ${pad(l.store, 7)}${pad(l.line, 40)}${pad(l.figure, 44)}${l.limit}`);
  return out.join('\n');
}

/** One store's figures, bridge and floor side by side. */
function storeBlock(s: StoreFigures): string[] {
  const row = (label: string, phase: Phase, figure: (side: Side) => number, text: (value: number) => string) =>
    `  ${pad(label, 38)}${pad(text(figure(phase.bridge)), 12)}${pad(text(figure(phase.floor)), 12)}${fixed(ratio(figure(phase.bridge), figure(phase.floor)))}`;
  const out = [
    `${pad(`${s.store} store`, 40)}${pad('bridge', 12)}${pad('floor', 12)}bridge ÷ floor`,
    row(`closed loop (${s.browsers} browsers): logins/s`, s.closed, (x) => x.loginsPerSecond, (v) => v.toFixed(0)),
    row('closed loop: CPU per login, ms', s.closed, (x) => x.cpuMsPerLogin, ms),
  ];
  if (s.open) {
    out.push(
      row(`open loop (${s.rate} logins/s): CPU, ms`, s.open, (x) => x.cpuMsPerLogin, ms),
      row('steady RSS (open loop), MB', s.open, (x) => x.peakRssMb, mb),
      `  ${pad('latency (open loop), ms', 26)}${pad('p50', 8)}${pad('p99', 12)}${pad('p50', 8)}${pad('p99', 12)}p99 ÷ floor`,
    );
    for (const step of ['authorize', 'wecom', 'callback', 'token', 'userinfo', 'login']) {
      const [b, f] = [s.open.bridge.latency[step], s.open.floor.latency[step]];
      if (b && f) out.push(`    ${pad(step === 'wecom' ? 'wecom (simulator)' : step, 24)}${pad(ms(b.p50), 8)}${pad(ms(b.p99), 12)}${pad(ms(f.p50), 8)}${pad(ms(f.p99), 12)}${fixed(ratio(b.p99, f.p99))}`);
    }
  }
  out.push(`  ${pad('peak RSS (VmHWM, before a flood), MB', 38)}${mb(s.peakRssMb)}`);
  const f = s.flood;
  if (f) out.push(`  flood: ${f.requests} authorizations in ${f.seconds.toFixed(1)} s, ${f.failed} failed; RSS ${mb(f.rssBeforeMb)} → ${mb(f.rssAfterMb)} MB; ${f.storeAdded ?? 'n/a'} store entries added`);
  const redis = (loop: string, phase: Phase | undefined) => phase?.redis && `${loop} ${phase.redis.roundTripsPerHop.toFixed(2)} round trips, ${phase.redis.commandsPerHop.toFixed(1)} commands`;
  if (s.closed.redis) out.push(`  Redis per hop: ${[redis('open loop', s.open), redis('closed loop', s.closed)].filter(Boolean).join('; ')}`);
  out.push(`  WeCom: gettoken ${s.wecom.gettoken} call(s) in the run, ${s.wecom.callsPerLogin.toFixed(2)} API calls per login`);
  for (const [loop, phase] of [['closed loop', s.closed], ['open loop', s.open]] as const) {
    for (const side of ['bridge', 'floor'] as const) {
      if (phase && Object.keys(phase[side].errors).length > 0) out.push(`  errors, ${side}, ${loop}: ${JSON.stringify(phase[side].errors)}`);
    }
  }
  return out;
}

/** The hop with the highest p99. */
function worstHop(side: Side): { hop: string; p99: number } {
  return HOPS.map((hop) => ({ hop, p99: side.latency[hop]?.p99 ?? Infinity })).reduce((a, b) => (b.p99 > a.p99 ? b : a));
}

/** `a ÷ b` to two decimals, undefined when `b` is 0. */
function ratio(a: number, b: number): number | undefined {
  return b > 0 ? Math.round((a / b) * 100) / 100 : undefined;
}

const fixed = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(2));
const ms = (value: number) => value.toFixed(value < 10 ? 3 : 1);
const mb = (value: number) => value.toFixed(1);
const pad = (text: string, width: number) => text.padEnd(width - 1) + ' ';
