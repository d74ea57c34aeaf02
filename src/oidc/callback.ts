/**
 * `GET /wecom/callback`: WeCom sends the browser back here with `code` and our `state`.
 *
 * Order matters: the state must name a pending login, and this browser must hold that login's
 * binding cookie, before anything touches WeCom; only then is the login consumed (once, atomically)
 * and the code exchanged. The final redirect uses only the stored request, never a value from
 * the callback or a cookie. A repeated hit of the same callback is answered by callback-replay.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { epochSeconds, type BridgeContext } from '../context.js';
import { safeEqual, sha256 } from '../crypto/secrets.js';
import { accessDenied, BridgeError, loginRequired } from '../errors/bridge-error.js';
import { readCookie } from '../http/cookies.js';
import { renderErrorPage } from '../http/error-page.js';
import { pickLang } from '../http/i18n.js';
import { sendPage } from '../http/security-headers.js';
import { WeComApiError } from '../wecom/errors.js';
import { resolveWeComUser, type WeComUser } from '../wecom/identity.js';
import { startWeComLeg } from './authorize.js';
import { forgetResult, markInFlight, rememberResult, replayResult, type CallbackResult } from './callback-replay.js';
import { issueCodeRedirect } from './codes.js';
import { keys, type LoginTransaction } from './records.js';
import { errorRedirectUrl, redirectBrowser } from './redirect.js';
import { startSession } from './session.js';

const WECOM_STATE = /^[A-Za-z0-9]{1,128}$/;

/** A dead WeCom code restarts the WeCom leg at most this many times in all. */
const MAX_ATTEMPTS = 2;

/** Registers the WeCom callback. */
export function registerCallback(app: FastifyInstance, context: BridgeContext): void {
  app.get('/wecom/callback', { config: { errorMode: 'page' } }, (request, reply) => callback(request, reply, context));
}

async function callback(request: FastifyRequest, reply: FastifyReply, context: BridgeContext): Promise<FastifyReply> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const state = checkedState(query.state);
  const binding = readCookie(request, context.cookies.bindingName);
  const transaction = await claimTransaction(context, state, binding);
  if (!transaction || binding === undefined) {
    // The login is gone: finished, or being finished, by an earlier hit of this callback.
    const location = await replayResult(reply, context, state, binding);
    request.log.info('repeated WeCom callback answered with the first result');
    return redirectBrowser(reply, 'GET', location);
  }
  try {
    return await finish(request, reply, context, transaction, query, { state, binding });
  } catch (error) {
    await forgetResult(context, state);
    throw error;
  }
}

/** The WeCom `state` and this browser's binding cookie value, both already checked. */
interface CallbackKeys {
  readonly state: string;
  readonly binding: string;
}

async function finish(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  transaction: LoginTransaction,
  query: Record<string, unknown>,
  ids: CallbackKeys,
): Promise<FastifyReply> {
  const code = typeof query.code === 'string' && query.code !== '' ? query.code : undefined;
  try {
    // WeCom sends the browser back with `state` but no `code` when the member declines.
    if (code === undefined) throw accessDenied('The sign-in was cancelled at WeCom', 'wecom_cancelled');
    const user = await resolveWeComUser(context.wecom, code, (message, details) => request.log.warn(details, message));
    const result = await complete(request, reply, context, transaction, user);
    await rememberResult(context, ids.state, ids.binding, result);
    context.metrics.logins.labels('success', 'ok', transaction.leg).inc();
    request.log.info({ leg: transaction.leg, client: transaction.request.clientId }, 'login succeeded');
    return redirectBrowser(reply, 'GET', result.location);
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    if (error instanceof WeComApiError && error.action === 'restart' && transaction.attempt < MAX_ATTEMPTS) {
      request.log.info({ errcode: error.errcode }, 'WeCom code unusable; restarting the WeCom leg once');
      await forgetResult(context, ids.state);
      return redirectBrowser(reply, 'GET', await startWeComLeg(request, reply, context, transaction.request, transaction.attempt + 1));
    }
    return fail(request, reply, context, transaction, error, ids);
  }
}

function checkedState(state: unknown): string {
  if (typeof state !== 'string' || !WECOM_STATE.test(state)) {
    throw pageError('The state parameter is missing or malformed', 'malformed_state');
  }
  return state;
}

/**
 * Finds the pending login named by `state`, checks this browser's binding cookie, then consumes
 * the login atomically. Returns undefined when the login is no longer pending (an earlier hit
 * took it); every other failure is a page: nothing trustworthy to redirect to.
 */
async function claimTransaction(context: BridgeContext, state: string, binding: string | undefined): Promise<LoginTransaction | undefined> {
  const pending = await context.store.get<LoginTransaction>(keys.login(state));
  if (!pending) return undefined;
  if (binding === undefined || !safeEqual(sha256(binding), pending.bindingHash)) {
    // Not consumed: a replay from another browser must not cancel the real user's login.
    throw pageError('This sign-in was started in another browser', 'browser_mismatch');
  }
  // Marked before taking, so a second hit that finds the login gone always finds the mark.
  await markInFlight(context, state, pending.bindingHash);
  return context.store.take<LoginTransaction>(keys.login(state));
}

async function complete(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  transaction: LoginTransaction,
  user: WeComUser,
): Promise<CallbackResult> {
  const { hintSub } = transaction.request;
  // OIDC Core §3.1.2.1: never issue tokens for another user than the id_token_hint names.
  if (hintSub !== undefined && hintSub !== user.userid) {
    throw loginRequired('The signed-in WeCom user differs from the id_token_hint', 'hint_user_mismatch');
  }
  const session = await startSession(request, reply, context, user, epochSeconds(context));
  const location = await issueCodeRedirect(context, transaction.request, session.record);
  return { location, ...(session.cookie ? { session: session.cookie } : {}) };
}

async function fail(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  transaction: LoginTransaction,
  error: BridgeError,
  ids: CallbackKeys,
): Promise<FastifyReply> {
  const outcome = error.code === 'access_denied' ? 'denied' : 'failed';
  context.metrics.logins.labels(outcome, error.reason, transaction.leg).inc();
  const log = { reason: error.reason, error: error.code, ...error.details, ...(error.hint ? { hint: error.hint } : {}) };
  if (error.status >= 500 && !error.expose) request.log.error(log, `login failed: ${error.description}`);
  else request.log.info(log, `login refused: ${error.description}`);
  const back = errorRedirectUrl(transaction.request.redirectUri, error, transaction.request.state);
  // A problem the administrator must fix is shown here, with its hint; the RP would only say "error".
  if (error.hint !== undefined && error.code === 'server_error') {
    await forgetResult(context, ids.state);
    const lang = pickLang(undefined, transaction.request.uiLocales, request.headers['accept-language']);
    return sendPage(reply, error.status, renderErrorPage(error, { lang, requestId: request.id, returnUrl: back }));
  }
  await rememberResult(context, ids.state, ids.binding, { location: back });
  return redirectBrowser(reply, 'GET', back);
}

function pageError(description: string, reason: string): BridgeError {
  return new BridgeError({ code: 'invalid_request', status: 400, reason, description });
}
