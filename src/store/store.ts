/**
 * The one storage interface of the bridge.
 *
 * All shared state (login transactions, codes, sessions, tokens, revocations, the WeCom access
 * token) goes through it, so that a memory store serves one process and a Redis store serves any
 * number of replicas with the same behaviour. One conformance suite (`test/store/`) runs against
 * every implementation.
 *
 * Keys are `<namespace>:<id>`; ids derived from secrets (codes, tokens, cookies) are SHA-256
 * hashes, never the secret itself. Values are JSON-serialisable.
 */

import { BridgeError, temporarilyUnavailable } from '../errors/bridge-error.js';

/** Key/value storage with per-key expiry and the atomic operations single-use needs. */
export interface Store {
  /** Stores `value` under `key` for `ttlSeconds`, replacing any previous value. */
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  /** The value under `key`, or undefined when absent or expired. */
  get<T>(key: string): Promise<T | undefined>;
  /** Several values in one round trip, in the order of `keys`. */
  getMany(keys: readonly string[]): Promise<unknown[]>;
  /** Atomically reads and deletes `key`: of concurrent callers (on any replica) exactly one gets the value. */
  take<T>(key: string): Promise<T | undefined>;
  /**
   * {@link take}, but only if the stored object's top-level `field` equals `expected`; otherwise
   * the value stays. When it is taken, `mark` (if given) is created in the same atomic step,
   * unless its key exists. One round trip where get, claim and take would need three: the WeCom
   * callback consumes a login only from the browser that holds its binding, and marks it as in
   * flight before anyone can see it gone.
   */
  takeIf<T>(key: string, field: string, expected: string, mark?: StoreWrite): Promise<ConditionalTake<T>>;
  /**
   * Creates `key` only if it does not exist; true when this call created it (the atomic "first
   * use"). When it does, `alsoWrite` is stored and the keys of `alsoDelete` are removed in the same
   * atomic step (nothing of either otherwise): the token endpoint consumes a code, stores the
   * tokens it yields and drops the code's record in one round trip.
   */
  claim(
    key: string,
    value: unknown,
    ttlSeconds: number,
    alsoWrite?: readonly StoreWrite[],
    alsoDelete?: readonly string[],
  ): Promise<boolean>;
  /**
   * {@link set} for several values in one round trip (not atomic: a failure may leave some
   * written). A login's callback stores its session, code and result this way.
   */
  setMany(writes: readonly StoreWrite[]): Promise<void>;
  /**
   * Counts one request against each counter in turn (fixed windows of `windowSeconds`, each
   * started by its counter's first hit) and stops at the first counter already at its maximum:
   * that request is refused and the counters after it are not charged, so requests a per-address
   * limit refuses cannot spend a per-client budget. Atomic, one round trip (the rate limits).
   */
  hit(counters: readonly HitCounter[], windowSeconds: number): Promise<HitResult>;
  /**
   * Takes one unit of every counter, or of none: when any counter is at its maximum, nothing is
   * charged and a full counter is named. Each counter has its own fixed window, started by its
   * first unit. Atomic, one round trip: of concurrent callers on any replica, never more are
   * granted than the maxima allow. A budget is reserved before the work it pays for (a WeCom
   * call), not counted after it, so parallel requests cannot all pass a check of the same count.
   *
   * With a `hold`, the unit is also marked as held under the hold's id (a lease of
   * `hold.seconds`) until {@link release} or {@link keep} settles it, so that a refusal can tell
   * units that work still in flight may give back ({@link ReserveResult} `held`) from units
   * already spent. A hold whose lease ends unsettled (its replica crashed) turns into a spent
   * unit: the strict side.
   */
  reserve(counters: readonly BudgetCounter[], hold?: Hold): Promise<ReserveResult>;
  /**
   * Gives one unit back to each counter (a reservation whose work turned out not to count):
   * never below zero, never starting, moving or extending a window; a counter whose window ended
   * stays gone. With `holdId`, that hold ends too. Atomic per counter, one round trip.
   */
  release(keys: readonly string[], holdId?: string): Promise<void>;
  /**
   * Ends the hold `holdId` on each counter and keeps its unit spent (the work counted: WeCom
   * rejected the code). Atomic per counter, one round trip.
   */
  keep(keys: readonly string[], holdId: string): Promise<void>;
  /** Removes `key` (no error when absent). */
  delete(key: string): Promise<void>;
  /**
   * Adds `item` to the set under `key` (created when absent) and keeps the set at least
   * `ttlSeconds` longer: its expiry only moves later. Atomic: concurrent adds from any replica all
   * stay (the member index: the sessions and grants of one WeCom member).
   */
  addToSet(key: string, item: string, ttlSeconds: number): Promise<void>;
  /** The items of the set under `key` (empty when absent or expired), in no particular order. */
  setItems(key: string): Promise<string[]>;
  /**
   * Adds the job `id` with `value` to the queue `queue`, due at `dueMs` (epoch ms), unless the
   * queue already holds `maxLength` jobs: false then (bounded). A job already queued under `id`
   * stays as it is (true). Atomic.
   */
  enqueue(queue: string, id: string, value: unknown, dueMs: number, maxLength: number): Promise<boolean>;
  /**
   * Claims the earliest job due at `nowMs`: it stays queued but is due again only after
   * `leaseMs`, so of concurrent callers on any replica exactly one gets it, and a claimer that
   * dies without {@link finish} or {@link reschedule} loses it to the next caller after the
   * lease. Atomic; undefined when nothing is due.
   */
  dequeue(queue: string, nowMs: number, leaseMs: number): Promise<QueuedJob | undefined>;
  /** Replaces a queued job's value and makes it due at `dueMs` (a retry); nothing when it is gone. */
  reschedule(queue: string, id: string, value: unknown, dueMs: number): Promise<void>;
  /** Removes the job `id` from the queue (done, or given up). */
  finish(queue: string, id: string): Promise<void>;
  /** Resolves when the store is usable; rejects otherwise (readiness). */
  ping(): Promise<void>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

/** A job claimed by {@link Store.dequeue}. */
export interface QueuedJob {
  readonly id: string;
  readonly value: unknown;
}

/** One value to store: what {@link Store.set} takes, as data. */
export interface StoreWrite {
  readonly key: string;
  readonly value: unknown;
  readonly ttlSeconds: number;
}

/** One fixed-window counter of {@link Store.hit}. */
export interface HitCounter {
  readonly key: string;
  /** Requests allowed per window. */
  readonly max: number;
}

/** One counter of {@link Store.reserve}: a {@link HitCounter} with a window of its own. */
export interface BudgetCounter extends HitCounter {
  /** Length of this counter's fixed window, started by its first unit, in seconds. */
  readonly windowSeconds: number;
}

/** The `max` of a {@link HitCounter} that only counts (the failure counters, read by their own checks). */
export const UNCAPPED = Number.MAX_SAFE_INTEGER;

/** What {@link Store.hit} or {@link Store.reserve} decided: allowed, or refused by the counter at `index` until its window ends. */
export type HitResult =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly index: number; readonly retryAfterSeconds: number };

/**
 * What {@link Store.reserve} decided. A refusal is `held` when every full counter is full only
 * because of units held by work still in flight (they may come back within seconds): then
 * `index` is the first full counter. Otherwise `index` is the first counter whose spent units
 * alone reach its maximum, and waiting cannot help before `retryAfterSeconds`.
 */
export type ReserveResult =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly index: number; readonly retryAfterSeconds: number; readonly held: boolean };

/** A lease on reserved units ({@link Store.reserve}): who holds them, and for how long at most. */
export interface Hold {
  /** Unique per reservation (random). */
  readonly id: string;
  /** How long the units count as held if nobody settles them (a crashed replica), in seconds. */
  readonly seconds: number;
}

/** What {@link Store.takeIf} found: nothing, or the value and whether it was taken. */
export type ConditionalTake<T> =
  | { readonly found: false }
  | { readonly found: true; readonly taken: boolean; readonly value: T };

/** Builds a store key from a namespace and an id. */
export function storeKey(namespace: string, id: string): string {
  return `${namespace}:${id}`;
}

/** The stable reason of every "store unreachable" error. */
export const STORE_UNAVAILABLE = 'store_unavailable';

/**
 * The error a store throws when its backend does not answer, or refuses to store (503, with a
 * hint for the admin). A Redis at `maxmemory` with the `noeviction` policy refuses every write
 * with an OOM error: loudly, where an evicting policy would silently drop sessions and tokens.
 */
export function storeUnavailable(cause: unknown): BridgeError {
  return temporarilyUnavailable('The session store is unreachable', STORE_UNAVAILABLE, {
    hint: isOutOfMemory(cause)
      ? 'Redis (REDIS_URL) refuses writes: it reached its maxmemory; raise maxmemory, or find what fills it (the keys under REDIS_KEY_PREFIX)'
      : 'Redis (REDIS_URL) does not answer; check that it runs and that this host can reach it',
    cause,
  });
}

/** True for {@link storeUnavailable} errors. */
export function isStoreUnavailable(error: unknown): boolean {
  return error instanceof BridgeError && error.reason === STORE_UNAVAILABLE;
}

/** True for a {@link storeUnavailable} error of a store that is reachable but full (Redis OOM). */
export function isStoreFull(error: unknown): boolean {
  return isStoreUnavailable(error) && isOutOfMemory((error as BridgeError).cause);
}

/** Redis answers `OOM command not allowed when used memory > 'maxmemory'` to writes when full. */
function isOutOfMemory(cause: unknown): boolean {
  return cause instanceof Error && cause.message.startsWith('OOM ');
}
