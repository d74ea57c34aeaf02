/**
 * The three ways of loading a server:
 *
 * - closed loop: K browsers, each starting its next login when the last one ends (saturation);
 * - open loop: logins started at a fixed rate whatever the answers do (latency under a steady,
 *   non-saturating load; a slow answer cannot slow the arrivals down and hide itself);
 * - one route: K connections hammering a single GET (discovery, JWKS, the bare route).
 *
 * The open loop also runs against the bare server's analogs of the bridge's hops, to show the
 * latency this machine gives the same unavoidable work on the same schedule.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { CookieJar, type Origin } from './http.js';
import { BRIDGE_HOPS, runLogin, type BridgeHop, type LoginPlan } from './login.js';
import { Recorder } from './stats.js';

/** What a load phase did. */
export interface LoadResult {
  readonly recorder: Recorder;
  /** Completed logins (or requests, for one route). */
  readonly completed: number;
  readonly seconds: number;
}

/** K browsers logging in back to back for `seconds`. */
export async function closedLoop(plan: LoginPlan, browsers: number, seconds: number, recorder = new Recorder()): Promise<LoadResult> {
  const deadline = performance.now() + seconds * 1000;
  let completed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: browsers }, async () => {
      const jar = new CookieJar();
      while (performance.now() < deadline) {
        if (await runLogin(plan, jar, recorder)) completed += 1;
      }
    }),
  );
  return { recorder, completed, seconds: (performance.now() - started) / 1000 };
}

/**
 * Logins started at `rate` per second for `seconds`. At most `maxInFlight` run at once; arrivals
 * beyond that are counted as `dropped` errors (the server is saturated: the figure is void).
 */
export function openLoop(plan: LoginPlan, rate: number, seconds: number, recorder = new Recorder(), maxInFlight = 1000): Promise<LoadResult> {
  return onSchedule(rate, seconds, recorder, maxInFlight, () => runLogin(plan, new CookieJar(), recorder));
}

/**
 * GET `path` at `rate` requests per second for `seconds`, whatever the answers do: the machine's
 * own latency under a steady load (the yardstick of the bridge's open-loop hop latencies).
 */
export function openLoopRoute(origin: Origin, path: string, rate: number, seconds: number, recorder = new Recorder()): Promise<LoadResult> {
  return onSchedule(rate, seconds, recorder, 1000, () => timedGet(origin, path, recorder));
}

/**
 * Each bridge hop's bare analog on the bare server: what the hop cannot avoid (a served request;
 * three outbound calls for the callback, one RS256 signature for the token), with nothing of
 * the bridge in it.
 */
export const BARE_ANALOGS: Readonly<Record<BridgeHop, string>> = { authorize: '/', callback: '/hop?calls=3', token: '/sign', userinfo: '/' };

/**
 * "Logins" made of the hops' bare analogs, one after another, started at `rate` per second for
 * `seconds` (the open loop's schedule); each analog is recorded under its hop's name.
 */
export function openLoopAnalogs(bare: Origin, rate: number, seconds: number, recorder = new Recorder()): Promise<LoadResult> {
  return onSchedule(rate, seconds, recorder, 1000, () => runAnalogLogin(bare, recorder));
}

/** Seconds of each slice of {@link openLoopBesideAnalogs}. */
const SLICE_SECONDS = 2;

/**
 * The open loop in slices, each followed by an equal slice of the hops' bare analogs on the same
 * schedule, so that bridge and analogs see the same moments of a machine whose load drifts. The
 * result counts the bridge's slices only (the bridge idles through the analogs' slices).
 */
export async function openLoopBesideAnalogs(
  plan: LoginPlan,
  analogs: { readonly origin: Origin; readonly recorder: Recorder },
  rate: number,
  seconds: number,
  recorder = new Recorder(),
): Promise<LoadResult> {
  const slices = Math.max(1, Math.round(seconds / SLICE_SECONDS));
  let completed = 0;
  let elapsed = 0;
  for (let slice = 0; slice < slices; slice += 1) {
    const part = await openLoop(plan, rate, seconds / slices, recorder);
    completed += part.completed;
    elapsed += part.seconds;
    await openLoopAnalogs(analogs.origin, rate, seconds / slices, analogs.recorder);
  }
  return { recorder, completed, seconds: elapsed };
}

async function runAnalogLogin(bare: Origin, recorder: Recorder): Promise<boolean> {
  const started = performance.now();
  for (const hop of BRIDGE_HOPS) if (!(await timedGet(bare, BARE_ANALOGS[hop], recorder, hop))) return false;
  recorder.add('login', performance.now() - started);
  return true;
}

/** Starts `once` at `rate` per second for `seconds`; `once` resolves true when it succeeded. */
async function onSchedule(rate: number, seconds: number, recorder: Recorder, maxInFlight: number, once: () => Promise<boolean>): Promise<LoadResult> {
  const started = performance.now();
  const total = Math.round(rate * seconds);
  const inFlight = new Set<Promise<void>>();
  let launched = 0;
  let completed = 0;
  while (launched < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    for (; launched < due; launched += 1) {
      if (inFlight.size >= maxInFlight) {
        recorder.error('dropped: too many in flight');
        continue;
      }
      const run: Promise<void> = once().then((ok) => {
        if (ok) completed += 1;
        inFlight.delete(run);
      });
      inFlight.add(run);
    }
    // A short sleep keeps arrivals close to their schedule without spinning a core.
    await sleep(Math.max(1, Math.min(5, 1000 / rate)));
  }
  await Promise.all(inFlight);
  return { recorder, completed, seconds: (performance.now() - started) / 1000 };
}

/** `connections` clients sending GET `path` back to back for `seconds`. */
export async function hammer(origin: Origin, path: string, connections: number, seconds: number, recorder = new Recorder()): Promise<LoadResult> {
  const deadline = performance.now() + seconds * 1000;
  let completed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) if (await timedGet(origin, path, recorder)) completed += 1;
    }),
  );
  return { recorder, completed, seconds: (performance.now() - started) / 1000 };
}

/** One GET, recorded under `name` when it answers 200, as an error otherwise. */
async function timedGet(origin: Origin, path: string, recorder: Recorder, name = 'request'): Promise<boolean> {
  const sent = performance.now();
  try {
    const answer = await origin.send({ path });
    if (answer.status === 200) {
      recorder.add(name, performance.now() - sent);
      return true;
    }
    recorder.error(`status ${answer.status}`);
  } catch (error) {
    recorder.error(`network: ${(error as { code?: string }).code ?? String(error)}`);
  }
  return false;
}
