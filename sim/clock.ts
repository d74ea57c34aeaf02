/**
 * Time in the simulator. The simulated clock is real time plus an offset that tests move forward,
 * so that codes (300 s), user_tickets (1800 s) and access tokens expire without anyone waiting.
 * Real waits (latency, hanging faults) end early when the simulator closes, so that `close()` never
 * waits for a long hang a test queued.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** A clock that can be advanced but never set back (WeCom's lifetimes only ever run out). */
export class SimClock {
  private offsetMs = 0;

  /** @param source the underlying time, epoch ms (injectable for tests of the simulator itself) */
  constructor(private readonly source: () => number = Date.now) {}

  /** Simulated time, epoch ms. */
  now(): number {
    return this.source() + this.offsetMs;
  }

  /** Moves simulated time forward by `seconds` (zero, negative and non-finite values are ignored). */
  advance(seconds: number): void {
    if (Number.isFinite(seconds) && seconds > 0) this.offsetMs += seconds * 1000;
  }

  /** Back to the underlying time. */
  reset(): void {
    this.offsetMs = 0;
  }
}

/** Waits `ms` real milliseconds, or less if `signal` aborts first; never rejects. */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (!(ms > 0) || signal.aborted) return;
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}
