/**
 * Offboarding: ending a member WeCom reports gone, and telling the relying parties.
 *
 * Work arrives as jobs in one store queue (`Store.enqueue`), so that `/wecom/events` answers WeCom
 * at once and nothing is lost when a replica stops: a job is claimed under a lease
 * (`Store.dequeue`), and a job whose replica died is handed out again when its lease ends
 * (OFFBOARDING_LEASE). With Redis every replica drains the same queue, and each job goes to
 * exactly one of them at a time.
 *
 * - `member` jobs end a member (`delete_user`, a Status other than 1), or first re-check them
 *   with WeCom (`user/get`: status other than 1, or 60111, ends them; WeCom unreachable retries).
 * - Ending: every session in the member index (oidc/member-index.ts) is deleted and its `sid`
 *   marked ended (its refresh tokens and unredeemed codes stop), every grant is revoked (access
 *   tokens fail at /userinfo, refresh tokens get invalid_grant), the index goes, and one `logout`
 *   job is queued per client with a back-channel logout URI and session of the member.
 * - `logout` jobs POST a logout token (Back-Channel Logout 1.0 §2.4) signed at delivery time; a
 *   failure is retried with exponential backoff, at most {@link MAX_ATTEMPTS} times. The queue is
 *   bounded ({@link MAX_QUEUE}): when full, new jobs are refused (counted and logged).
 */
import type { FastifyBaseLogger } from 'fastify';
import { Agent, request } from 'undici';
import { type BridgeContext, epochSeconds } from '../context.js';
import { randomSecret, sha256 } from '../crypto/secrets.js';
import { BridgeError } from '../errors/bridge-error.js';
import { recheckWeComUser } from '../wecom/identity.js';
import { revokeGrant } from './access-tokens.js';
import { subjectOf } from './claims.js';
import { memberHoldings, memberIndexKey } from './member-index.js';
import { keys } from './records.js';

/** The queue's name in the store. */
export const OFFBOARDING_QUEUE = 'offboarding';
/** Most jobs queued at once (bridge-wide with Redis). */
export const MAX_QUEUE = 10_000;
/**
 * A claimed job is handed out again after this long (longer than a delivery's timeout):
 * OFFBOARDING_LEASE, 30 s unless set (tests shorten it).
 */
const DEFAULT_LEASE_SECONDS = 30;
/** Timeout of one logout-token POST. */
const DELIVERY_TIMEOUT_MS = 5_000;
/** Attempts per job before it is given up (backoff 1 s, 2 s, 4 s … ≈ 4 minutes in all). */
export const MAX_ATTEMPTS = 8;
/** How often each replica looks for due jobs (jobs queued here are started at once). */
const POLL_MS = 500;
/** Lifetime of a logout token (Back-Channel Logout §2.4 recommends at most two minutes). */
const LOGOUT_TOKEN_TTL = 120;

/** Why a member is ended or re-checked. */
export type MemberJobReason = 'deleted' | 'disabled' | 'renamed' | 'recheck';

/** A queued job. */
export type OffboardingJob =
  | { readonly kind: 'member'; readonly userid: string; readonly reason: MemberJobReason; readonly attempt: number }
  | {
      readonly kind: 'logout';
      readonly userid: string;
      readonly clientId: string;
      readonly sid: string;
      readonly attempt: number;
    };

/** What ending a member found and did. */
export interface EndedMember {
  readonly sessions: number;
  readonly grants: number;
  readonly logouts: number;
}

/** The back-channel logout event (Back-Channel Logout §2.4). */
export const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * Ends `userid` at the bridge: sessions, their `sid`s, grants; queues the logout tokens.
 * Idempotent: a second run finds an empty index.
 */
export async function endMember(context: BridgeContext, userid: string, reason: string): Promise<EndedMember> {
  const { sessions, grants } = await memberHoldings(context, userid);
  const revokedFor = Math.max(context.config.ttl.refreshToken, context.config.ttl.accessToken, context.config.ttl.code);
  const sids = new Set([...sessions.map((s) => s.sid), ...grants.map((g) => g.sid)]);
  await context.store.setMany(
    [...sids].map((sid) => ({
      key: keys.revokedSid(sid),
      value: { at: context.now(), reason },
      ttlSeconds: revokedFor,
    })),
  );
  await Promise.all([
    ...sessions.map((session) => context.store.delete(session.key)),
    ...grants.map((grant) => revokeGrant(context, grant.grantId, reason)),
  ]);
  await context.store.delete(memberIndexKey(userid));
  // One logout token per client and session (several grants of one session share it).
  const targets = new Map<string, { clientId: string; sid: string }>();
  for (const grant of grants) {
    if (context.clients.find(grant.clientId)?.backchannelLogoutUri === undefined) continue;
    targets.set(`${grant.clientId}\n${grant.sid}`, { clientId: grant.clientId, sid: grant.sid });
  }
  let logouts = 0;
  for (const { clientId, sid } of targets.values()) {
    const job: OffboardingJob = { kind: 'logout', userid, clientId, sid, attempt: 0 };
    if (await queueJob(context, `logout:${sha256(`${clientId}\n${sid}`)}`, job)) logouts += 1;
    else context.metrics.logoutDeliveries.labels('dropped').inc();
  }
  return { sessions: sessions.length, grants: grants.length, logouts };
}

/** Queues `job` under `id` (a repeated id is the same job); false when the queue is full. */
export function queueJob(context: BridgeContext, id: string, job: OffboardingJob): Promise<boolean> {
  return context.store.enqueue(OFFBOARDING_QUEUE, id, job, context.now(), MAX_QUEUE);
}

/** The signed logout token of `job` for its client. */
export async function signLogoutToken(context: BridgeContext, job: Extract<OffboardingJob, { kind: 'logout' }>) {
  const now = epochSeconds(context);
  return context.keys.sign(
    {
      iss: context.config.publicUrl,
      aud: job.clientId,
      iat: now,
      exp: now + LOGOUT_TOKEN_TTL,
      jti: randomSecret(16),
      sub: subjectOf(context.config, job.userid),
      sid: job.sid,
      events: { [BACKCHANNEL_EVENT]: {} },
    },
    'logout+jwt',
  );
}

/**
 * Drains the offboarding queue on this replica: at once when a job is queued here ({@link kick}),
 * and every {@link POLL_MS} for jobs queued elsewhere or due for a retry.
 */
export class OffboardingWorker {
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly agent = new Agent({ connect: { timeout: DELIVERY_TIMEOUT_MS }, keepAliveTimeout: 1000 });

  constructor(
    private readonly context: BridgeContext,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Starts polling. */
  start(): void {
    this.timer = setInterval(() => this.kick(), POLL_MS).unref();
  }

  /** Looks for due jobs now. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Stops polling and waits for the job in hand; unfinished jobs stay queued for another replica. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.draining;
    await this.agent.close();
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.stopped) return;
        const leaseMs = 1000 * (this.context.config.events?.leaseSeconds ?? DEFAULT_LEASE_SECONDS);
        const claimed = await this.context.store.dequeue(OFFBOARDING_QUEUE, this.context.now(), leaseMs);
        if (!claimed) return;
        await this.run(claimed.id, claimed.value as OffboardingJob);
      }
    } catch (error) {
      // The store is down: the jobs stay queued; the next poll tries again.
      this.log.warn({ event: 'offboarding_queue_unavailable', err: String(error) }, 'offboarding queue unavailable');
    }
  }

  private async run(id: string, job: OffboardingJob): Promise<void> {
    const outcome = job.kind === 'member' ? await this.runMember(job) : await this.deliver(job);
    if (outcome === 'done') return void (await this.context.store.finish(OFFBOARDING_QUEUE, id));
    const attempt = job.attempt + 1;
    if (attempt >= MAX_ATTEMPTS) {
      await this.context.store.finish(OFFBOARDING_QUEUE, id);
      if (job.kind === 'logout') this.context.metrics.logoutDeliveries.labels('failed').inc();
      this.log.error(
        {
          event: job.kind === 'logout' ? 'backchannel_logout_failed' : 'offboarding_recheck_failed',
          client: clientOf(job),
          attempts: attempt,
        },
        'offboarding job given up',
      );
      return;
    }
    const delayMs = 1000 * 2 ** job.attempt;
    await this.context.store.reschedule(OFFBOARDING_QUEUE, id, { ...job, attempt }, this.context.now() + delayMs);
  }

  /** A member job: end, or re-check then end. */
  private async runMember(job: Extract<OffboardingJob, { kind: 'member' }>): Promise<'done' | 'retry'> {
    let reason: string = job.reason;
    if (job.reason === 'recheck') {
      try {
        await recheckWeComUser(this.context.wecom, job.userid);
        this.context.metrics.wecomEvents.labels('update_user', 'active').inc();
        this.log.info({ audit: 'member_rechecked', userid: job.userid, outcome: 'active' }, 'member still active');
        return 'done';
      } catch (error) {
        if (!(error instanceof BridgeError) || error.code !== 'access_denied') {
          this.log.warn(
            { event: 'member_recheck_failed', reason: (error as BridgeError).reason },
            'member re-check failed; retrying',
          );
          return 'retry';
        }
        reason = error.reason;
      }
    }
    const ended = await endMember(this.context, job.userid, reason);
    this.context.metrics.wecomEvents.labels(job.reason, 'ended').inc();
    this.kick();
    this.log.warn(
      { audit: 'member_ended', userid: job.userid, reason, ...ended },
      'member ended: sessions and tokens revoked',
    );
    return 'done';
  }

  /** Delivers one logout token. */
  private async deliver(job: Extract<OffboardingJob, { kind: 'logout' }>): Promise<'done' | 'retry'> {
    const uri = this.context.clients.find(job.clientId)?.backchannelLogoutUri;
    if (uri === undefined) return 'done';
    let status: number | string;
    try {
      const token = await signLogoutToken(this.context, job);
      const response = await request(uri, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'cache-control': 'no-store' },
        body: new URLSearchParams({ logout_token: token }).toString(),
        headersTimeout: DELIVERY_TIMEOUT_MS,
        bodyTimeout: DELIVERY_TIMEOUT_MS,
      });
      await response.body.dump();
      status = response.statusCode;
    } catch (error) {
      status = (error as NodeJS.ErrnoException).code ?? 'error';
    }
    const delivered = typeof status === 'number' && status >= 200 && status < 300;
    // A 4xx other than 408/429 is the RP refusing this token: sending it again cannot help.
    const refused = typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429;
    const outcome = delivered ? 'delivered' : refused ? 'failed' : 'retry';
    this.context.metrics.logoutDeliveries.labels(outcome).inc();
    this.log[delivered ? 'info' : 'warn'](
      {
        audit: 'backchannel_logout',
        client: job.clientId,
        userid: job.userid,
        status,
        attempt: job.attempt + 1,
        outcome,
      },
      'back-channel logout delivery',
    );
    return delivered || refused ? 'done' : 'retry';
  }
}

function clientOf(job: OffboardingJob): string | undefined {
  return job.kind === 'logout' ? job.clientId : undefined;
}
