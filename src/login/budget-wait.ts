/**
 * Waiting for budget units that callbacks in flight hold (wecom-code-guard.ts).
 *
 * A reservation refused only because other callbacks hold the units (their WeCom exchanges are
 * still running, and most will give their unit back: a successful sign-in does) is tried again
 * for a short while instead of being answered with a 429: an office behind one NAT address may
 * sign in more people at the same instant than the address's allowance of rejected codes. A
 * refusal by units already spent (codes WeCom rejected) ends the wait at once: an attacker gets
 * the 429 without costing a wait, and the store sees no more of them than before.
 *
 * A waiter is woken when a callback of this process settles a unit of its address (first come,
 * first woken), and polls otherwise (units held by another replica), with jittered growing pauses
 * so that waiters do not retry in step.
 */
import type { BudgetCounter, Hold, ReserveResult, Store } from '../store/store.js';

/** How long a callback waits in all for held units before it is refused, ms. */
export const MAX_WAIT_MS = 3000;
/** The first pause between two tries, ms; each pause doubles up to {@link MAX_PAUSE_MS}. */
const FIRST_PAUSE_MS = 10;
/** The longest pause between two tries (what a unit another replica gives back may wait), ms. */
const MAX_PAUSE_MS = 100;

/** Callbacks of one process waiting for units, by the counter key they wait on. */
export class UnitWaiters {
  private readonly byKey = new Map<string, (() => void)[]>();

  /** Resolves after `ms`, or sooner when {@link wake} is called for `key`. */
  wait(key: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const queue = this.byKey.get(key) ?? [];
      this.byKey.set(key, queue);
      const done = (): void => {
        clearTimeout(timer);
        this.forget(key, done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      queue.push(done);
    });
  }

  /** A unit of each of `keys` was settled here: the longest waiting callback on it tries again. */
  wake(keys: readonly string[]): void {
    for (const key of keys) this.byKey.get(key)?.[0]?.();
  }

  private forget(key: string, waiter: () => void): void {
    const queue = this.byKey.get(key);
    const at = queue?.indexOf(waiter) ?? -1;
    if (at === -1) return;
    queue!.splice(at, 1);
    if (queue!.length === 0) this.byKey.delete(key);
  }
}

/**
 * {@link Store.reserve} of `counters` under `hold`, tried again while the refusal is `held` and
 * {@link MAX_WAIT_MS} has not passed (by the monotonic clock: the bridge's clock may be a test's).
 * Answers the last result: granted, refused by spent units, or still refused by held ones.
 */
export async function reserveOrWait(
  store: Store,
  waiters: UnitWaiters,
  counters: readonly BudgetCounter[],
  hold: Hold,
): Promise<ReserveResult> {
  const deadline = performance.now() + MAX_WAIT_MS;
  for (let attempt = 0; ; attempt += 1) {
    const result = await store.reserve(counters, hold);
    const left = deadline - performance.now();
    if (result.allowed || !result.held || left <= 0) return result;
    await waiters.wait(counters[result.index]!.key, Math.min(left, pause(attempt)));
  }
}

/** A pause of half to all of a doubling step, so that waiters spread out. */
function pause(attempt: number): number {
  const step = Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS * 2 ** attempt);
  return step / 2 + Math.random() * (step / 2);
}
