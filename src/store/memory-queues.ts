/**
 * The memory store's job queues: per queue, job id → value (JSON) and due time. Taking a job
 * moves its due time to the end of its lease, so a job its taker never finishes is handed out
 * again. One process: every step is synchronous, so no two callers take the same job.
 */
import { compactJson } from './compact-json.js';
import type { QueuedJob } from './store.js';

interface Job {
  readonly json: string;
  readonly dueMs: number;
}

/** The queues of one memory store. */
export class MemoryQueues {
  private readonly queues = new Map<string, Map<string, Job>>();

  /** Adds a job unless it is queued already (true) or the queue holds `maxLength` jobs (false). */
  enqueue(queue: string, id: string, value: unknown, dueMs: number, maxLength: number): boolean {
    let jobs = this.queues.get(queue);
    if (!jobs) {
      jobs = new Map();
      this.queues.set(queue, jobs);
    }
    if (jobs.has(id)) return true;
    if (jobs.size >= maxLength) return false;
    jobs.set(id, { json: compactJson(value), dueMs });
    return true;
  }

  /** The job due earliest (at `nowMs` or before), leased until `nowMs + leaseMs`. */
  dequeue(queue: string, nowMs: number, leaseMs: number): QueuedJob | undefined {
    const jobs = this.queues.get(queue);
    if (!jobs) return undefined;
    let earliest: [string, Job] | undefined;
    for (const job of jobs) {
      if (job[1].dueMs <= nowMs && (!earliest || job[1].dueMs < earliest[1].dueMs)) earliest = job;
    }
    if (!earliest) return undefined;
    const [id, job] = earliest;
    jobs.set(id, { json: job.json, dueMs: nowMs + leaseMs });
    return { id, value: JSON.parse(job.json) };
  }

  /** A queued job's new value and due time (a retry). */
  reschedule(queue: string, id: string, value: unknown, dueMs: number): void {
    const jobs = this.queues.get(queue);
    if (jobs?.has(id)) jobs.set(id, { json: compactJson(value), dueMs });
  }

  /** Removes a job (done, or given up). */
  finish(queue: string, id: string): void {
    this.queues.get(queue)?.delete(id);
  }

  /** Drops every queue (the store closes). */
  clear(): void {
    this.queues.clear();
  }
}
