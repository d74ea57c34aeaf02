/**
 * What the benchmark reads, all from outside the measured processes (no endpoint in the bridge,
 * none of the load generator's own cost): CPU time and memory from Linux's `/proc`, latency
 * samples taken by the generator, and Redis's own counters.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';

/**
 * CPU time of `pid` so far, ms: user + system of every thread (so the libuv threads that compute
 * the RS256 signatures count). /proc counts in USER_HZ ticks, 100 per second on Linux.
 */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident set size now and its high-water mark (VmRSS, VmHWM), MB. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024;
  return { rss: mb('VmRSS'), peak: mb('VmHWM') };
}

/** Samples the RSS of `pid` every 200 ms; the function returned stops and gives the highest, MB. */
export function sampleRss(pid: number): () => number {
  let peak = memoryMb(pid).rss;
  const timer = setInterval(() => (peak = Math.max(peak, memoryMb(pid).rss)), 200);
  return () => (clearInterval(timer), Math.max(peak, memoryMb(pid).rss));
}

/** Percentiles of one latency series, ms. */
export type Percentiles = { readonly count: number; readonly p50: number; readonly p99: number };

/**
 * Latency samples by step (`authorize`, …, `login`) and failures by kind (`token: status 400`).
 * Samples are kept raw and sorted once at the end: exact percentiles, cheaper than a histogram.
 */
export class Recorder {
  readonly samples = new Map<string, number[]>();
  readonly errors = new Map<string, number>();

  add(step: string, ms: number): void {
    const series = this.samples.get(step);
    if (series) series.push(ms);
    else this.samples.set(step, [ms]);
  }

  error(kind: string): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
  }

  /** Percentiles of every step. */
  summary(): Record<string, Percentiles> {
    return Object.fromEntries([...this.samples].map(([step, series]) => {
      const sorted = Float64Array.from(series).sort();
      const at = (q: number) => round(sorted[Math.ceil(q * sorted.length) - 1]!, 3);
      return [step, { count: sorted.length, p50: at(0.5), p99: at(0.99) }];
    }));
  }
}

/** `value` rounded to `digits` decimals. */
export function round(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

/** Redis's read events (one per batch of bytes a client sends: a round trip) and commands. */
export type RedisCounters = { readonly reads: number; readonly commands: number };

/** Reads Redis's counters and counts keys, over a connection of its own. */
export class RedisProbe {
  private readonly client: Redis;

  constructor(url: string) {
    this.client = new Redis(url, { maxRetriesPerRequest: 1 });
  }

  async counters(): Promise<RedisCounters> {
    const info = await this.client.info('stats');
    const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    return { reads: field('total_reads_processed'), commands: field('total_commands_processed') };
  }

  /** What others did between two readings: the probe's own INFO adds one read and one command. */
  static between(before: RedisCounters, after: RedisCounters): RedisCounters {
    return { reads: after.reads - before.reads - 1, commands: after.commands - before.commands - 1 };
  }

  /** Keys matching `pattern`, by SCAN (a big keyspace must not block Redis). */
  async countKeys(pattern: string): Promise<number> {
    let [cursor, count] = ['0', 0];
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      [cursor, count] = [next, count + keys.length];
    } while (cursor !== '0');
    return count;
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
