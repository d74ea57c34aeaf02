/**
 * In-process implementation of {@link Store}: one process only, nothing survives a restart.
 *
 * Memory is bounded twice per namespace (the part of a key before the first `:`): at most
 * `maxEntriesPerNamespace` live entries and at most `maxBytesPerNamespace` of stored JSON. When
 * either is reached, the oldest entries of that namespace are dropped first. Anyone can start a
 * login (a login transaction holds the relying party's state and nonce, several KB if an attacker
 * wants), so a flood of abandoned logins evicts old login transactions but can never push out
 * sessions or tokens, and never grows the process without bound: with the defaults a flood costs
 * at most about 64 MB of JSON plus the map's own overhead for 100,000 keys.
 */
import { compactJson } from './compact-json.js';
import { budgetRefusal, HeldUnits } from './held-units.js';
import { MemoryQueues } from './memory-queues.js';
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

interface Entry {
  readonly json: string;
  readonly expiresAt: number;
  /** What this entry counts against the namespace's byte budget. */
  readonly size: number;
}

/** The value of a counter entry (absent: 0). */
function countOf(entry: Entry | undefined): number {
  return entry ? (JSON.parse(entry.json) as number) : 0;
}

interface Bucket {
  readonly entries: Map<string, Entry>;
  bytes: number;
}

/** Default cap of live entries per namespace. */
export const DEFAULT_MAX_ENTRIES_PER_NAMESPACE = 100_000;

/** Default cap of stored JSON per namespace, in bytes (approximately: string length of key + JSON). */
export const DEFAULT_MAX_BYTES_PER_NAMESPACE = 64 * 1024 * 1024;

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Live entries kept per namespace (default 100,000). */
  readonly maxEntriesPerNamespace?: number;
  /** Bytes of key + JSON kept per namespace (default 64 MiB). */
  readonly maxBytesPerNamespace?: number;
  /** Clock in milliseconds (tests pass a fake one). */
  readonly now?: () => number;
  /** How often expired entries are swept, ms (default 30 s; 0 = never, lazy expiry only). */
  readonly sweepIntervalMs?: number;
}

/** Entries and approximate bytes of one namespace. */
export interface NamespaceUsage {
  readonly entries: number;
  readonly bytes: number;
}

/** A bounded, expiring in-memory store. */
export class MemoryStore implements Store {
  private readonly namespaces = new Map<string, Bucket>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout | undefined;
  /** Units of {@link reserve} held by work in flight, per counter key. */
  private readonly held: HeldUnits;
  /** The job queues (memory-queues.ts). */
  private readonly queues = new MemoryQueues();

  constructor(options: MemoryStoreOptions = {}) {
    this.maxEntries = options.maxEntriesPerNamespace ?? DEFAULT_MAX_ENTRIES_PER_NAMESPACE;
    this.maxBytes = options.maxBytesPerNamespace ?? DEFAULT_MAX_BYTES_PER_NAMESPACE;
    this.now = options.now ?? Date.now;
    this.held = new HeldUnits(this.now);
    const interval = options.sweepIntervalMs ?? 30_000;
    this.sweeper = interval > 0 ? setInterval(() => this.sweep(), interval).unref() : undefined;
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.write(key, value, ttlSeconds);
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.read(key) as T | undefined;
  }

  async getMany(keys: readonly string[]): Promise<unknown[]> {
    return keys.map((key) => this.read(key));
  }

  async take<T>(key: string): Promise<T | undefined> {
    // Read and delete run in one synchronous step: no other caller can interleave.
    const value = this.read(key);
    this.remove(this.bucket(key), key);
    return value as T | undefined;
  }

  async takeIf<T>(key: string, field: string, expected: string, mark?: StoreWrite): Promise<ConditionalTake<T>> {
    // One synchronous step, like take: no other caller can interleave.
    const value = this.read(key);
    if (value === undefined) return { found: false };
    const taken = typeof value === 'object' && value !== null && (value as Record<string, unknown>)[field] === expected;
    if (!taken) return { found: true, taken, value: value as T };
    if (mark && this.read(mark.key) === undefined) this.write(mark.key, mark.value, mark.ttlSeconds);
    this.remove(this.bucket(key), key);
    return { found: true, taken, value: value as T };
  }

  async setMany(writes: readonly StoreWrite[]): Promise<void> {
    for (const { key, value, ttlSeconds } of writes) this.write(key, value, ttlSeconds);
  }

  async claim(
    key: string,
    value: unknown,
    ttlSeconds: number,
    alsoWrite: readonly StoreWrite[] = [],
    alsoDelete: readonly string[] = [],
  ): Promise<boolean> {
    // One synchronous step: no other caller can interleave between the check and the writes.
    if (this.liveEntry(key) !== undefined) return false;
    this.write(key, value, ttlSeconds);
    for (const write of alsoWrite) this.write(write.key, write.value, write.ttlSeconds);
    for (const gone of alsoDelete) this.remove(this.bucket(gone), gone);
    return true;
  }

  async hit(counters: readonly HitCounter[], windowSeconds: number): Promise<HitResult> {
    // One synchronous step, like take: no other caller can interleave.
    const now = this.now();
    for (const [index, { key, max }] of counters.entries()) {
      const entry = this.liveEntry(key);
      const count = countOf(entry);
      if (count >= max) {
        const retryAfterSeconds = entry ? Math.max(1, Math.ceil((entry.expiresAt - now) / 1000)) : windowSeconds;
        return { allowed: false, index, retryAfterSeconds };
      }
      // A counter keeps the expiry of its window's first hit.
      this.writeUntil(key, count + 1, entry?.expiresAt ?? now + windowSeconds * 1000);
    }
    return { allowed: true };
  }

  async reserve(counters: readonly BudgetCounter[], hold?: Hold): Promise<ReserveResult> {
    // One synchronous step: every check before any charge, and no other caller in between.
    const now = this.now();
    const entries = counters.map(({ key }) => this.liveEntry(key));
    const counts = entries.map(countOf);
    const expiries = entries.map((entry) => entry?.expiresAt);
    const refusal = budgetRefusal(counters, counts, expiries, (key) => this.held.count(key), now);
    if (refusal) return refusal;
    for (const [index, { key, windowSeconds }] of counters.entries()) {
      this.writeUntil(key, counts[index]! + 1, entries[index]?.expiresAt ?? now + windowSeconds * 1000);
      if (hold) this.held.add(key, hold.id, now + hold.seconds * 1000);
    }
    return { allowed: true };
  }

  async release(keys: readonly string[], holdId?: string): Promise<void> {
    for (const key of keys) {
      const entry = this.liveEntry(key);
      // The window keeps its end: a given-back unit never lengthens a counter's life.
      if (entry && countOf(entry) > 0) this.writeUntil(key, countOf(entry) - 1, entry.expiresAt);
      if (holdId !== undefined) this.held.remove(key, holdId);
    }
  }

  async keep(keys: readonly string[], holdId: string): Promise<void> {
    for (const key of keys) this.held.remove(key, holdId);
  }

  async delete(key: string): Promise<void> {
    this.remove(this.bucket(key), key);
  }

  async addToSet(key: string, item: string, ttlSeconds: number): Promise<void> {
    // One synchronous step: read, add, write.
    const entry = this.liveEntry(key);
    const items = entry ? (JSON.parse(entry.json) as string[]) : [];
    if (!items.includes(item)) items.push(item);
    this.writeUntil(key, items, Math.max(entry?.expiresAt ?? 0, this.now() + ttlSeconds * 1000));
  }

  async setItems(key: string): Promise<string[]> {
    return (this.read(key) as string[] | undefined) ?? [];
  }

  async enqueue(queue: string, id: string, value: unknown, dueMs: number, maxLength: number): Promise<boolean> {
    return this.queues.enqueue(queue, id, value, dueMs, maxLength);
  }

  async dequeue(queue: string, nowMs: number, leaseMs: number): Promise<QueuedJob | undefined> {
    return this.queues.dequeue(queue, nowMs, leaseMs);
  }

  async reschedule(queue: string, id: string, value: unknown, dueMs: number): Promise<void> {
    this.queues.reschedule(queue, id, value, dueMs);
  }

  async finish(queue: string, id: string): Promise<void> {
    this.queues.finish(queue, id);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.namespaces.clear();
    this.queues.clear();
    this.held.clear();
  }

  /** Live entries per namespace (tests, the flood benchmark). */
  sizes(): Record<string, number> {
    return Object.fromEntries([...this.namespaces].map(([name, bucket]) => [name, bucket.entries.size]));
  }

  /** Entries and approximate bytes per namespace (the `wecom_oidc_memory_store_*` gauges). */
  usage(): Record<string, NamespaceUsage> {
    return Object.fromEntries(
      [...this.namespaces].map(([name, bucket]) => [name, { entries: bucket.entries.size, bytes: bucket.bytes }]),
    );
  }

  private write(key: string, value: unknown, ttlSeconds: number): void {
    this.writeUntil(key, value, this.now() + ttlSeconds * 1000);
  }

  private writeUntil(key: string, value: unknown, expiresAt: number): void {
    const bucket = this.bucket(key);
    const json = compactJson(value);
    const entry: Entry = { json, expiresAt, size: key.length + json.length };
    // Re-inserting moves the key to the end, so eviction order stays "oldest write first".
    this.remove(bucket, key);
    while (
      bucket.entries.size > 0 &&
      (bucket.entries.size >= this.maxEntries || bucket.bytes + entry.size > this.maxBytes)
    ) {
      this.evictOldest(bucket);
    }
    bucket.entries.set(key, entry);
    bucket.bytes += entry.size;
  }

  private read(key: string): unknown {
    const entry = this.liveEntry(key);
    // Each reader gets its own copy, as from Redis: callers may not mutate shared state.
    return entry === undefined ? undefined : JSON.parse(entry.json);
  }

  /** The entry under `key` unless it expired (then it is removed). */
  private liveEntry(key: string): Entry | undefined {
    const bucket = this.bucket(key);
    const entry = bucket.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(bucket, key);
      return undefined;
    }
    return entry;
  }

  private remove(bucket: Bucket, key: string): void {
    const entry = bucket.entries.get(key);
    if (!entry) return;
    bucket.entries.delete(key);
    bucket.bytes -= entry.size;
  }

  private evictOldest(bucket: Bucket): void {
    const oldest = bucket.entries.keys().next();
    if (!oldest.done) this.remove(bucket, oldest.value);
  }

  private bucket(key: string): Bucket {
    const colon = key.indexOf(':');
    const name = colon === -1 ? '' : key.slice(0, colon);
    let bucket = this.namespaces.get(name);
    if (!bucket) {
      bucket = { entries: new Map(), bytes: 0 };
      this.namespaces.set(name, bucket);
    }
    return bucket;
  }

  private sweep(): void {
    const now = this.now();
    for (const bucket of this.namespaces.values()) {
      for (const [key, entry] of bucket.entries) if (entry.expiresAt <= now) this.remove(bucket, key);
    }
    this.held.sweep();
  }
}
