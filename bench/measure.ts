/** What the benchmark reads, from outside the measured processes: /proc, the generator's samples, metrics, Redis's counters. */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';

/** CPU time of `pid` so far, ms: user + system of every thread (the signing threads count), in 10 ms ticks. */
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
  const timer = setInterval(() => {
    peak = Math.max(peak, memoryMb(pid).rss);
  }, 200);
  return () => {
    clearInterval(timer);
    return Math.max(peak, memoryMb(pid).rss);
  };
}

/** Percentiles of one latency series, ms. */
export type Percentiles = { readonly count: number; readonly p50: number; readonly p99: number };

/** Latency samples by step (`authorize`, …, `login`), kept raw for exact percentiles, and failures by kind. */
export class Recorder {
  readonly samples: Record<string, number[]> = {};
  readonly errors: Record<string, number> = {};

  add(step: string, ms: number): void {
    (this.samples[step] ??= []).push(ms);
  }

  error(kind: string): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }

  /** Percentiles of every step. */
  summary(): Record<string, Percentiles> {
    return Object.fromEntries(
      Object.entries(this.samples).map(([step, series]) => {
        const sorted = Float64Array.from(series).sort();
        const at = (q: number) => round(sorted[Math.ceil(q * sorted.length) - 1]!, 3);
        return [step, { count: sorted.length, p50: at(0.5), p99: at(0.99) }];
      }),
    );
  }
}

/** `value` rounded to `digits` decimals. */
export const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** The store's namespace of the per-address rate-limit counters, which the flood's count leaves out. */
const RATE_LIMIT = 'rate-limit';

/** The memory store's entries outside {@link RATE_LIMIT}, from its gauges on the bridge's metrics listener. */
export async function memoryStoreEntries(metricsUrl: string): Promise<number | undefined> {
  const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
  const gauges = [...metrics.matchAll(/^wecom_oidc_memory_store_entries\{namespace="([^"]+)"\} (\d+)/gm)];
  return gauges.length === 0
    ? undefined
    : gauges.reduce((sum, [, name, value]) => sum + (name === RATE_LIMIT ? 0 : Number(value)), 0);
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

  /** Keys under `prefix` outside {@link RATE_LIMIT}, by SCAN (a big keyspace must not block Redis). */
  async storeEntries(prefix: string): Promise<number> {
    let [cursor, count] = ['0', 0];
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      [cursor, count] = [next, count + keys.filter((key) => !key.startsWith(`${prefix}${RATE_LIMIT}:`)).length];
    } while (cursor !== '0');
    return count;
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
