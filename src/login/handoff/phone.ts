/**
 * The phone's side of a hand-off: its WeCom callback completes the desktop's pending login.
 *
 * The phone never receives a code, a session or a redirect to the relying party: it only lends
 * its consent. The member on the phone must be the member who signed in on the desktop; anyone
 * else (a colleague who scanned the screen) is told so and signs nobody in, and uses nothing up:
 * the hand-off is used, once, only when the member matches. From then on its outcome is final:
 * done, or failed when that member's consent lacks what the relying party needs.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../../context.js';
import { accessDenied, BridgeError } from '../../errors/bridge-error.js';
import { sendPage } from '../../http/security-headers.js';
import { admitMember } from '../../oidc/admission.js';
import { missingRequiredClaims } from '../../oidc/claims.js';
import { hintFacts } from '../../pages/admin-hints.js';
import { renderErrorPage } from '../../pages/error-page.js';
import { renderPhoneDonePage } from '../../pages/handoff.js';
import type { ResolvedMember, WeComUser } from '../../wecom/identity.js';
import { pageLang, recordFailure } from '../login-failure.js';
import type { LoginTransaction } from '../records.js';
import { type HandoffRecord, handoffKeys, handoffOpen, secondsLeft, updateHandoff } from './records.js';

/**
 * Completes the hand-off named by `transaction.handoff` with the phone's login: the phone's
 * finisher. Returns the phone's "done" page, sent once the callback has settled its replay record.
 */
export async function completeHandoffOnPhone(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  transaction: LoginTransaction,
  resolved: ResolvedMember,
): Promise<() => FastifyReply> {
  const id = transaction.handoff!;
  const record = await context.store.get<HandoffRecord>(handoffKeys.record(id));
  if (!record) throw handoffGone();
  if (!handoffOpen(record)) throw handoffUsed();
  // WeCom userids are case-insensitive.
  if (resolved.user.userid.toLowerCase() !== record.userid.toLowerCase()) {
    throw accessDenied('The phone signed in as another WeCom member than the computer', 'handoff_user_mismatch');
  }
  // The desktop's member: the hand-off is theirs, and used. Of two phone legs, one gets here.
  if (!(await context.store.claim(handoffKeys.used(id), 1, secondsLeft(record.expiresAt, context.now()))))
    throw handoffUsed();
  const user = await admittedWithClaims(request, context, id, record, resolved);
  await updateHandoff(context.store, id, record, { status: 'done', user }, context.now());
  context.metrics.logins.labels('success', 'handoff_phone', 'oauth').inc();
  request.log.info({ leg: 'oauth', client: record.request.clientId }, 'hand-off completed on the phone');
  const page = renderPhoneDonePage(pageLang(request, transaction), request.id);
  return () => sendPage(reply, 200, page);
}

/**
 * The member as admitted (policy, profile memory), with every REQUIRE_CLAIMS value; otherwise
 * the hand-off fails for the desktop too (the member's own consent decided) and the error goes on
 * to the phone's page.
 */
async function admittedWithClaims(
  request: FastifyRequest,
  context: BridgeContext,
  id: string,
  record: HandoffRecord,
  resolved: ResolvedMember,
): Promise<WeComUser> {
  try {
    const { user, writes } = await admitMember(context, resolved, (message, details) =>
      request.log.warn(details, message),
    );
    await context.store.setMany(writes);
    const missing = missingRequiredClaims(user, context.config);
    if (missing.length > 0)
      throw accessDenied(`The consent did not yield: ${missing.join(', ')}`, 'handoff_claims_missing');
    return user;
  } catch (error) {
    if (error instanceof BridgeError) {
      await updateHandoff(
        context.store,
        id,
        record,
        { status: 'failed', failure: { code: error.code, reason: error.reason } },
        context.now(),
      );
    }
    throw error;
  }
}

/**
 * Explains a failed phone leg on the phone. The desktop's hand-off is failed only by the
 * desktop member's own outcome ({@link completeHandoffOnPhone}); anything before that (another
 * member, a cancel at WeCom, WeCom unavailable) leaves it waiting for the right phone.
 */
export function failHandoffOnPhone(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  transaction: LoginTransaction,
  error: BridgeError,
): FastifyReply {
  recordFailure(request, context, transaction, error);
  const page = renderErrorPage(error, {
    lang: pageLang(request, transaction),
    requestId: request.id,
    facts: hintFacts(context.config.publicUrl, context.config.wecom.corpId),
  });
  return sendPage(reply, error.status, page);
}

/** The hand-off expired or finished while the phone was at WeCom. */
export function handoffGone(): BridgeError {
  return new BridgeError({
    code: 'invalid_request',
    status: 404,
    reason: 'handoff_expired',
    description: 'This hand-off expired or was already completed',
  });
}

/** The hand-off's member already completed it (or their consent failed it). */
export function handoffUsed(): BridgeError {
  return new BridgeError({
    code: 'invalid_request',
    status: 409,
    reason: 'handoff_used',
    description: 'This QR code was already used',
  });
}
