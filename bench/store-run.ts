/**
 * Everything measured against one bridge configuration (memory store or Redis), in this order:
 * warm-up, steady load (open loop, alternating with the hops' bare analogs on its schedule),
 * saturation (closed loop), CPU per hop, discovery and JWKS, the flood.
 * Each store gets fresh processes, so one run cannot warm or fill the next.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { measureRoutesInterleaved, type RouteFigures } from './ceiling.js';
import { cpuPerHopWithFloor, type FloorAlongside } from './hop-floor.js';
import { flood, gaugeValue, type FloodFigures } from './flood.js';
import { Origin } from './http.js';
import { closedLoop, openLoop, openLoopAnalogs, openLoopBesideAnalogs, type LoadResult } from './load.js';
import { BRIDGE_HOPS, LoginPlan } from './login.js';
import type { BenchOptions, StoreMode } from './options.js';
import { cpuMs, memoryMb, QuietestSecond, RssSampler } from './proc.js';
import { describeHopProfiles, describeProfile } from './profile-summary.js';
import { cpuPerHop, noHopWindows, type HopCpu, type HopWindows } from './staged.js';
import { RedisProbe, type RedisCounters } from './redis-stats.js';
import { Recorder, round3, type Percentiles } from './stats.js';
import { BRIDGE_NODE_FLAGS, findRedisServer, startBareServer, startBridge, startPrivateRedis, startSimulator, type BenchClient, type Service } from './services.js';

/** Figures of one load phase. */
export interface PhaseFigures {
  readonly logins: number;
  readonly seconds: number;
  readonly loginsPerSecond: number;
  readonly errors: number;
  readonly errorKinds: Record<string, number>;
  /** Bridge CPU (user + system, all threads) per completed login, ms. */
  readonly cpuMsPerLogin: number;
  /**
   * The same in the quietest whole second of the phase: on a shared machine other processes
   * inflate CPU time (caches, SMT siblings); the least disturbed second is closest to the cost.
   */
  readonly cpuMsPerLoginBestSecond: number;
  /** Bridge CPU use over the phase, in cores (1 = one core busy). */
  readonly cpuCores: number;
  readonly peakRssMb: number;
  /** Per step (authorize, wecom, callback, token, userinfo) and per whole login, ms. */
  readonly latency: Record<string, Percentiles>;
  /** Redis round trips (read events) and commands per bridge hop; Redis mode only. */
  readonly redis?: { readonly roundTripsPerHop: number; readonly commandsPerHop: number; readonly calls: Record<string, number> };
}

/** Figures of one store. */
export interface StoreFigures {
  readonly store: StoreMode;
  readonly closed: PhaseFigures;
  /** Bridge CPU per request of each hop, from logins taken through the flow hop by hop. */
  readonly hops: HopCpu;
  /** The floor of one login measured between the hop-by-hop rounds (absent with --route-duration 0). */
  readonly hopFloor?: FloorAlongside;
  readonly open?: PhaseFigures;
  /**
   * Latency of the hops' bare analogs (load.ts BARE_ANALOGS) on the open loop's schedule, in
   * slices alternating with it: what this machine gives the same unavoidable work at the same
   * moments, per hop and per "login".
   */
  readonly openAnalogs?: Record<string, Percentiles>;
  /** The bare route, measured in slices alternating with discovery and JWKS (their yardstick). */
  readonly bareRoute?: RouteFigures;
  readonly discovery?: RouteFigures;
  readonly jwks?: RouteFigures;
  readonly flood?: FloodFigures;
  /** gettoken calls the simulator saw over the whole run (one per token lifetime is right). */
  readonly gettoken: number;
  /** WeCom server calls per completed login (getuserinfo + getuserdetail + user/get = 3). */
  readonly wecomCallsPerLogin: number;
  /** Peak RSS of the bridge over the whole run (VmHWM), MB. */
  readonly rssHighWaterMb: number;
  readonly notes: string[];
  /** With `--cpu-prof`: the heaviest functions from the measured closed loop on (not in the JSON). */
  profile?: string;
}

/** Shared inputs of a store run. */
export interface StoreRunInput {
  readonly options: BenchOptions;
  readonly client: BenchClient;
  readonly signingKeyPem: string;
  /** Called with one line per phase, for progress on stderr. */
  readonly progress: (line: string) => void;
}

/** Runs every phase against a bridge on `store`. */
export async function runStore(store: StoreMode, input: StoreRunInput): Promise<StoreFigures> {
  const { options } = input;
  const notes: string[] = [];
  const sim = await startSimulator({ latencyMs: options.latency, members: options.members });
  let redis: Service | undefined;
  let bridge: Service | undefined;
  let bare: Service | undefined;
  let probe: RedisProbe | undefined;
  const origins: Origin[] = [];
  const profile = options.cpuProf ? cpuProfile(options.cpuProf, store) : undefined;
  let spawnedAt = 0;
  let measuredFrom = 0;
  let hopWindows: HopWindows | undefined;
  let figures: StoreFigures | undefined;
  try {
    const redisUrl = store === 'redis' ? await redisFor(options, notes, (service) => (redis = service)) : undefined;
    if (redisUrl) probe = new RedisProbe(redisUrl);
    spawnedAt = performance.now();
    bridge = await startBridge({
      simUrl: sim.url,
      client: input.client,
      signingKeyPem: input.signingKeyPem,
      ...(redisUrl ? { redisUrl } : {}),
      nodeFlags: [...(options.nodeFlags ?? BRIDGE_NODE_FLAGS), ...(profile?.flags ?? [])],
      ...(options.bridgeEntry ? { entry: options.bridgeEntry } : {}),
      extraEnv: options.bridgeEnv,
    });
    const bridgeOrigin = new Origin(bridge.url, options.browsers);
    const simOrigin = new Origin(sim.url, options.browsers);
    origins.push(bridgeOrigin, simOrigin);
    const plan = new LoginPlan(bridgeOrigin, simOrigin, input.client, options.members);
    const pid = bridge.child.pid;
    // The bare server of this store's comparisons: the hops' analogs beside the open loop, the
    // floor beside the hops, then the yardstick of discovery and JWKS.
    let bareOrigin: Origin | undefined;
    if (options.routeDuration > 0) {
      bare = await startBareServer(`${sim.url}/_sim/stats`);
      bareOrigin = new Origin(bare.url, options.browsers);
      origins.push(bareOrigin);
    }
    // Steady load first, on a bridge that only saw a gentle warm-up: RSS is sticky, and a
    // saturated phase before it would leave its garbage and its stored logins in the figure.
    if (options.warmup > 0) {
      input.progress(`${store}: warm-up ${options.warmup}s`);
      if (options.rate > 0) await openLoop(plan, options.rate, options.warmup);
      else await closedLoop(plan, options.browsers, options.warmup);
      if (options.rate > 0 && bareOrigin) await openLoopAnalogs(bareOrigin, options.rate, Math.min(1, options.warmup));
    }
    measuredFrom = performance.now();
    let open: PhaseFigures | undefined;
    let openAnalogs: Record<string, Percentiles> | undefined;
    if (options.rate > 0) {
      const analogs = bareOrigin ? { origin: bareOrigin, recorder: new Recorder() } : undefined;
      input.progress(`${store}: open loop, ${options.rate} logins/s, ${options.openDuration}s${analogs ? ", in slices alternating with the hops' bare analogs" : ''}`);
      open = await measurePhase(pid, probe, (recorder) =>
        analogs ? openLoopBesideAnalogs(plan, analogs, options.rate, options.openDuration, recorder) : openLoop(plan, options.rate, options.openDuration, recorder),
      );
      openAnalogs = analogs?.recorder.summary();
    }
    const callsBefore = await simCalls(sim.url);
    input.progress(`${store}: closed loop, ${options.browsers} browsers, ${options.duration}s`);
    const closed = await measurePhase(pid, probe, (recorder) => closedLoop(plan, options.browsers, options.duration, recorder));
    const callsAfter = await simCalls(sim.url);
    let hops: HopCpu;
    let hopFloor: FloorAlongside | undefined;
    hopWindows = noHopWindows();
    if (bare && bareOrigin) {
      input.progress(`${store}: CPU per hop, ${stagedLogins(options)} logins hop by hop, the floor measured between rounds`);
      ({ hops, floor: hopFloor, windows: hopWindows } = await cpuPerHopWithFloor(plan, pid, stagedLogins(options), options.browsers, {
        route: { origin: bareOrigin, pid: bare.child.pid, path: '/' },
        hop: { origin: bareOrigin, pid: bare.child.pid, path: '/hop' },
        signingKeyPem: input.signingKeyPem,
      }));
    } else {
      input.progress(`${store}: CPU per hop, ${stagedLogins(options)} logins hop by hop`);
      hops = await cpuPerHop(plan, pid, stagedLogins(options), options.browsers, hopWindows);
    }
    const wecomCalls = callsAfter.getuserinfo + callsAfter.getuserdetail + callsAfter.userget
      - (callsBefore.getuserinfo + callsBefore.getuserdetail + callsBefore.userget);
    let discovery: RouteFigures | undefined;
    let jwks: RouteFigures | undefined;
    let bareRoute: RouteFigures | undefined;
    if (bare && bareOrigin && store === 'memory') {
      input.progress(`${store}: discovery and JWKS against the bare route, ${options.routeDuration}s each`);
      [bareRoute, discovery, jwks] = await compareDocuments(bridgeOrigin, pid, { origin: bareOrigin, pid: bare.child.pid }, options);
    }
    let floodFigures: FloodFigures | undefined;
    if (options.flood > 0) {
      input.progress(`${store}: flood of ${options.flood} abandoned authorizations`);
      floodFigures = await flood(plan, pid, {
        count: options.flood,
        connections: options.browsers,
        storedLogins: () => storedLogins(store, bridgeOrigin, probe),
      });
      if (floodFigures.storedLogins === undefined) notes.push('the bridge exports no wecom_oidc_memory_store_entries gauge: store size unknown');
    }
    const gettoken = (await simCalls(sim.url)).gettoken;
    figures = {
      store,
      closed,
      hops,
      ...(hopFloor ? { hopFloor } : {}),
      ...(open ? { open } : {}),
      ...(openAnalogs ? { openAnalogs } : {}),
      ...(bareRoute ? { bareRoute } : {}),
      ...(discovery ? { discovery } : {}),
      ...(jwks ? { jwks } : {}),
      ...(floodFigures ? { flood: floodFigures } : {}),
      gettoken,
      wecomCallsPerLogin: closed.logins === 0 ? 0 : round3(wecomCalls / closed.logins),
      rssHighWaterMb: round3(memoryMb(pid).peak),
      notes,
    };
  } finally {
    await Promise.all(origins.map((origin) => origin.close().catch(() => {})));
    await probe?.close();
    await bridge?.child.stop();
    await bare?.child.stop();
    await sim.child.stop();
    await redis?.child.stop();
  }
  // The bridge writes its profile when it exits.
  if (profile && existsSync(profile.file)) {
    figures.profile = describeProfile(profile.file, 30, measuredFrom - spawnedAt);
    if (hopWindows) figures.profile += `\n${describeHopProfiles(profile.file, hopWindows, 15)}`;
  }
  return figures;
}

/** Logins of the hop-by-hop stage: enough for a stable figure, in proportion to the run. */
function stagedLogins(options: BenchOptions): number {
  return Math.max(100, Math.min(3000, Math.round(options.duration * 300)));
}

/** Discovery and JWKS of the bridge and the bare server's route, in alternating slices. */
async function compareDocuments(bridge: Origin, pid: number, bare: { origin: Origin; pid: number }, options: BenchOptions): Promise<RouteFigures[]> {
  const targets = [
    { origin: bare.origin, pid: bare.pid, path: '/' },
    { origin: bridge, pid, path: '/.well-known/openid-configuration' },
    { origin: bridge, pid, path: '/jwks' },
  ];
  await measureRoutesInterleaved(targets, options.browsers, Math.min(1, options.routeDuration)); // warm-up
  return measureRoutesInterleaved(targets, options.browsers, options.routeDuration);
}

/** Runs `load` while measuring the bridge's CPU, RSS and Redis traffic. */
async function measurePhase(pid: number, probe: RedisProbe | undefined, load: (recorder: Recorder) => Promise<LoadResult>): Promise<PhaseFigures> {
  const redisBefore = await probe?.counters();
  const sampler = new RssSampler(pid);
  sampler.start();
  const recorder = new Recorder();
  const seconds = new QuietestSecond(pid, () => recorder.count('login'), 20);
  const cpuBefore = cpuMs(pid);
  const result = await load(recorder);
  const cpu = cpuMs(pid) - cpuBefore;
  const best = seconds.stop();
  const peakRssMb = sampler.stop();
  const redisAfter = await probe?.counters();
  const { completed } = result;
  // Every bridge request that was answered counts as a hop, completed login or not.
  const hops = BRIDGE_HOPS.reduce((sum, hop) => sum + recorder.count(hop), 0);
  return {
    logins: completed,
    seconds: round3(result.seconds),
    loginsPerSecond: round3(completed / result.seconds),
    errors: recorder.errors,
    errorKinds: recorder.errorKinds(),
    cpuMsPerLogin: completed === 0 ? 0 : round3(cpu / completed),
    cpuMsPerLoginBestSecond: round3(best ?? (completed === 0 ? 0 : cpu / completed)),
    cpuCores: round3(cpu / 1000 / result.seconds),
    peakRssMb: round3(peakRssMb),
    latency: recorder.summary(),
    ...(redisBefore && redisAfter ? { redis: redisPerHop(redisBefore, redisAfter, hops) } : {}),
  };
}

function redisPerHop(before: RedisCounters, after: RedisCounters, hops: number): NonNullable<PhaseFigures['redis']> {
  const delta = RedisProbe.difference(before, after);
  return {
    roundTripsPerHop: hops === 0 ? 0 : round3(delta.reads / hops),
    commandsPerHop: hops === 0 ? 0 : round3(delta.commands / hops),
    calls: delta.calls,
  };
}

async function redisFor(options: BenchOptions, notes: string[], started: (service: Service) => void): Promise<string> {
  if (options.redisUrl) {
    notes.push(`Redis at ${options.redisUrl} is shared: its counters include other clients`);
    return options.redisUrl;
  }
  const binary = findRedisServer();
  if (!binary) throw new Error('redis-server is not on PATH: install it, pass --redis-url, or use --store memory');
  const service = await startPrivateRedis(binary);
  started(service);
  return service.url;
}

async function storedLogins(store: StoreMode, bridge: Origin, probe: RedisProbe | undefined): Promise<number | undefined> {
  if (store === 'redis') return probe?.countKeys(`bench-*:login:*`);
  const metrics = await bridge.send({ path: '/metrics', readBody: true });
  return gaugeValue(metrics.body ?? '', 'wecom_oidc_memory_store_entries', 'namespace="login"');
}

async function simCalls(simUrl: string): Promise<Record<'gettoken' | 'getuserinfo' | 'getuserdetail' | 'userget', number>> {
  const response = await fetch(`${simUrl}/_sim/stats`);
  return ((await response.json()) as { calls: Record<'gettoken' | 'getuserinfo' | 'getuserdetail' | 'userget', number> }).calls;
}

/** Node flags that make the bridge write a V8 CPU profile into `dir` when it exits, and its path. */
function cpuProfile(dir: string, store: StoreMode): { flags: string[]; file: string } {
  const absolute = resolve(dir);
  mkdirSync(absolute, { recursive: true });
  const name = `bridge-${store}-${Date.now()}.cpuprofile`;
  return { flags: ['--cpu-prof', `--cpu-prof-dir=${absolute}`, `--cpu-prof-name=${name}`], file: join(absolute, name) };
}
