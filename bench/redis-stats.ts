/**
 * Redis's own counters, read before and after a phase: commands executed and read events (one
 * read event per batch of bytes a client sends, i.e. per round trip, however many pipelined
 * commands it carries). Exact on the benchmark's private Redis; on a shared one they include
 * everybody's traffic.
 */
import { Redis } from 'ioredis';

/** Counters at one moment. */
export interface RedisCounters {
  readonly commands: number;
  readonly reads: number;
  readonly usedMemoryMb: number;
  /** Calls per command name (`get`, `set`, `getdel`, …). */
  readonly calls: Readonly<Record<string, number>>;
}

/** Reads Redis counters over its own connection. */
export class RedisProbe {
  private readonly client: Redis;
  /** Commands and reads the probe itself adds per {@link counters} call (one INFO). */
  private static readonly SELF = 1;

  constructor(url: string) {
    this.client = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableAutoPipelining: false });
  }

  /** The counters now. */
  async counters(): Promise<RedisCounters> {
    const info = await this.client.info('all');
    const number = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    const calls: Record<string, number> = {};
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1]!] = Number(match[2]);
    return {
      commands: number('total_commands_processed'),
      reads: number('total_reads_processed'),
      usedMemoryMb: number('used_memory') / 1024 / 1024,
      calls,
    };
  }

  /** Keys matching `pattern` (SCAN, so a big keyspace does not block Redis). */
  async countKeys(pattern: string): Promise<number> {
    let cursor = '0';
    let count = 0;
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    return count;
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /** What the bridge did between two readings (the probe's own INFO taken out). */
  static difference(before: RedisCounters, after: RedisCounters): { commands: number; reads: number; calls: Record<string, number> } {
    const calls: Record<string, number> = {};
    for (const [name, value] of Object.entries(after.calls)) {
      const delta = value - (before.calls[name] ?? 0) - (name === 'info' ? RedisProbe.SELF : 0);
      if (delta > 0) calls[name] = delta;
    }
    return {
      commands: after.commands - before.commands - RedisProbe.SELF,
      reads: after.reads - before.reads - RedisProbe.SELF,
      calls,
    };
  }
}
