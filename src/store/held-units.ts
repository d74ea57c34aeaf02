/**
 * The memory store's leases on held budget units (`Store.reserve` with a hold): per counter
 * key, the ids of the reservations whose work is still in flight and when each lease ends.
 *
 * Kept beside the namespaced entries rather than in them: a lease lives at most its few seconds
 * (a reservation settles it, or it expires), so the map holds at most the callbacks in flight and
 * those of the last lease period, and needs none of the namespaces' eviction.
 */
import type { BudgetCounter, ReserveResult } from './store.js';
/** Held units per counter key, each under its own lease. */
export class HeldUnits {
  private readonly byKey = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number) {}

  /** How many units of `key` are held under a live lease (expired leases are dropped). */
  count(key: string): number {
    const leases = this.byKey.get(key);
    if (!leases) return 0;
    this.dropExpired(key, leases, this.now());
    return leases.size;
  }

  /** Holds a unit of `key` for `id` until `expiresAt` (ms). */
  add(key: string, id: string, expiresAt: number): void {
    let leases = this.byKey.get(key);
    if (!leases) {
      leases = new Map();
      this.byKey.set(key, leases);
    }
    leases.set(id, expiresAt);
  }

  /** Ends the hold of `id` on `key` (nothing when absent). */
  remove(key: string, id: string): void {
    const leases = this.byKey.get(key);
    if (!leases) return;
    leases.delete(id);
    if (leases.size === 0) this.byKey.delete(key);
  }

  /** Drops every expired lease (the store's sweeper). */
  sweep(): void {
    const now = this.now();
    for (const [key, leases] of this.byKey) this.dropExpired(key, leases, now);
  }

  /** Forgets everything (the store closes). */
  clear(): void {
    this.byKey.clear();
  }

  private dropExpired(key: string, leases: Map<string, number>, now: number): void {
    for (const [id, expiresAt] of leases) if (expiresAt <= now) leases.delete(id);
    if (leases.size === 0) this.byKey.delete(key);
  }
}

/**
 * Why a reservation must be refused, if it must: the first counter its spent units alone fill
 * (waiting cannot help), else the first counter that held units fill (they may come back).
 * `counts` and `expiries` (ms, undefined for an absent counter) are in the order of `counters`.
 */
export function budgetRefusal(
  counters: readonly BudgetCounter[],
  counts: readonly number[],
  expiries: readonly (number | undefined)[],
  heldOf: (key: string) => number,
  now: number,
): ReserveResult | undefined {
  const full = counters.map(({ max }, index) => counts[index]! >= max);
  const spent = counters.findIndex(({ key, max }, index) => full[index] && counts[index]! - heldOf(key) >= max);
  const index = spent === -1 ? full.indexOf(true) : spent;
  if (index === -1) return undefined;
  const expiresAt = expiries[index];
  const retryAfterSeconds = expiresAt
    ? Math.max(1, Math.ceil((expiresAt - now) / 1000))
    : counters[index]!.windowSeconds;
  return { allowed: false, index, retryAfterSeconds, held: spent === -1 };
}
