/**
 * `GET /wecom/callback`: WeCom sends the browser back here with `code` and our `state`.
 *
 * Order matters: this browser must hold the sealed login of the state (login-cookie.ts) and the
 * binding cookie it was sealed for, before anything touches WeCom; only then is the login
 * consumed (once, atomically: a "used" mark in the store) and the code exchanged. The final
 * redirect uses only the sealed request, never a value from the callback's query. Failures are answered by login-failure.ts; a login that lacks a
 * REQUIRE_CLAIMS value becomes a QR hand-off (src/handoff/); a repeated hit of the same callback
 * is answered by callback-replay.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { epochSeconds, type BridgeContext } from '../context.js';
import { accessDenied, BridgeError, loginRequired } from '../errors/bridge-error.js';
import { completeHandoffOnPhone, failHandoffOnPhone } from './handoff/phone.js';
import { startHandoffLeg } from './handoff/phone-leg.js';
import { startHandoff } from './handoff/start.js';
import { readCookie } from '../http/cookies.js';
import { resolveWeComUser } from '../wecom/identity.js';
import { admitMember, type Admission } from '../oidc/admission.js';
import { startWeComLeg } from './wecom-leg.js';
import {
  callbackIds, forgetResult, inFlightMark, rememberResult, replayResult, resultKey, resultWrite,
  type BoundCallbackIds, type CallbackIds,
} from './callback-replay.js';
import { missingRequiredClaims, subjectOf } from '../oidc/claims.js';
import { mintCode } from '../oidc/codes.js';
import { clearLoginCookie, loginCookieName, openLoginCookie } from './login-cookie.js';
import { explainsOnPage, failLogin } from './login-failure.js';
import {
  isRejectedCode, knownAddressWrite, NOTHING_RESERVED, readCodeGuard, reserveWeComCall, underReservation,
  type CodeGuard, type CodeReservation,
} from '../oidc/wecom-code-guard.js';
import { stateKeys, type LoginTransaction } from './records.js';
import { errorRedirectUrl, redirectBrowser } from '../oidc/redirect.js';
import { newSession, saveSession } from '../oidc/session.js';

const WECOM_STATE = /^[A-Za-z0-9]{1,128}$/;

/** A dead WeCom code restarts the WeCom leg at most this many times in all. */
const MAX_ATTEMPTS = 2;

/** Registers the WeCom callback. */
export function registerCallback(app: FastifyInstance, context: BridgeContext): void {
  app.get('/wecom/callback', { config: { errorMode: 'page' } }, (request, reply) => callback(request, reply, context));
}

async function callback(request: FastifyRequest, reply: FastifyReply, context: BridgeContext): Promise<FastifyReply> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const ids = callbackIds(checkedState(query.state), readCookie(request, context.cookies.bindingName));
  // WeCom sends the browser back with `state` but no `code` when the member declines.
  const code = typeof query.code === 'string' && query.code !== '' ? query.code : undefined;
  const claimed = await claimTransaction(request, reply, context, ids);
  if (!claimed || ids.binding === undefined) {
    // The login is gone: finished, or being finished, by an earlier hit of this callback.
    const location = await replayResult(reply, context, ids);
    request.log.info('repeated WeCom callback answered with the first result');
    return redirectBrowser(reply, 'GET', location);
  }
  const bound: BoundCallbackIds = { ...ids, binding: ids.binding };
  try {
    // The WeCom quota is reserved before WeCom is called, and only when it will be.
    const reservation = code === undefined ? NOTHING_RESERVED : await reserveWeComCall(claimed.guard, context, reply);
    return await finish(request, reply, context, { ...claimed, reservation }, code, bound);
  } catch (error) {
    await forgetResult(context, ids);
    throw error;
  }
}

async function finish(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  { transaction, guard, reservation }: { transaction: LoginTransaction; guard: CodeGuard; reservation: CodeReservation },
  code: string | undefined,
  ids: BoundCallbackIds,
): Promise<FastifyReply> {
  const warn = (message: string, details: Record<string, unknown>) => request.log.warn(details, message);
  try {
    if (code === undefined) throw accessDenied('The sign-in was cancelled at WeCom', 'wecom_cancelled');
    const resolved = await underReservation(reservation, context, () => resolveWeComUser(context.wecom, code, warn));
    // The phone's leg of a QR hand-off completes the desktop's login, not a login of its own.
    if (transaction.handoff !== undefined) {
      await forgetResult(context, ids);
      return await completeHandoffOnPhone(request, reply, context, transaction, resolved);
    }
    const admission = await admitMember(context, resolved, warn);
    return await finishLogin(request, reply, context, transaction, { ...admission, writes: [...admission.writes, knownAddressWrite(guard)] }, ids);
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    if (isRejectedCode(error) && transaction.attempt < MAX_ATTEMPTS) {
      request.log.info({ errcode: error.errcode }, 'WeCom code unusable; restarting the WeCom leg once');
      await forgetResult(context, ids);
      return redirectBrowser(reply, 'GET', await restartLeg(request, reply, context, transaction));
    }
    if (transaction.handoff !== undefined) {
      await forgetResult(context, ids);
      return failHandoffOnPhone(request, reply, context, transaction, error);
    }
    return fail(request, reply, context, transaction, error, ids);
  }
}

/**
 * The member passed WeCom and the policy. Without a value REQUIRE_CLAIMS demands there is no code:
 * a desktop (web login) gets the QR hand-off to WeCom on the phone; inside WeCom the person
 * declined to share, which only a new consent can change (explained on a page).
 */
async function finishLogin(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  transaction: LoginTransaction,
  admission: Admission,
  ids: BoundCallbackIds,
): Promise<FastifyReply> {
  const { user, writes } = admission;
  const { hintSub } = transaction.request;
  // OIDC Core §3.1.2.1: never issue tokens for another subject than the id_token_hint names.
  const hintMismatch = hintSub !== undefined && hintSub !== subjectOf(context.config, user.userid);
  const missing = missingRequiredClaims(user, context.config);
  // A login that ends without a code still remembers its consent.
  if (hintMismatch || missing.length > 0) await context.store.setMany(writes);
  if (hintMismatch) throw loginRequired('The signed-in WeCom user differs from the id_token_hint', 'hint_user_mismatch');
  if (missing.length > 0) {
    if (transaction.leg === 'oauth') throw accessDenied(`The login lacks required claims: ${missing.join(', ')}`, 'claims_missing');
    context.metrics.logins.labels('handoff', 'claims_missing', transaction.leg).inc();
    request.log.info({ leg: transaction.leg, missing }, 'required claims missing; offering the QR hand-off');
    const handoff = await startHandoff(request, reply, context, transaction, user, missing);
    await rememberResult(context, ids, { location: handoff });
    return redirectBrowser(reply, 'GET', handoff);
  }
  const session = newSession(context, user, epochSeconds(context));
  const { location, write: code } = mintCode(context, transaction.request, session.record, resultKey(ids));
  // A repeated hit of this callback by the same browser gets this very redirect (and cookie).
  const result = resultWrite(ids, { location, ...(session.cookie ? { session: session.cookie } : {}) });
  // Session, code, result and the remembered consent in one store round trip.
  await saveSession(request, reply, context, session, [code, result, ...writes]);
  context.metrics.logins.labels('success', 'ok', transaction.leg).inc();
  // The audit line: who signed in to which client, by which leg (the request id is on every line).
  request.log.info({ userid: user.userid, client: transaction.request.clientId, leg: transaction.leg }, 'login succeeded');
  return redirectBrowser(reply, 'GET', location);
}

/** A failed login: redirects are remembered for a repeated hit; pages are shown once. */
async function fail(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  transaction: LoginTransaction,
  error: BridgeError,
  ids: BoundCallbackIds,
): Promise<FastifyReply> {
  if (explainsOnPage(error)) await forgetResult(context, ids);
  else await rememberResult(context, ids, { location: errorRedirectUrl(transaction.request.redirectUri, error, transaction.request.state) });
  return failLogin(request, reply, context, transaction, error);
}

/** A fresh WeCom leg for the same login (a dead WeCom code), on the phone for a hand-off. */
function restartLeg(request: FastifyRequest, reply: FastifyReply, context: BridgeContext, transaction: LoginTransaction): Promise<string> {
  const attempt = transaction.attempt + 1;
  if (transaction.handoff !== undefined) return startHandoffLeg(request, reply, context, transaction.request, transaction.handoff, attempt);
  return startWeComLeg(request, reply, context, transaction.request, attempt);
}

function checkedState(state: unknown): string {
  if (typeof state !== 'string' || !WECOM_STATE.test(state)) {
    throw pageError('The state parameter is missing or malformed', 'malformed_state');
  }
  return state;
}

/**
 * Opens the login of `state` from this browser's cookie and consumes it atomically. Undefined when
 * this browser has no such login (a repeated hit, or another browser: callback-replay.ts
 * decides); a cookie that does not open for this browser's binding, or an expired one, is a page.
 */
async function claimTransaction(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  ids: CallbackIds,
): Promise<{ transaction: LoginTransaction; guard: CodeGuard } | undefined> {
  const opened = openLoginCookie(request, context, ids.stateHash, ids.bindingHash);
  if (opened.status === 'absent') return undefined;
  clearLoginCookie(reply, context.cookies, loginCookieName(context.cookies, ids.stateHash));
  if (opened.status === 'foreign') throw pageError('This sign-in was started in another browser', 'browser_mismatch');
  if (opened.status === 'expired') throw pageError('This sign-in expired before WeCom answered', 'login_not_found');
  const { transaction } = opened;
  // One atomic step: the "used" mark (for the rest of the login's lifetime) and the in-flight
  // mark a second hit waits on. A hit that loses finds the login used: callback-replay.ts.
  // Whether the address is known to the WeCom-quota guard is read meanwhile (wecom-code-guard.ts).
  const remaining = Math.max(1, Math.ceil((transaction.createdAt + context.config.ttl.login * 1000 - context.now()) / 1000));
  const [first, guard] = await Promise.all([
    context.store.claim(stateKeys.used(ids.stateHash), 1, remaining, [inFlightMark(ids)]),
    readCodeGuard(request, context),
  ]);
  return first ? { transaction, guard } : undefined;
}

function pageError(description: string, reason: string): BridgeError {
  return new BridgeError({ code: 'invalid_request', status: 400, reason, description });
}
