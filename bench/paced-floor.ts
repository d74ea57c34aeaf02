/**
 * The floor at the bridge's pace.
 *
 * A served request or an outbound call costs a process less CPU when it serves many per second:
 * each wake-up of the event loop, each `epoll_wait`, each scheduler hand-over between the load
 * generator and the server is shared by more requests. The bare route is measured at ~40,000
 * requests/s; the bridge's callback runs at ~2,000/s, so the bare route's cost per request is
 * not what the same work costs at the bridge's pace (on our 2-core machines a bare route that
 * also burns 300 µs per request costs ~20 µs more overhead than the bare route alone).
 *
 * So each hop's floor is also measured as the hop's bare analog (the bare route; with three
 * outbound calls for the callback) that burns, per request, the CPU the bridge spends beyond that
 * analog: bare server and bridge then serve at about the same rate over the same connections,
 * and the analog's CPU minus the burn is the floor's share at the bridge's pace. The burn stands
 * in for the token hop's signature too, which is added back from its own measurement.
 */
import { measureRoutesInterleaved, outboundCpu, type RouteTarget } from './ceiling.js';
import { BRIDGE_HOPS, type BridgeHop } from './login.js';
import type { HopCpu } from './staged.js';

/** Each hop's floor at the bridge's pace and their sum (one login), ms. */
export type PacedFloor = Readonly<Record<BridgeHop | 'floorCpuMs', number>>;

/** The saturated floor's parts measured in the same round, ms. */
export interface FloorParts {
  readonly routeCpuMs: number;
  readonly hopCpuMs: number;
  readonly signCpuMs: number;
}

/** The bare analog of each hop: its path on the bare server and the outbound calls it makes. */
const ANALOG: Readonly<Record<BridgeHop, { readonly path: string; readonly calls: number }>> = {
  authorize: { path: '/', calls: 0 },
  callback: { path: '/hop?calls=3', calls: 3 },
  token: { path: '/', calls: 0 },
  userinfo: { path: '/', calls: 0 },
};

/**
 * Measures each hop's bare analog, burning the CPU the bridge spent beyond it in `round`, for
 * `seconds` each over `connections` connections of `bare` (whose process is `pid`).
 */
export async function pacedFloor(
  round: HopCpu,
  parts: FloorParts,
  bare: Omit<RouteTarget, 'path'>,
  connections: number,
  seconds: number,
): Promise<PacedFloor> {
  const outbound = outboundCpu(parts.routeCpuMs, parts.hopCpuMs);
  const burnUs = (hop: BridgeHop) => Math.max(0, Math.round((round[hop] - parts.routeCpuMs - ANALOG[hop].calls * outbound) * 1000));
  const burns = BRIDGE_HOPS.map(burnUs);
  const targets = BRIDGE_HOPS.map((hop, index) => ({ ...bare, path: withSpin(ANALOG[hop].path, burns[index]!) }));
  const figures = await measureRoutesInterleaved(targets, connections, seconds);
  const floor = BRIDGE_HOPS.map((hop, index) => {
    const paced = Math.max(0, figures[index]!.cpuMsPerRequest - burns[index]! / 1000);
    return hop === 'token' ? paced + parts.signCpuMs : paced;
  });
  return {
    authorize: floor[0]!,
    callback: floor[1]!,
    token: floor[2]!,
    userinfo: floor[3]!,
    floorCpuMs: floor.reduce((sum, value) => sum + value, 0),
  };
}

function withSpin(path: string, burnUs: number): string {
  return `${path}${path.includes('?') ? '&' : '?'}spin=${burnUs}`;
}
