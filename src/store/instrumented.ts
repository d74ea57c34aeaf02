/**
 * A {@link Store} decorator that times every operation for the store-latency metric.
 *
 * It wraps whichever backend is configured, so memory and Redis report the same series; the
 * backend itself stays reachable as `inner`.
 */
import type {
  BudgetCounter,
  ConditionalTake,
  HitCounter,
  HitResult,
  Hold,
  QueuedJob,
  ReserveResult,
  Store,
  StoreWrite,
} from './store.js';

/** The store operations, as metric label values. */
export type StoreOperation =
  | 'set'
  | 'setMany'
  | 'get'
  | 'getMany'
  | 'take'
  | 'takeIf'
  | 'claim'
  | 'hit'
  | 'reserve'
  | 'release'
  | 'keep'
  | 'delete'
  | 'addToSet'
  | 'setItems'
  | 'enqueue'
  | 'dequeue'
  | 'reschedule'
  | 'finish'
  | 'ping';

/** Receives one observation per operation: its name, `ok` or `error`, and its duration. */
export type StoreObserver = (operation: StoreOperation, outcome: 'ok' | 'error', seconds: number) => void;

/** The timed store. */
export class InstrumentedStore implements Store {
  constructor(
    /** The backend doing the work. */
    readonly inner: Store,
    private readonly observe: StoreObserver,
  ) {}

  set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    return this.timed('set', () => this.inner.set(key, value, ttlSeconds));
  }

  get<T>(key: string): Promise<T | undefined> {
    return this.timed('get', () => this.inner.get<T>(key));
  }

  getMany(keys: readonly string[]): Promise<unknown[]> {
    return this.timed('getMany', () => this.inner.getMany(keys));
  }

  take<T>(key: string): Promise<T | undefined> {
    return this.timed('take', () => this.inner.take<T>(key));
  }

  takeIf<T>(key: string, field: string, expected: string, mark?: StoreWrite): Promise<ConditionalTake<T>> {
    return this.timed('takeIf', () => this.inner.takeIf<T>(key, field, expected, mark));
  }

  setMany(writes: readonly StoreWrite[]): Promise<void> {
    return this.timed('setMany', () => this.inner.setMany(writes));
  }

  claim(
    key: string,
    value: unknown,
    ttlSeconds: number,
    alsoWrite?: readonly StoreWrite[],
    alsoDelete?: readonly string[],
  ): Promise<boolean> {
    return this.timed('claim', () => this.inner.claim(key, value, ttlSeconds, alsoWrite, alsoDelete));
  }

  hit(counters: readonly HitCounter[], windowSeconds: number): Promise<HitResult> {
    return this.timed('hit', () => this.inner.hit(counters, windowSeconds));
  }

  reserve(counters: readonly BudgetCounter[], hold?: Hold): Promise<ReserveResult> {
    return this.timed('reserve', () => this.inner.reserve(counters, hold));
  }

  release(keys: readonly string[], holdId?: string): Promise<void> {
    return this.timed('release', () => this.inner.release(keys, holdId));
  }

  keep(keys: readonly string[], holdId: string): Promise<void> {
    return this.timed('keep', () => this.inner.keep(keys, holdId));
  }

  delete(key: string): Promise<void> {
    return this.timed('delete', () => this.inner.delete(key));
  }

  addToSet(key: string, item: string, ttlSeconds: number): Promise<void> {
    return this.timed('addToSet', () => this.inner.addToSet(key, item, ttlSeconds));
  }

  setItems(key: string): Promise<string[]> {
    return this.timed('setItems', () => this.inner.setItems(key));
  }

  enqueue(queue: string, id: string, value: unknown, dueMs: number, maxLength: number): Promise<boolean> {
    return this.timed('enqueue', () => this.inner.enqueue(queue, id, value, dueMs, maxLength));
  }

  dequeue(queue: string, nowMs: number, leaseMs: number): Promise<QueuedJob | undefined> {
    return this.timed('dequeue', () => this.inner.dequeue(queue, nowMs, leaseMs));
  }

  reschedule(queue: string, id: string, value: unknown, dueMs: number): Promise<void> {
    return this.timed('reschedule', () => this.inner.reschedule(queue, id, value, dueMs));
  }

  finish(queue: string, id: string): Promise<void> {
    return this.timed('finish', () => this.inner.finish(queue, id));
  }

  ping(): Promise<void> {
    return this.timed('ping', () => this.inner.ping());
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async timed<T>(operation: StoreOperation, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await run();
      this.observe(operation, 'ok', (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      this.observe(operation, 'error', (performance.now() - started) / 1000);
      throw error;
    }
  }
}
