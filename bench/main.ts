/**
 * `npm run bench`: complete logins against the bridge and the floor, each its own process, driven by
 * this one at the same load in alternating slices; one screen, then one JSON line (bench/README.md).
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { VERSION } from '../src/version.js';
import { closedLoop, connections, flood, HOPS, LoginPlan, openLoop } from './load.js';
import { cpuMs, memoryMb, memoryStoreEntries, Recorder, RedisProbe, round, sampleRss } from './measure.js';
import { type BenchOptions, parseOptions, type StoreMode, USAGE } from './options.js';
import { describeProfile } from './profile.js';
import { budget, type Phase, type Side, type StoreFigures, screen } from './report.js';
import {
  killAllOnExit,
  REDIS_KEY_PREFIX,
  type Service,
  startBridge,
  startFloor,
  startRedis,
  startSimulator,
  stopAll,
} from './services.js';

/** Seconds of a slice: short, so that bridge and floor see the same moments of a drifting machine. */
const SLICE_SECONDS = 2;

/** A load for `seconds`, recorded in `recorder`; resolves to the completed logins. */
type Load = (plan: LoginPlan, recorder: Recorder, seconds: number) => Promise<number>;

/** Runs `load` for `seconds` on each target, in alternating slices, and measures each side. */
async function alternating(
  plans: readonly [LoginPlan, LoginPlan],
  seconds: number,
  load: Load,
  probe?: RedisProbe,
): Promise<Phase> {
  const slices = Math.max(1, Math.round(seconds / SLICE_SECONDS));
  const sides = plans.map((plan) => ({
    plan,
    recorder: new Recorder(),
    logins: 0,
    cpu: 0,
    seconds: 0,
    rss: sampleRss(plan.pid),
  }));
  const redisBefore = await probe?.counters();
  for (let slice = 0; slice < slices; slice += 1) {
    for (const side of sides) {
      const [cpu, started] = [cpuMs(side.plan.pid), performance.now()];
      side.logins += await load(side.plan, side.recorder, seconds / slices);
      side.seconds += (performance.now() - started) / 1000;
      side.cpu += cpuMs(side.plan.pid) - cpu;
    }
  }
  const redisAfter = await probe?.counters();
  const [bridge, floor] = sides.map(
    ({ logins, cpu, seconds, rss, recorder }): Side => ({
      logins,
      loginsPerSecond: round(logins / seconds, 1),
      cpuMsPerLogin: round(cpu / Math.max(1, logins), 3),
      peakRssMb: round(rss(), 1),
      latency: recorder.summary(),
      errors: { ...recorder.errors },
    }),
  ) as [Side, Side];
  if (!redisBefore || !redisAfter) return { bridge, floor };
  // Every answered bridge request is a hop, completed login or not.
  const hops = HOPS.reduce((sum, hop) => sum + (sides[0]!.recorder.samples[hop]?.length ?? 0), 0);
  // The probe's own INFO adds one read and one command.
  const [reads, commands] = [redisAfter.reads - redisBefore.reads - 1, redisAfter.commands - redisBefore.commands - 1];
  return {
    bridge,
    floor,
    redis: { roundTripsPerHop: round(reads / hops, 3), commandsPerHop: round(commands / hops, 3) },
  };
}

/** Everything measured against one store, with fresh processes: one store cannot warm or fill the next. */
async function runStore(store: StoreMode, options: BenchOptions, profiles: string[]): Promise<StoreFigures> {
  const progress = (line: string) => process.stderr.write(`bench: ${store}: ${line}\n`);
  const profile =
    options.cpuProf === undefined
      ? undefined
      : join(resolve(options.cpuProf), `bridge-${store}-${Date.now()}.cpuprofile`);
  const { rate, browsers, members } = options;
  let probe: RedisProbe | undefined;
  let measuredFromMs = 0;
  try {
    // A simulator each, so that WeCom's counters are the bridge's alone.
    const [sim, floorSim] = [await startSimulator(members), await startSimulator(members)];
    const redisUrl = store === 'redis' ? (options.redisUrl ?? (await startRedis()).url) : undefined;
    probe = redisUrl === undefined ? undefined : new RedisProbe(redisUrl);
    const bridge = await startBridge(sim.url, redisUrl, { bridgeEntry: options.bridgeEntry, cpuProfile: profile });
    const floor = await startFloor(floorSim.url);
    const plans = [
      new LoginPlan(bridge.pid, bridge.url, sim.url, members),
      new LoginPlan(floor.pid, floor.url, floorSim.url, members),
    ] as const;
    const openLoad: Load = (plan, recorder, seconds) => openLoop(plan, rate, seconds, recorder);
    const closedLoad: Load = (plan, recorder, seconds) => closedLoop(plan, browsers, seconds, recorder);
    const phase = (name: string, seconds: number, load: Load, redis?: RedisProbe) => {
      progress(`${name}, ${seconds} s each`);
      return alternating(plans, seconds, load, redis);
    };
    // Warm-up (JIT, the WeCom token, connection pools) at the open loop's rate: RSS is sticky, saturation would stay in it.
    await phase('warm-up', options.warmup, rate > 0 ? openLoad : closedLoad);
    measuredFromMs = performance.now() - bridge.spawnedAt;
    const open =
      rate > 0 ? await phase(`open loop, ${rate} logins/s`, options.openDuration, openLoad, probe) : undefined;
    const callsBefore = await wecomCalls(sim);
    const closed = await phase(`closed loop, ${browsers} browsers`, options.duration, closedLoad, probe);
    const callsAfter = await wecomCalls(sim);
    const peakRssMb = round(memoryMb(bridge.pid).peak, 1);
    const entries = () => (probe ? probe.storeEntries(REDIS_KEY_PREFIX) : memoryStoreEntries(bridge.metricsUrl));
    if (options.flood > 0) progress(`flood of ${options.flood} abandoned authorizations`);
    const flooded = options.flood > 0 ? await floodBridge(plans[0], options, entries) : undefined;
    const callsPerLogin = round((callsAfter.login - callsBefore.login) / Math.max(1, closed.bridge.logins), 2);
    return {
      store,
      browsers,
      rate,
      closed,
      open,
      peakRssMb,
      flood: flooded,
      wecom: { gettoken: callsAfter.gettoken, callsPerLogin },
    };
  } finally {
    await probe?.close();
    await stopAll();
    // The bridge writes its profile as it exits.
    if (profile && existsSync(profile)) profiles.push(describeProfile(profile, measuredFromMs));
  }
}

/** `--flood`: the bridge's RSS before and a second after (for the collector), and the store entries it added. */
async function floodBridge(
  bridge: LoginPlan,
  options: BenchOptions,
  entries: () => Promise<number | undefined>,
): Promise<StoreFigures['flood']> {
  const [rssBeforeMb, entriesBefore, started] = [
    round(memoryMb(bridge.pid).rss, 1),
    await entries(),
    performance.now(),
  ];
  const failed = await flood(bridge, options.flood, options.browsers);
  const seconds = round((performance.now() - started) / 1000, 1);
  await sleep(1000);
  const entriesAfter = await entries();
  const storeAdded =
    entriesBefore === undefined || entriesAfter === undefined ? undefined : entriesAfter - entriesBefore;
  return {
    requests: options.flood,
    failed,
    seconds,
    rssBeforeMb,
    rssAfterMb: round(memoryMb(bridge.pid).rss, 1),
    storeAdded,
  };
}

/** The simulator's gettoken calls so far, and a login's API calls (getuserinfo, getuserdetail, user/get). */
async function wecomCalls(sim: Service): Promise<{ gettoken: number; login: number }> {
  const { calls } = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as { calls: Record<string, number> };
  return { gettoken: calls.gettoken!, login: calls.getuserinfo! + calls.getuserdetail! + calls.userget! };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') return void process.stdout.write(USAGE);
  if (!existsSync('/proc/self/stat')) throw new Error('the benchmark reads CPU and memory from /proc: run it on Linux');
  killAllOnExit();
  const loadBefore = loadavg();
  const [stores, profiles]: [StoreFigures[], string[]] = [[], []];
  for (const store of options.stores) stores.push(await runStore(store, options, profiles));
  const loadAverage = [loadBefore, loadavg()];
  const load = loadAverage.map((averages) => averages.map((v) => v.toFixed(2)).join(' ')).join(' → ');
  const heading =
    `wecom-oidc-bridge ${VERSION} · node ${process.version} · ${cpus().length} CPUs · load average ${load}\n` +
    `floor: a bare server doing the same hops, WeCom calls and signature, measured alongside in alternating ${SLICE_SECONDS} s slices`;
  const lines = budget(stores);
  process.stdout.write(`${[screen(heading, stores, lines), ...profiles].join('\n\n')}\n`);
  const environment = {
    version: VERSION,
    node: process.version,
    cpus: cpus().length,
    loadAverage,
    date: new Date().toISOString(),
  };
  process.stdout.write(
    `${JSON.stringify({ bench: 'wecom-oidc-bridge', ...environment, options, stores, budget: lines })}\n`,
  );
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => connections.close());
