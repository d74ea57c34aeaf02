/**
 * The callback's finisher for a relying party (step 6 of callback.ts, for every leg but the
 * phone's leg of a hand-off): a new session and a code, or the QR hand-off when the desktop
 * login lacks a REQUIRE_CLAIMS value.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type BridgeContext, epochSeconds } from '../context.js';
import { accessDenied, loginRequired } from '../errors/bridge-error.js';
import type { Admission } from '../oidc/admission.js';
import { missingRequiredClaims, subjectOf } from '../oidc/claims.js';
import { mintCode } from '../oidc/codes.js';
import { redirectBrowser } from '../oidc/redirect.js';
import { newSession, saveSession } from '../oidc/session.js';
import { type BoundCallbackIds, type Ending, resultKey, resultWrite } from './callback-replay.js';
import { startHandoff } from './handoff/start.js';
import type { LoginTransaction } from './records.js';

/**
 * The member passed WeCom and the policy: a new session and a code for the relying party. Without
 * a value REQUIRE_CLAIMS demands there is no code: a desktop (web login) gets the QR hand-off to
 * WeCom on the phone; inside WeCom the person declined to share, which only a new consent can
 * change (explained on a page).
 */
export async function finishForRelyingParty(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  transaction: LoginTransaction,
  { user, writes }: Admission,
  ids: BoundCallbackIds,
): Promise<Ending> {
  const { hintSub } = transaction.request;
  // OIDC Core §3.1.2.1: never issue tokens for another subject than the id_token_hint names.
  const hintMismatch = hintSub !== undefined && hintSub !== subjectOf(context.config, user.userid);
  const missing = missingRequiredClaims(user, context.config);
  // A login that ends without a code still remembers its consent.
  if (hintMismatch || missing.length > 0) await context.store.setMany(writes);
  if (hintMismatch)
    throw loginRequired('The signed-in WeCom user differs from the id_token_hint', 'hint_user_mismatch');
  if (missing.length > 0) {
    if (transaction.leg === 'oauth')
      throw accessDenied(`The login lacks required claims: ${missing.join(', ')}`, 'claims_missing');
    context.metrics.logins.labels('handoff', 'claims_missing', transaction.leg).inc();
    request.log.info({ leg: transaction.leg, missing }, 'required claims missing; offering the QR hand-off');
    const handoff = await startHandoff(request, reply, context, transaction, user, missing);
    return { repeat: { location: handoff }, answer: () => redirectBrowser(reply, 'GET', handoff) };
  }
  const session = newSession(context, user, epochSeconds(context));
  const { location, write: code } = mintCode(context, transaction.request, session.record, resultKey(ids));
  // A repeated hit of this callback by the same browser gets this very redirect (and cookie).
  const result = resultWrite(context, ids, { location, ...(session.cookie ? { session: session.cookie } : {}) });
  // Session, code, result and the remembered consent in one store round trip.
  await saveSession(request, reply, context, session, [code, result, ...writes]);
  context.metrics.logins.labels('success', 'ok', transaction.leg).inc();
  // The audit line: who signed in to which client, by which leg (the request id is on every line).
  request.log.info(
    { userid: user.userid, client: transaction.request.clientId, leg: transaction.leg },
    'login succeeded',
  );
  return { repeat: 'saved', answer: () => redirectBrowser(reply, 'GET', location) };
}
