/**
 * What Linux says about a process, from `/proc`: CPU time (user + system, every thread, including
 * the libuv pool that runs WebCrypto signatures) and resident memory. Reading it from outside
 * measures the bridge alone, without an endpoint in the bridge and without the load generator's
 * own cost.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** `sysconf(_SC_CLK_TCK)`, the unit of utime/stime in /proc/<pid>/stat (100 on Linux in practice). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** True when /proc can be read (Linux). */
export function procAvailable(): boolean {
  try {
    readFileSync('/proc/self/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
}

/** CPU time of `pid` so far (user + system, all threads, living and exited), in ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields are counted after its closing paren.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / clockTicks();
}

/** Resident set size now and its peak (VmHWM), in MB. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Samples the RSS of `pid` every `intervalMs` and keeps the highest value. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  peakMb = 0;

  constructor(private readonly pid: number, private readonly intervalMs = 200) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return this.peakMb;
  }

  private sample(): void {
    try {
      this.peakMb = Math.max(this.peakMb, memoryMb(this.pid).rss);
    } catch {
      // The process is gone; keep what was seen.
    }
  }
}

/**
 * CPU of `pid` per unit of work (logins, requests), second by second, keeping the lowest. On a
 * shared machine other processes inflate CPU time (caches, SMT siblings, frequency); the least
 * disturbed second is the closest to the intrinsic cost. Seconds with fewer than `minUnits` are
 * skipped: the 10 ms clock tick would dominate them.
 */
export class QuietestSecond {
  private readonly timer: NodeJS.Timeout;
  private lastCpu: number;
  private lastUnits: number;
  private best: number | undefined;

  constructor(private readonly pid: number, private readonly units: () => number, private readonly minUnits: number) {
    this.lastCpu = cpuMs(pid);
    this.lastUnits = units();
    this.timer = setInterval(() => this.sample(), 1000);
  }

  /** Stops sampling; the lowest CPU ms per unit of a whole second, if any second qualified. */
  stop(): number | undefined {
    clearInterval(this.timer);
    return this.best;
  }

  private sample(): void {
    const cpu = cpuMs(this.pid);
    const units = this.units();
    const done = units - this.lastUnits;
    if (done >= this.minUnits) this.best = Math.min(this.best ?? Infinity, (cpu - this.lastCpu) / done);
    this.lastCpu = cpu;
    this.lastUnits = units;
  }
}
