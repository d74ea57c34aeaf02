/**
 * Queued faults: the next matching `/cgi-bin/*` calls answer an errcode, an HTTP error with a
 * non-JSON body, or hang first. They let tests drive the bridge through WeCom's failure modes.
 */

/** The server APIs, as counted in the statistics. */
export type SimApi =
  | 'gettoken'
  | 'getuserinfo'
  | 'getuserdetail'
  | 'userget'
  | 'departmentList'
  | 'departmentSimplelist';

/** What a fault targets: one API, both department APIs (`department`), or any API (`*`). */
export type SimFaultTarget = 'gettoken' | 'getuserinfo' | 'getuserdetail' | 'userget' | 'department' | '*';

/** Every valid fault target, for validating control requests. */
export const FAULT_TARGETS: readonly SimFaultTarget[] = [
  'gettoken',
  'getuserinfo',
  'getuserdetail',
  'userget',
  'department',
  '*',
];

/** One misbehaviour. */
export interface SimFault {
  readonly api: SimFaultTarget;
  /** Answer HTTP 200 `{errcode, errmsg}` with this errcode (e.g. -1 system busy, 45009). */
  readonly errcode?: number;
  /** Wait this long before answering (a timeout test). */
  readonly hangMs?: number;
  /** Answer with this HTTP status and an HTML body instead of JSON (e.g. 502 from a gateway). */
  readonly status?: number;
}

/** A fault as queued: it applies to the next `times` matching calls (default 1). */
export interface SimFaultInput extends SimFault {
  readonly times?: number;
}

/** The fault target that covers `api`. */
export function faultTargetOf(api: SimApi): SimFaultTarget {
  return api === 'departmentList' || api === 'departmentSimplelist' ? 'department' : api;
}

interface QueuedFault {
  readonly fault: SimFault;
  remaining: number;
}

/** Faults in the order they were queued; each call consumes the first one that matches it. */
export class FaultQueue {
  private queue: QueuedFault[] = [];

  /** Queues a fault for the next `times` (default 1) matching calls. */
  add(input: SimFaultInput): void {
    const { times, ...fault } = input;
    this.queue.push({ fault, remaining: Math.max(1, Math.floor(times ?? 1)) });
  }

  /** Drops every queued fault. */
  clear(): void {
    this.queue = [];
  }

  /** How many calls the queued faults will still affect. */
  pending(): number {
    return this.queue.reduce((sum, entry) => sum + entry.remaining, 0);
  }

  /** The fault for this call of `api`, consumed; undefined when none matches. */
  take(api: SimApi): SimFault | undefined {
    const target = faultTargetOf(api);
    const index = this.queue.findIndex(({ fault }) => fault.api === target || fault.api === '*');
    const entry = this.queue[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.queue.splice(index, 1);
    return entry.fault;
  }
}
