/**
 * CPU per hop with the floor measured alongside.
 *
 * On a shared host the CPU time of the very same work drifts by 1.5–2× within one run (SMT
 * siblings and caches shared with other tenants): a floor measured at the start compared with
 * the bridge measured minutes later compares two different machines. So the hop-by-hop batch
 * (staged.ts) runs in rounds, and after each round the floor's parts are measured again: a bare
 * fastify route and the same route with one outbound call (the bare server, driven as the
 * bridge is), and jose RS256 signatures. Bridge and floor then see the same moments, and their
 * ratio is the figure that compares across machines. After the saturated floor, each round also
 * measures the floor at the bridge's pace (paced-floor.ts).
 */
import { loginFloor, measureRoutesInterleaved, outboundCpu, signLoopJose, type RouteTarget } from './ceiling.js';
import type { BridgeHop, LoginPlan } from './login.js';
import { pacedFloor, type PacedFloor } from './paced-floor.js';
import { cpuPerHop, noHopWindows, type HopCpu, type HopWindows } from './staged.js';
import { round3 } from './stats.js';

/** The floor of one login, measured between the hop-by-hop rounds. */
export interface FloorAlongside {
  /** CPU of one bare served request, ms. */
  readonly routeCpuMs: number;
  /** CPU of one bare keep-alive outbound call (route with the call minus route), ms. */
  readonly outboundCpuMs: number;
  /** CPU of one jose RS256 signature of an ID-token-sized payload, ms. */
  readonly signCpuMs: number;
  /** 4 served requests + 3 outbound calls + 1 signature, ms. */
  readonly floorCpuMs: number;
  /** Each hop's floor at the bridge's pace (paced-floor.ts) and their sum, ms; rounds' mean. */
  readonly paced: PacedFloor;
  readonly rounds: number;
}

/** Where the floor is measured: the bare server (its `/` and `/hop`) and the signing key. */
export interface FloorTargets {
  readonly route: RouteTarget;
  readonly hop: RouteTarget;
  readonly signingKeyPem: string;
}

/** Seconds of each floor measurement per round (route and call alternate in this slice). */
const ROUTE_SLICE_SECONDS = 0.5;
const SIGN_SLICE_SECONDS = 0.3;
const ROUNDS = 5;

/**
 * {@link cpuPerHop} over `count` logins in rounds, with the floor measured after each round; also
 * when each hop's stages ran (to cut a CPU profile by hop).
 */
export async function cpuPerHopWithFloor(
  plan: LoginPlan,
  pid: number,
  count: number,
  connections: number,
  floor: FloorTargets,
): Promise<{ hops: HopCpu; floor: FloorAlongside; windows: HopWindows }> {
  const targets = [floor.route, floor.hop];
  await measureRoutesInterleaved(targets, connections, ROUTE_SLICE_SECONDS); // warm-up
  const rounds = Math.min(ROUNDS, count);
  const hops: HopCpu[] = [];
  const sums = { route: 0, hop: 0, sign: 0 };
  const paced: PacedFloor[] = [];
  const windows = noHopWindows();
  for (let round = 0; round < rounds; round += 1) {
    const logins = Math.floor(count / rounds) + (round < count % rounds ? 1 : 0);
    const hopCpu = await cpuPerHop(plan, pid, logins, connections, windows);
    hops.push(hopCpu);
    const [route, hop] = await measureRoutesInterleaved(targets, connections, ROUTE_SLICE_SECONDS);
    const sign = (await signLoopJose(floor.signingKeyPem, SIGN_SLICE_SECONDS)).cpuMs;
    sums.route += route!.cpuMsPerRequest;
    sums.hop += hop!.cpuMsPerRequest;
    sums.sign += sign;
    const parts = { routeCpuMs: route!.cpuMsPerRequest, hopCpuMs: hop!.cpuMsPerRequest, signCpuMs: sign };
    paced.push(await pacedFloor(hopCpu, parts, floor.route, connections, ROUTE_SLICE_SECONDS));
  }
  const [route, hop, sign] = [sums.route / rounds, sums.hop / rounds, sums.sign / rounds];
  return {
    hops: combine(hops),
    floor: {
      routeCpuMs: round3(route),
      outboundCpuMs: round3(outboundCpu(route, hop)),
      signCpuMs: round3(sign),
      floorCpuMs: round3(loginFloor(route, hop, sign)),
      paced: meanOf(paced),
      rounds,
    },
    windows,
  };
}

/** The rounds' paced floors, averaged part by part. */
function meanOf(rounds: readonly PacedFloor[]): PacedFloor {
  const mean = (part: keyof PacedFloor) => round3(rounds.reduce((sum, round) => sum + round[part], 0) / Math.max(1, rounds.length));
  return { authorize: mean('authorize'), callback: mean('callback'), token: mean('token'), userinfo: mean('userinfo'), floorCpuMs: mean('floorCpuMs') };
}

/** The rounds' figures as one batch: per-hop CPU weighted by the logins of each round. */
function combine(rounds: readonly HopCpu[]): HopCpu {
  const logins = rounds.reduce((sum, round) => sum + round.logins, 0);
  const mean = (hop: BridgeHop) =>
    round3(rounds.reduce((sum, round) => sum + round[hop] * round.logins, 0) / Math.max(1, logins));
  return {
    logins,
    authorize: mean('authorize'),
    callback: mean('callback'),
    token: mean('token'),
    userinfo: mean('userinfo'),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
  };
}
