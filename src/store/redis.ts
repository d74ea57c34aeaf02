/**
 * Redis implementation of {@link Store}: shared by every replica.
 *
 * Single use is atomic on the server (`GETDEL`, `SET NX`), so a code redeemed concurrently on two
 * replicas succeeds exactly once. Commands fail fast while Redis is unreachable (no offline queue,
 * short timeouts): the bridge fails closed with a clear error instead of hanging, and ioredis
 * reconnects by itself when Redis returns.
 */
import { Redis } from 'ioredis';
import {
  ADD_TO_SET,
  CLAIM_AND_SET,
  DEQUEUE,
  ENQUEUE,
  HIT,
  KEEP,
  RELEASE,
  RESCHEDULE,
  RESERVE,
  type Script,
  TAKE_IF,
} from './redis-scripts.js';
import {
  type BudgetCounter,
  type ConditionalTake,
  type HitCounter,
  type HitResult,
  type Hold,
  type QueuedJob,
  type ReserveResult,
  type Store,
  type StoreWrite,
  storeUnavailable,
} from './store.js';

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  readonly url: string;
  /** Prefix of every key (default `wecom-oidc:`). */
  readonly keyPrefix?: string;
  /** Per-command timeout, ms (default 2000). */
  readonly commandTimeoutMs?: number;
  /** Name shown by Redis `CLIENT LIST`, so an operator can tell which replica holds a connection. */
  readonly connectionName?: string;
}

/** The {@link Store} on Redis (ioredis). */
export class RedisStore implements Store {
  /** The underlying client (the doctor reads the server version through it; tests). */
  readonly client: Redis;
  private lastError: string | undefined;

  constructor(options: RedisStoreOptions) {
    this.client = new Redis(options.url, {
      keyPrefix: options.keyPrefix ?? 'wecom-oidc:',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: options.commandTimeoutMs ?? 2000,
      lazyConnect: true,
      // Commands issued in the same tick (a request's counters beside its claim, concurrent
      // requests) go out in one write: fewer round trips, the same order.
      enableAutoPipelining: true,
      ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
      // Reconnect forever with a capped backoff: the bridge must recover by itself.
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    // Without a listener ioredis prints every connection error; readiness reports it instead.
    this.client.on('error', (error: Error) => {
      this.lastError = error.message;
    });
    this.client.on('ready', () => {
      this.lastError = undefined;
    });
  }

  /** Why the connection is down (e.g. `connect ECONNREFUSED 127.0.0.1:6379`), while it is. */
  get connectionError(): string | undefined {
    return this.lastError;
  }

  /** Connects; resolves even when Redis is down (the client keeps retrying in the background). */
  async connect(): Promise<void> {
    await this.client.connect().catch(() => {});
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    await this.run(() => this.client.set(key, JSON.stringify(value), 'EX', ttlSeconds));
  }

  async get<T>(key: string): Promise<T | undefined> {
    return parse(await this.run(() => this.client.get(key))) as T | undefined;
  }

  async getMany(keys: readonly string[]): Promise<unknown[]> {
    if (keys.length === 0) return [];
    const values = await this.run(() => this.client.mget(...keys));
    return values.map(parse);
  }

  async take<T>(key: string): Promise<T | undefined> {
    return parse(await this.run(() => this.client.getdel(key))) as T | undefined;
  }

  async takeIf<T>(key: string, field: string, expected: string, mark?: StoreWrite): Promise<ConditionalTake<T>> {
    // One script call: comparison, mark and delete happen atomically on the server.
    const scriptKeys = mark ? [key, mark.key] : [key];
    const argv = mark ? [field, expected, JSON.stringify(mark.value), mark.ttlSeconds] : [field, expected];
    const result = (await this.run(() => this.script(TAKE_IF, scriptKeys, argv))) as [string, number] | null;
    if (result === null) return { found: false };
    return { found: true, taken: result[1] === 1, value: JSON.parse(result[0]) as T };
  }

  async setMany(writes: readonly StoreWrite[]): Promise<void> {
    if (writes.length === 0) return;
    // One pipeline: every SET travels in one write and is answered in one read.
    const pipeline = this.client.pipeline();
    for (const { key, value, ttlSeconds } of writes) pipeline.set(key, JSON.stringify(value), 'EX', ttlSeconds);
    await this.run(async () => {
      const failed = ((await pipeline.exec()) ?? []).find(([error]) => error);
      if (failed) throw failed[0];
    });
  }

  async claim(
    key: string,
    value: unknown,
    ttlSeconds: number,
    alsoWrite: readonly StoreWrite[] = [],
    alsoDelete: readonly string[] = [],
  ): Promise<boolean> {
    if (alsoWrite.length === 0 && alsoDelete.length === 0) {
      const result = await this.run(() => this.client.set(key, JSON.stringify(value), 'EX', ttlSeconds, 'NX'));
      return result === 'OK';
    }
    // One script call: the first-use check, the writes and the deletes happen atomically on the server.
    const all: readonly StoreWrite[] = [{ key, value, ttlSeconds }, ...alsoWrite];
    const argv = [all.length, ...all.flatMap((write) => [JSON.stringify(write.value), write.ttlSeconds])];
    const scriptKeys = [...all.map((write) => write.key), ...alsoDelete];
    return (await this.run(() => this.script(CLAIM_AND_SET, scriptKeys, argv))) === 1;
  }

  async hit(counters: readonly HitCounter[], windowSeconds: number): Promise<HitResult> {
    if (counters.length === 0) return { allowed: true };
    const argv = [windowSeconds * 1000, ...counters.map((counter) => counter.max)];
    const [refusedBy, ttlMs] = (await this.run(() =>
      this.script(
        HIT,
        counters.map((counter) => counter.key),
        argv,
      ),
    )) as [number, number];
    if (refusedBy === 0) return { allowed: true };
    return {
      allowed: false,
      index: refusedBy - 1,
      retryAfterSeconds: ttlMs > 0 ? Math.ceil(ttlMs / 1000) : windowSeconds,
    };
  }

  async reserve(counters: readonly BudgetCounter[], hold?: Hold): Promise<ReserveResult> {
    if (counters.length === 0) return { allowed: true };
    const keys = counters.map((counter) => counter.key);
    const argv = [
      hold?.id ?? '',
      (hold?.seconds ?? 0) * 1000,
      ...counters.flatMap((counter) => [counter.max, counter.windowSeconds * 1000]),
    ];
    const [refusedBy, ttlMs, held] = (await this.run(() => this.script(RESERVE, withHeldKeys(keys), argv))) as [
      number,
      number,
      number,
    ];
    if (refusedBy === 0) return { allowed: true };
    const refused = counters[refusedBy - 1]!;
    return {
      allowed: false,
      index: refusedBy - 1,
      retryAfterSeconds: ttlMs > 0 ? Math.ceil(ttlMs / 1000) : refused.windowSeconds,
      held: held === 1,
    };
  }

  async release(keys: readonly string[], holdId?: string): Promise<void> {
    if (keys.length === 0) return;
    await this.run(() => this.script(RELEASE, withHeldKeys(keys), [holdId ?? '']));
  }

  async keep(keys: readonly string[], holdId: string): Promise<void> {
    if (keys.length === 0) return;
    await this.run(() => this.script(KEEP, keys.map(heldKey), [holdId]));
  }

  async delete(key: string): Promise<void> {
    await this.run(() => this.client.del(key));
  }

  async addToSet(key: string, item: string, ttlSeconds: number): Promise<void> {
    await this.run(() => this.script(ADD_TO_SET, [key], [item, ttlSeconds * 1000]));
  }

  async setItems(key: string): Promise<string[]> {
    return this.run(() => this.client.smembers(key));
  }

  async enqueue(queue: string, id: string, value: unknown, dueMs: number, maxLength: number): Promise<boolean> {
    const argv = [id, JSON.stringify(value), dueMs, maxLength];
    return (await this.run(() => this.script(ENQUEUE, queueKeys(queue), argv))) === 1;
  }

  async dequeue(queue: string, nowMs: number, leaseMs: number): Promise<QueuedJob | undefined> {
    const result = (await this.run(() => this.script(DEQUEUE, queueKeys(queue), [nowMs, leaseMs]))) as
      | [string, string]
      | null;
    return result === null ? undefined : { id: result[0], value: JSON.parse(result[1]) };
  }

  async reschedule(queue: string, id: string, value: unknown, dueMs: number): Promise<void> {
    await this.run(() => this.script(RESCHEDULE, queueKeys(queue), [id, JSON.stringify(value), dueMs]));
  }

  async finish(queue: string, id: string): Promise<void> {
    await this.run(async () => {
      const [schedule, jobs] = queueKeys(queue);
      await this.client.multi().zrem(schedule, id).hdel(jobs, id).exec();
    });
  }

  /**
   * A small write rather than PING: a Redis at maxmemory (noeviction) still answers PING but
   * refuses every write, and readiness must show that.
   */
  async ping(): Promise<void> {
    await this.run(() => this.client.set('readyz', '1', 'EX', 10));
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /** Runs a Lua script by its SHA-1, loading it when Redis does not know it yet (NOSCRIPT). */
  private async script(
    script: Script,
    scriptKeys: readonly string[],
    argv: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await this.client.evalsha(script.sha, scriptKeys.length, ...scriptKeys, ...argv);
    } catch (error) {
      if (!String(error).includes('NOSCRIPT')) throw error;
      return this.client.eval(script.lua, scriptKeys.length, ...scriptKeys, ...argv);
    }
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw storeUnavailable(error);
    }
  }
}

/** A queue's schedule (sorted set: job id → due ms) and its jobs (hash: id → value). */
function queueKeys(queue: string): [string, string] {
  return [`queue:${queue}`, `queue-jobs:${queue}`];
}

/** Where the holds on a counter's units live (a sorted set: hold id → end of its lease, ms). */
function heldKey(key: string): string {
  return `${key}:held`;
}

/** The keys of a budget script: the counters, then their held units in the same order. */
function withHeldKeys(keys: readonly string[]): string[] {
  return [...keys, ...keys.map(heldKey)];
}

function parse(raw: string | null): unknown {
  return raw === null ? undefined : JSON.parse(raw);
}
