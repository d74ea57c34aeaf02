/**
 * `npm run bench`: complete logins against the bridge as its own process, beside the floor (a bare
 * server doing the same hops, WeCom calls and signature), both driven by this process at the same
 * load in alternating slices. Prints one screen, then one JSON line. See bench/README.md.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { VERSION } from '../src/version.js';
import { closedLoop, connections, flood, HOPS, LoginPlan, openLoop } from './load.js';
import { cpuMs, memoryMb, Recorder, RedisProbe, round, sampleRss } from './measure.js';
import { parseOptions, USAGE, type BenchOptions, type StoreMode } from './options.js';
import { describeProfile } from './profile.js';
import { budget, screen, type Phase, type Side, type StoreFigures } from './report.js';
import { benchSecrets, BRIDGE_NODE_FLAGS, startBridge, startFloor, startRedis, startSimulator, stopAllOnExit, type Secrets, type Service } from './services.js';

/** Seconds of a slice: short, so that bridge and floor see the same moments of a drifting machine. */
const SLICE_SECONDS = 2;

/** A server under load: its process and its logins. */
interface Target {
  readonly pid: number;
  readonly plan: LoginPlan;
}

/** A load for `seconds`, recorded in `recorder`; resolves to the completed logins. */
type Load = (plan: LoginPlan, recorder: Recorder, seconds: number) => Promise<number>;

/** Runs `load` for `seconds` on each target, in alternating slices, and measures each side. */
async function alternating(targets: readonly [Target, Target], seconds: number, load: Load, probe?: RedisProbe): Promise<Phase> {
  const slices = Math.max(1, Math.round(seconds / SLICE_SECONDS));
  const sides = targets.map((target) => ({ target, recorder: new Recorder(), logins: 0, cpu: 0, seconds: 0, rss: sampleRss(target.pid) }));
  const redisBefore = await probe?.counters();
  for (let slice = 0; slice < slices; slice += 1) {
    for (const side of sides) {
      const [cpu, started] = [cpuMs(side.target.pid), performance.now()];
      side.logins += await load(side.target.plan, side.recorder, seconds / slices);
      side.seconds += (performance.now() - started) / 1000;
      side.cpu += cpuMs(side.target.pid) - cpu;
    }
  }
  const redisAfter = await probe?.counters();
  const [bridge, floor] = sides.map((side): Side => ({
    logins: side.logins,
    loginsPerSecond: round(side.logins / side.seconds, 1),
    cpuMsPerLogin: round(side.cpu / Math.max(1, side.logins), 3),
    peakRssMb: round(side.rss(), 1),
    latency: side.recorder.summary(),
    errors: Object.fromEntries(side.recorder.errors),
  })) as [Side, Side];
  if (!redisBefore || !redisAfter) return { bridge, floor };
  // Every answered bridge request is a hop, completed login or not.
  const hops = HOPS.reduce((sum, hop) => sum + (sides[0]!.recorder.samples.get(hop)?.length ?? 0), 0);
  const { reads, commands } = RedisProbe.between(redisBefore, redisAfter);
  return { bridge, floor, redis: { roundTripsPerHop: round(reads / hops, 3), commandsPerHop: round(commands / hops, 3) } };
}

/** Everything measured against one store, with fresh processes: one store cannot warm or fill the next. */
async function runStore(store: StoreMode, options: BenchOptions, secrets: Secrets, profiles: string[]): Promise<StoreFigures> {
  const services: Service[] = [];
  const start = async <S extends Service>(starting: Promise<S>): Promise<S> => {
    const service = await starting;
    services.push(service);
    return service;
  };
  const profile = options.cpuProf ? profileFlags(options.cpuProf, store) : undefined;
  const progress = (line: string) => process.stderr.write(`bench: ${store}: ${line}\n`);
  let probe: RedisProbe | undefined;
  let measuredFromMs = 0;
  try {
    // A simulator each, so that WeCom's counters are the bridge's alone.
    const sim = await start(startSimulator(options.members));
    const floorSim = await start(startSimulator(options.members));
    const redisUrl = store === 'redis' ? (options.redisUrl ?? (await start(startRedis())).url) : undefined;
    probe = redisUrl ? new RedisProbe(redisUrl) : undefined;
    const spawnedAt = performance.now();
    const flags = [...(options.nodeFlags ?? BRIDGE_NODE_FLAGS), ...(profile?.flags ?? [])];
    const bridge = await start(startBridge(sim.url, secrets, redisUrl, flags, options));
    const floor = await start(startFloor(floorSim.url, secrets.client));
    const plan = (server: Service, serverSim: Service) => new LoginPlan(server.url, serverSim.url, secrets.client, options.members);
    const targets = [{ pid: bridge.pid, plan: plan(bridge, sim) }, { pid: floor.pid, plan: plan(floor, floorSim) }] as const;
    const { rate, browsers } = options;
    const openLoad: Load = (p, recorder, seconds) => openLoop(p, rate, seconds, recorder);
    const closedLoad: Load = (p, recorder, seconds) => closedLoop(p, browsers, seconds, recorder);
    // Warm-up (JIT, the WeCom token, connection pools) as gently as the open loop, which comes
    // before saturation: RSS is sticky, a saturated phase would leave its garbage in the steady figure.
    progress(`warm-up, ${options.warmup} s each`);
    await alternating(targets, options.warmup, rate > 0 ? openLoad : closedLoad);
    measuredFromMs = performance.now() - spawnedAt;
    if (rate > 0) progress(`open loop, ${rate} logins/s, ${options.openDuration} s each`);
    const open = rate > 0 ? await alternating(targets, options.openDuration, openLoad, probe) : undefined;
    progress(`closed loop, ${browsers} browsers, ${options.duration} s each`);
    const callsBefore = await wecomCalls(sim);
    const closed = await alternating(targets, options.duration, closedLoad, probe);
    const callsAfter = await wecomCalls(sim);
    const peakRssMb = round(memoryMb(bridge.pid).peak, 1);
    if (options.flood > 0) progress(`flood of ${options.flood} abandoned authorizations`);
    const floodFigures = options.flood > 0 ? await floodBridge(targets[0], options, () => storeEntries(bridge, probe)) : undefined;
    const callsPerLogin = round((callsAfter.login - callsBefore.login) / Math.max(1, closed.bridge.logins), 2);
    return { store, browsers, rate, closed, open, peakRssMb, flood: floodFigures, wecom: { gettoken: callsAfter.gettoken, callsPerLogin } };
  } finally {
    await probe?.close();
    for (const service of services.reverse()) await service.stop();
    // The bridge writes its profile as it exits.
    if (profile && existsSync(profile.file)) profiles.push(describeProfile(profile.file, measuredFromMs));
  }
}

/** `--flood`: the bridge's RSS before and after (a second later, for the collector) and what the flood added to its store. */
async function floodBridge(bridge: Target, options: BenchOptions, held: () => Promise<number | undefined>): Promise<NonNullable<StoreFigures['flood']>> {
  const [rssBeforeMb, entriesBefore, started] = [round(memoryMb(bridge.pid).rss, 1), await held(), performance.now()];
  const failed = await flood(bridge.plan, options.flood, options.browsers);
  const seconds = round((performance.now() - started) / 1000, 1);
  await sleep(1000);
  const entriesAfter = await held();
  const storeAdded = entriesBefore === undefined || entriesAfter === undefined ? undefined : entriesAfter - entriesBefore;
  return { requests: options.flood, failed, seconds, rssBeforeMb, rssAfterMb: round(memoryMb(bridge.pid).rss, 1), storeAdded };
}

/** Entries in the bridge's store: its Redis keys, or the memory store's gauges on the metrics listener. */
async function storeEntries(bridge: { metricsUrl: string }, probe: RedisProbe | undefined): Promise<number | undefined> {
  if (probe) return probe.countKeys(`bench-${process.pid}:*`);
  const metrics = await (await fetch(`${bridge.metricsUrl}/metrics`)).text();
  const values = [...metrics.matchAll(/^wecom_oidc_memory_store_entries\{namespace="[^"]+"\} (\d+)/gm)].map((match) => Number(match[1]));
  return values.length === 0 ? undefined : values.reduce((sum, value) => sum + value, 0);
}

/** The simulator's gettoken calls so far, and a login's API calls (getuserinfo, getuserdetail, user/get). */
async function wecomCalls(sim: Service): Promise<{ gettoken: number; login: number }> {
  const { calls } = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as { calls: Record<string, number> };
  return { gettoken: calls.gettoken!, login: calls.getuserinfo! + calls.getuserdetail! + calls.userget! };
}

/** Node flags that make the bridge write a V8 CPU profile into `dir` as it exits, and the file. */
function profileFlags(dir: string, store: StoreMode): { flags: string[]; file: string } {
  mkdirSync(resolve(dir), { recursive: true });
  const name = `bridge-${store}-${Date.now()}.cpuprofile`;
  return { flags: ['--cpu-prof', `--cpu-prof-dir=${resolve(dir)}`, `--cpu-prof-name=${name}`], file: join(resolve(dir), name) };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') return void process.stdout.write(USAGE);
  if (!existsSync('/proc/self/stat')) throw new Error('the benchmark reads CPU and memory from /proc: run it on Linux');
  stopAllOnExit();
  const [secrets, loadBefore] = [benchSecrets(), loadavg()];
  const [stores, profiles]: [StoreFigures[], string[]] = [[], []];
  for (const store of options.stores) stores.push(await runStore(store, options, secrets, profiles));
  const load = [loadBefore, loadavg()].map((averages) => averages.map((v) => v.toFixed(2)).join(' ')).join(' → ');
  const heading =
    `wecom-oidc-bridge ${VERSION} · node ${process.version} · ${cpus().length} CPUs · load average ${load}\n` +
    `floor: a bare server doing the same hops, WeCom calls and signature, measured alongside in alternating ${SLICE_SECONDS} s slices`;
  const lines = budget(stores);
  process.stdout.write(`${[screen(heading, stores, lines), ...profiles].join('\n\n')}\n`);
  const environment = { version: VERSION, node: process.version, cpus: cpus().length, loadAverage: [loadBefore, loadavg()], date: new Date().toISOString() };
  process.stdout.write(`${JSON.stringify({ bench: 'wecom-oidc-bridge', ...environment, options, stores, budget: lines })}\n`);
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => connections.close());
