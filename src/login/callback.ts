/**
 * `GET /wecom/callback`: WeCom sends the browser back here with `code` and our `state`.
 *
 * The steps, in this order (each below is one small function):
 *
 * 1. check the state (its form; WeCom echoes what /authorize sent);
 * 2. open the login cookie of that state, for this browser's binding cookie (login-cookie.ts);
 * 3. claim the login: consume it once, atomically (a "used" mark in the store); a hit that finds
 *    it taken is a repeat, answered by callback-replay.ts;
 * 4. the WeCom-quota guard: reserve a unit of the budgets before WeCom is called, and only when it
 *    will be (wecom-code-guard.ts);
 * 5. resolve the member: exchange the code at WeCom under that reservation;
 * 6. finish for this leg: a code for the relying party (finish.ts; or, lacking a REQUIRE_CLAIMS
 *    value on the desktop, the QR hand-off), or, on the phone's leg of a hand-off, the hand-off's
 *    own finisher (handoff/phone.ts).
 *
 * Nothing before step 3 touches WeCom or the store's login state; the final redirect uses only the
 * sealed request, never a value from the callback's query. Failures of steps 5–6 are answered by
 * {@link failedLeg}; everything after step 3 runs inside {@link answerOnce}, which keeps the
 * result a repeated hit of the same browser gets.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';
import { accessDenied, BridgeError } from '../errors/bridge-error.js';
import { readCookie } from '../http/cookies.js';
import { admitMember } from '../oidc/admission.js';
import { errorRedirectUrl, redirectBrowser } from '../oidc/redirect.js';
import { type ResolvedMember, resolveWeComUser } from '../wecom/identity.js';
import {
  answerOnce,
  type BoundCallbackIds,
  type CallbackIds,
  callbackIds,
  type Ending,
  inFlightMark,
  replayResult,
} from './callback-replay.js';
import { finishForRelyingParty } from './finish.js';
import { completeHandoffOnPhone, failHandoffOnPhone } from './handoff/phone.js';
import { startHandoffLeg } from './handoff/phone-leg.js';
import { clearLoginCookie, loginCookieName, openLoginCookie } from './login-cookie.js';
import { explainsOnPage, failLogin } from './login-failure.js';
import { type LoginTransaction, stateKeys } from './records.js';
import {
  type CodeGuard,
  type CodeReservation,
  isRejectedCode,
  knownAddressWrite,
  NOTHING_RESERVED,
  readCodeGuard,
  reserveWeComCall,
  underReservation,
} from './wecom-code-guard.js';
import { startWeComLeg } from './wecom-leg.js';

const WECOM_STATE = /^[A-Za-z0-9]{1,128}$/;

/** A dead WeCom code restarts the WeCom leg at most this many times in all. */
const MAX_ATTEMPTS = 2;

/** A login this callback claimed, and what the quota guard read about its address meanwhile. */
interface Claimed {
  readonly transaction: LoginTransaction;
  readonly guard: CodeGuard;
}

/** Registers the WeCom callback. */
export function registerCallback(app: FastifyInstance, context: BridgeContext): void {
  app.get('/wecom/callback', { config: { errorMode: 'page' } }, (request, reply) => callback(request, reply, context));
}

async function callback(request: FastifyRequest, reply: FastifyReply, context: BridgeContext): Promise<FastifyReply> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const ids = checkState(request, context, query.state);
  const transaction = openLogin(request, reply, context, ids);
  const claimed = transaction === undefined ? undefined : await claimLogin(request, context, ids, transaction);
  if (claimed === undefined || ids.binding === undefined) return answerRepeat(request, reply, context, ids);
  const bound: BoundCallbackIds = { ...ids, binding: ids.binding };
  const code = weComCode(query);
  return answerOnce(context, bound, async () => {
    const reservation = await guardWeComQuota(reply, context, claimed.guard, code);
    try {
      const resolved = await resolveMember(request, context, reservation, code);
      return await finishLeg(request, reply, context, claimed, resolved, bound);
    } catch (error) {
      if (!(error instanceof BridgeError)) throw error;
      return failedLeg(request, reply, context, claimed.transaction, error);
    }
  });
}

/** Step 1: the WeCom state, well-formed, and this browser's binding cookie, hashed once. */
function checkState(request: FastifyRequest, context: BridgeContext, state: unknown): CallbackIds {
  if (typeof state !== 'string' || !WECOM_STATE.test(state)) {
    throw pageError('The state parameter is missing or malformed', 'malformed_state');
  }
  return callbackIds(state, readCookie(request, context.cookies.bindingName));
}

/**
 * Step 2: the login of the state, from this browser's cookie (which is cleared: it serves once).
 * Undefined when this browser has no such cookie (a repeated hit, or another browser:
 * callback-replay.ts decides); a cookie sealed for another binding, or expired, is a page.
 */
function openLogin(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  ids: CallbackIds,
): LoginTransaction | undefined {
  const opened = openLoginCookie(request, context, ids.stateHash, ids.bindingHash);
  if (opened.status === 'absent') return undefined;
  clearLoginCookie(reply, context.cookies, loginCookieName(context.cookies, ids.stateHash));
  if (opened.status === 'foreign') throw pageError('This sign-in was started in another browser', 'browser_mismatch');
  if (opened.status === 'expired') throw pageError('This sign-in expired before WeCom answered', 'login_not_found');
  return opened.transaction;
}

/**
 * Step 3: consumes the login in one atomic store step, the "used" mark (for the rest of the
 * login's lifetime) with the in-flight mark a second hit waits on; whether the address is known
 * to the WeCom-quota guard is read meanwhile. Undefined when another hit claimed it first.
 */
async function claimLogin(
  request: FastifyRequest,
  context: BridgeContext,
  ids: CallbackIds,
  transaction: LoginTransaction,
): Promise<Claimed | undefined> {
  const remaining = Math.max(
    1,
    Math.ceil((transaction.createdAt + context.config.ttl.login * 1000 - context.now()) / 1000),
  );
  const [first, guard] = await Promise.all([
    context.store.claim(stateKeys.used(ids.stateHash), 1, remaining, [inFlightMark(ids)]),
    readCodeGuard(request, context),
  ]);
  return first ? { transaction, guard } : undefined;
}

/** A hit whose login is gone (finished, or being finished, by an earlier hit): the first result. */
async function answerRepeat(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  ids: CallbackIds,
): Promise<FastifyReply> {
  const location = await replayResult(reply, context, ids);
  request.log.info('repeated WeCom callback answered with the first result');
  return redirectBrowser(reply, 'GET', location);
}

/**
 * Step 4: reserves the WeCom quota before WeCom is called, and only when it will be (a member who
 * cancelled sends no code). A spent budget is a 429 page, not a failed login.
 */
function guardWeComQuota(
  reply: FastifyReply,
  context: BridgeContext,
  guard: CodeGuard,
  code: string | undefined,
): Promise<CodeReservation> {
  return code === undefined ? Promise.resolve(NOTHING_RESERVED) : reserveWeComCall(guard, context, reply);
}

/** Step 5: the member behind the code. WeCom sends `state` without `code` when the member declines. */
async function resolveMember(
  request: FastifyRequest,
  context: BridgeContext,
  reservation: CodeReservation,
  code: string | undefined,
): Promise<ResolvedMember> {
  if (code === undefined) throw accessDenied('The sign-in was cancelled at WeCom', 'wecom_cancelled');
  // Only the code exchange holds the reservation: the calls after it cannot be a made-up code's.
  const exchange = (wecomCode: string) =>
    underReservation(reservation, context, () => context.wecom.getUserInfo(wecomCode));
  return resolveWeComUser(context.wecom, code, warnTo(request), exchange);
}

/**
 * Step 6: the phone's leg of a QR hand-off completes the desktop's login (the hand-off's own
 * finisher); any other leg admits the member and answers the relying party.
 */
async function finishLeg(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  { transaction, guard }: Claimed,
  resolved: ResolvedMember,
  ids: BoundCallbackIds,
): Promise<Ending> {
  if (transaction.handoff !== undefined) {
    return { repeat: 'nothing', answer: await completeHandoffOnPhone(request, reply, context, transaction, resolved) };
  }
  const { user, writes } = await admitMember(context, resolved, warnTo(request));
  return finishForRelyingParty(
    request,
    reply,
    context,
    transaction,
    { user, writes: [...writes, knownAddressWrite(guard)] },
    ids,
  );
}

/**
 * A failed step 5 or 6: a dead WeCom code starts a fresh leg of the same login once (on the phone
 * for a hand-off); the phone's leg explains on the phone; any other login fails (login-failure.ts),
 * and only its redirects are remembered for a repeated hit.
 */
async function failedLeg(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  transaction: LoginTransaction,
  error: BridgeError,
): Promise<Ending> {
  if (isRejectedCode(error) && transaction.attempt < MAX_ATTEMPTS) {
    request.log.info({ errcode: error.errcode }, 'WeCom code unusable; restarting the WeCom leg once');
    const location = await restartLeg(request, reply, context, transaction);
    return { repeat: 'nothing', answer: () => redirectBrowser(reply, 'GET', location) };
  }
  if (transaction.handoff !== undefined) {
    return { repeat: 'nothing', answer: () => failHandoffOnPhone(request, reply, context, transaction, error) };
  }
  const back = errorRedirectUrl(transaction.request.redirectUri, error, transaction.request.state);
  return {
    repeat: explainsOnPage(error) ? 'nothing' : { location: back },
    answer: () => failLogin(request, reply, context, transaction, error),
  };
}

/** A fresh WeCom leg for the same login (a dead WeCom code), on the phone for a hand-off. */
function restartLeg(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  transaction: LoginTransaction,
): Promise<string> {
  const attempt = transaction.attempt + 1;
  if (transaction.handoff !== undefined)
    return startHandoffLeg(request, reply, context, transaction.request, transaction.handoff, attempt);
  return startWeComLeg(request, reply, context, transaction.request, attempt);
}

function weComCode(query: Record<string, unknown>): string | undefined {
  return typeof query.code === 'string' && query.code !== '' ? query.code : undefined;
}

function warnTo(request: FastifyRequest): (message: string, details: Record<string, unknown>) => void {
  return (message, details) => request.log.warn(details, message);
}

function pageError(description: string, reason: string): BridgeError {
  return new BridgeError({ code: 'invalid_request', status: 400, reason, description });
}
