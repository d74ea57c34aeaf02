/**
 * Latency samples and their percentiles. Samples are kept raw (one float per request) and
 * sorted once at the end: exact percentiles, and cheaper per request than any histogram.
 */

/** Percentiles of one series, in milliseconds. */
export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Named latency series (`authorize`, `callback`, …, `login`) and an error tally. */
export class Recorder {
  private readonly series = new Map<string, number[]>();
  private readonly errorCounts = new Map<string, number>();

  /** Adds one sample of `ms` to `name`. */
  add(name: string, ms: number): void {
    let samples = this.series.get(name);
    if (!samples) {
      samples = [];
      this.series.set(name, samples);
    }
    samples.push(ms);
  }

  /** Counts one failure, by kind (e.g. `token:400`, `callback:ECONNRESET`). */
  error(kind: string): void {
    this.errorCounts.set(kind, (this.errorCounts.get(kind) ?? 0) + 1);
  }

  /** Samples in `name` so far. */
  count(name: string): number {
    return this.series.get(name)?.length ?? 0;
  }

  /** Total failures. */
  get errors(): number {
    let total = 0;
    for (const value of this.errorCounts.values()) total += value;
    return total;
  }

  /** Failures by kind. */
  errorKinds(): Record<string, number> {
    return Object.fromEntries(this.errorCounts);
  }

  /** Percentiles of every series. */
  summary(): Record<string, Percentiles> {
    return Object.fromEntries([...this.series].map(([name, samples]) => [name, percentiles(samples)]));
  }
}

/** Percentiles of `samples` (ms), rounded to µs. */
export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => (sorted.length === 0 ? 0 : round3(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!));
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) };
}

/** Rounds to three decimals (µs for milliseconds). */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
