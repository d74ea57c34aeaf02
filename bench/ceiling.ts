/**
 * The machine's ceiling, measured in the same run so that the bridge's figures can be read as
 * multiples of it on any machine, noisy or not:
 *
 * - a bare fastify route (`GET /`) and a bare outbound call (`GET /hop` minus `GET /`), served by
 *   the same kind of process and driven by the same load generator as the bridge;
 * - a bare RS256 signature with jose (one per ID token), timed in this process while nothing else
 *   runs, and, for reference, node:crypto's asynchronous `sign` on the same key.
 *
 * The floor of one login is what it cannot avoid: four served requests, three WeCom calls and one
 * signature. With an open-loop rate, the bare outbound route is also driven on that schedule (four
 * requests per login, as the bridge's hops): the latency this machine shows under that load with
 * nothing of the bridge in it, the yardstick of the hop p99 line.
 */
import { createPrivateKey, sign as nodeSign, type KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { importPKCS8, SignJWT } from 'jose';
import { Origin } from './http.js';
import { idTokenPayload } from './id-token.js';
import { hammer, openLoopRoute } from './load.js';
import { cpuMs } from './proc.js';
import { Recorder, round3 } from './stats.js';
import { startBareServer } from './services.js';

/** Throughput and cost of one route. */
export interface RouteFigures {
  readonly requestsPerSecond: number;
  readonly cpuMsPerRequest: number;
  /** The same in the quietest whole second (see QuietestSecond). */
  readonly cpuMsPerRequestBestSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

/** The ceiling's figures. */
export interface Ceiling {
  readonly bareRoute: RouteFigures;
  readonly bareHop: RouteFigures;
  /** CPU of one outbound keep-alive call: hop minus route. */
  readonly outboundCpuMs: number;
  readonly signJose: { readonly cpuMs: number; readonly wallMs: number };
  readonly signNode: { readonly cpuMs: number; readonly wallMs: number };
  /** 4 served requests + 3 outbound calls + 1 jose signature. */
  readonly floorCpuMsPerLogin: number;
  /** The same from the quietest seconds of the route measurements. */
  readonly floorCpuMsPerLoginBestSecond: number;
  /** The bare outbound route in an open loop at the bridge's hop rate (absent without --rate). */
  readonly bareHopOpenLoop?: OpenLoopFigures;
}

/** Latency of a route driven on a fixed schedule. */
export interface OpenLoopFigures {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly errors: number;
}

/** One route to measure: where it is served, and the process whose CPU it costs. */
export interface RouteTarget {
  readonly origin: Origin;
  readonly pid: number;
  readonly path: string;
}

/**
 * Measures several routes in alternating one-second slices, so that each sees the same share of
 * whatever else the machine is doing (a route measured a minute after another is compared with
 * a different machine); the figures add up the slices.
 */
export async function measureRoutesInterleaved(targets: readonly RouteTarget[], connections: number, seconds: number): Promise<RouteFigures[]> {
  const slice = Math.min(1, seconds);
  const rounds = Math.max(1, Math.round(seconds / slice));
  const totals = targets.map(() => ({ recorder: new Recorder(), cpu: 0, completed: 0, seconds: 0, best: Infinity }));
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, target] of targets.entries()) {
      const total = totals[index]!;
      const cpuBefore = cpuMs(target.pid);
      const result = await hammer(target.origin, target.path, connections, slice, total.recorder);
      const cpu = cpuMs(target.pid) - cpuBefore;
      total.cpu += cpu;
      total.completed += result.completed;
      total.seconds += result.seconds;
      if (result.completed >= 200) total.best = Math.min(total.best, cpu / result.completed);
    }
  }
  return totals.map((total) => {
    const perRequest = total.completed === 0 ? 0 : total.cpu / total.completed;
    const latency = total.recorder.summary().request;
    return {
      requestsPerSecond: Math.round(total.completed / total.seconds),
      cpuMsPerRequest: round3(perRequest),
      cpuMsPerRequestBestSecond: round3(Number.isFinite(total.best) ? total.best : perRequest),
      p50Ms: latency?.p50 ?? 0,
      p99Ms: latency?.p99 ?? 0,
      errors: total.recorder.errors,
    };
  });
}

/** CPU of one outbound call: the route with the call minus the bare route, ms. */
export function outboundCpu(routeCpuMs: number, hopCpuMs: number): number {
  return Math.max(0, hopCpuMs - routeCpuMs);
}

/**
 * What one login cannot avoid, ms: four served requests, three outbound (WeCom) calls and one
 * signature, from the bare route's and the bare route-with-a-call's CPU per request.
 */
export function loginFloor(routeCpuMs: number, hopCpuMs: number, signCpuMs: number): number {
  return 4 * routeCpuMs + 3 * outboundCpu(routeCpuMs, hopCpuMs) + signCpuMs;
}

/** What {@link measureCeiling} needs. */
export interface CeilingOptions {
  /** A cheap JSON URL for the outbound call (the simulator's stats). */
  readonly upstream: string;
  readonly signingKeyPem: string;
  readonly connections: number;
  /** Seconds per route. */
  readonly seconds: number;
  /** Open-loop logins per second and seconds (0: no open-loop yardstick). */
  readonly loginRate: number;
  readonly openSeconds: number;
}

/** Measures the ceiling. */
export async function measureCeiling(options: CeilingOptions): Promise<Ceiling> {
  const bare = await startBareServer(options.upstream);
  const origin = new Origin(bare.url, options.connections);
  try {
    const targets = [
      { origin, pid: bare.child.pid, path: '/' },
      { origin, pid: bare.child.pid, path: '/hop' },
    ];
    await measureRoutesInterleaved(targets, options.connections, Math.min(1, options.seconds)); // warm-up
    const [bareRoute, bareHop] = (await measureRoutesInterleaved(targets, options.connections, options.seconds)) as [RouteFigures, RouteFigures];
    const outboundCpuMs = round3(outboundCpu(bareRoute.cpuMsPerRequest, bareHop.cpuMsPerRequest));
    const bareHopOpenLoop = options.loginRate > 0 ? await openLoopFigures(origin, 4 * options.loginRate, options.openSeconds) : undefined;
    await origin.close();
    await bare.child.stop();
    const signJose = await signLoopJose(options.signingKeyPem, options.seconds);
    const signNode = await signLoopNode(createPrivateKey(options.signingKeyPem), options.seconds);
    return {
      bareRoute,
      bareHop,
      outboundCpuMs,
      signJose,
      signNode,
      floorCpuMsPerLogin: round3(loginFloor(bareRoute.cpuMsPerRequest, bareHop.cpuMsPerRequest, signJose.cpuMs)),
      floorCpuMsPerLoginBestSecond: round3(loginFloor(bareRoute.cpuMsPerRequestBestSecond, bareHop.cpuMsPerRequestBestSecond, signJose.cpuMs)),
      ...(bareHopOpenLoop ? { bareHopOpenLoop } : {}),
    };
  } finally {
    await origin.close().catch(() => {});
    await bare.child.stop();
  }
}

async function openLoopFigures(origin: Origin, rate: number, seconds: number): Promise<OpenLoopFigures> {
  const result = await openLoopRoute(origin, '/hop', rate, seconds);
  const latency = result.recorder.summary().request;
  return {
    requestsPerSecond: Math.round(result.completed / result.seconds),
    p50Ms: latency?.p50 ?? 0,
    p99Ms: latency?.p99 ?? 0,
    maxMs: latency?.max ?? 0,
    errors: result.recorder.errors,
  };
}

/** Sequential RS256 signatures of an ID-token-sized payload with jose for `seconds`. */
export async function signLoopJose(pem: string, seconds: number): Promise<{ cpuMs: number; wallMs: number }> {
  const key = await importPKCS8(pem, 'RS256');
  const payload = idTokenPayload();
  return timeLoop(seconds, () => new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'bench', typ: 'JWT' }).sign(key));
}

/** The same with node:crypto's asynchronous sign (libuv pool), for reference. */
async function signLoopNode(key: KeyObject, seconds: number): Promise<{ cpuMs: number; wallMs: number }> {
  const sign = promisify(nodeSign);
  const data = Buffer.from(`eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(idTokenPayload())).toString('base64url')}`);
  return timeLoop(seconds, () => sign('sha256', data, key));
}

async function timeLoop(seconds: number, once: () => Promise<unknown>): Promise<{ cpuMs: number; wallMs: number }> {
  for (let i = 0; i < 50; i += 1) await once(); // warm-up
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < seconds * 1000) {
    await once();
    count += 1;
  }
  const wall = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { cpuMs: round3((cpu.user + cpu.system) / 1000 / count), wallMs: round3(wall / count) };
}
