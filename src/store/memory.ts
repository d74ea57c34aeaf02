/**
 * In-process implementation of {@link Store}: one process only, nothing survives a restart.
 *
 * Memory is bounded: each namespace (the part of a key before the first `:`) holds at most
 * `maxEntriesPerNamespace` live entries. When full, the oldest entry of that namespace is
 * dropped, so a flood of abandoned logins evicts old login transactions but can never push out
 * sessions or tokens, and never grows the process without bound.
 */
import type { ConditionalTake, Store, StoreWrite } from './store.js';

interface Entry {
  readonly json: string;
  readonly expiresAt: number;
}

/** A character V8 cannot keep in a one-byte string. */
const WIDE_CHAR = /[\u0100-\uffff]/;
const WIDE_CHARS = /[\u0100-\uffff]/g;

/**
 * JSON at one byte per character. V8 keeps a whole string at two bytes per character as soon as
 * one character is above U+00FF, so a session, code or token record carrying a member's Chinese
 * name would take twice the memory. Those few characters are written as `\uXXXX` escapes instead;
 * JSON.parse reads them back unchanged.
 */
function compactJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (!WIDE_CHAR.test(json)) return json;
  const escaped = json.replace(WIDE_CHARS, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  // replace() keeps the two-byte representation; a Latin-1 round trip makes a one-byte copy.
  return Buffer.from(escaped, 'latin1').toString('latin1');
}

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Live entries kept per namespace (default 100,000). */
  readonly maxEntriesPerNamespace?: number;
  /** Clock in milliseconds (tests pass a fake one). */
  readonly now?: () => number;
  /** How often expired entries are swept, ms (default 30 s; 0 = never, lazy expiry only). */
  readonly sweepIntervalMs?: number;
}

/** A bounded, expiring in-memory store. */
export class MemoryStore implements Store {
  private readonly namespaces = new Map<string, Map<string, Entry>>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxEntries = options.maxEntriesPerNamespace ?? 100_000;
    this.now = options.now ?? Date.now;
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
    this.bucket(key).delete(key);
    return value as T | undefined;
  }

  async takeIf<T>(key: string, field: string, expected: string, mark?: StoreWrite): Promise<ConditionalTake<T>> {
    // One synchronous step, like take: no other caller can interleave.
    const value = this.read(key);
    if (value === undefined) return { found: false };
    const taken = typeof value === 'object' && value !== null && (value as Record<string, unknown>)[field] === expected;
    if (!taken) return { found: true, taken, value: value as T };
    if (mark && this.read(mark.key) === undefined) this.write(mark.key, mark.value, mark.ttlSeconds);
    this.bucket(key).delete(key);
    return { found: true, taken, value: value as T };
  }

  async setMany(writes: readonly StoreWrite[]): Promise<void> {
    for (const { key, value, ttlSeconds } of writes) this.write(key, value, ttlSeconds);
  }

  async claim(key: string, value: unknown, ttlSeconds: number): Promise<boolean> {
    if (this.read(key) !== undefined) return false;
    this.write(key, value, ttlSeconds);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.bucket(key).delete(key);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.namespaces.clear();
  }

  /** Live entries per namespace (metrics, the flood benchmark). */
  sizes(): Record<string, number> {
    return Object.fromEntries([...this.namespaces].map(([name, bucket]) => [name, bucket.size]));
  }

  private write(key: string, value: unknown, ttlSeconds: number): void {
    const bucket = this.bucket(key);
    // Re-inserting moves the key to the end, so eviction order stays "oldest write first".
    bucket.delete(key);
    if (bucket.size >= this.maxEntries) this.evictOldest(bucket);
    bucket.set(key, { json: compactJson(value), expiresAt: this.now() + ttlSeconds * 1000 });
  }

  private read(key: string): unknown {
    const bucket = this.bucket(key);
    const entry = bucket.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      bucket.delete(key);
      return undefined;
    }
    // Each reader gets its own copy, as from Redis: callers may not mutate shared state.
    return JSON.parse(entry.json);
  }

  private evictOldest(bucket: Map<string, Entry>): void {
    const oldest = bucket.keys().next();
    if (!oldest.done) bucket.delete(oldest.value);
  }

  private bucket(key: string): Map<string, Entry> {
    const colon = key.indexOf(':');
    const name = colon === -1 ? '' : key.slice(0, colon);
    let bucket = this.namespaces.get(name);
    if (!bucket) {
      bucket = new Map();
      this.namespaces.set(name, bucket);
    }
    return bucket;
  }

  private sweep(): void {
    const now = this.now();
    for (const bucket of this.namespaces.values()) {
      for (const [key, entry] of bucket) if (entry.expiresAt <= now) bucket.delete(key);
    }
  }
}
