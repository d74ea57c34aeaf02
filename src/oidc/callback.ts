/**
 * `GET /wecom/callback`: WeCom sends the browser back here with `code` and our `state`.
 *
 * Order matters: the state must name a pending login, and this browser must hold that login's
 * binding cookie, before anything touches WeCom; only then is the login consumed (once, atomically)
 * and the code exchanged. The final redirect uses only the stored request, never a value from
 * the callback or a cookie.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { epochSeconds, type BridgeContext } from '../context.js';
import { sha256 } from '../crypto/secrets.js';
import { accessDenied, BridgeError, loginRequired } from '../errors/bridge-error.js';
import { readCookie } from '../http/cookies.js';
import { renderErrorPage } from '../http/error-page.js';
import { pickLang } from '../http/i18n.js';
import { sendPage } from '../http/security-headers.js';
import { WeComApiError } from '../wecom/errors.js';
import { resolveWeComUser, type WeComUser } from '../wecom/identity.js';
import { startWeComLeg } from './authorize.js';
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
  const transaction = await claimTransaction(request, context, query.state);
  const rpState = transaction.request.state;
  const code = typeof query.code === 'string' && query.code !== '' ? query.code : undefined;
  try {
    // WeCom sends the browser back with `state` but no `code` when the member declines.
    if (code === undefined) throw accessDenied('The sign-in was cancelled at WeCom', 'wecom_cancelled');
    const user = await resolveWeComUser(context.wecom, code, (message, details) => request.log.warn(details, message));
    const location = await complete(request, reply, context, transaction, user);
    context.metrics.logins.labels('success', 'ok', transaction.leg).inc();
    request.log.info({ leg: transaction.leg, client: transaction.request.clientId }, 'login succeeded');
    return redirectBrowser(reply, 'GET', location);
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    if (error instanceof WeComApiError && error.action === 'restart' && transaction.attempt < MAX_ATTEMPTS) {
      request.log.info({ errcode: error.errcode }, 'WeCom code unusable; restarting the WeCom leg once');
      return redirectBrowser(reply, 'GET', await startWeComLeg(request, reply, context, transaction.request, transaction.attempt + 1));
    }
    return fail(request, reply, context, transaction, error, rpState);
  }
}

/**
 * Finds the pending login named by `state`, checks this browser's binding cookie, then consumes
 * the login atomically. Every failure here is a page: nothing trustworthy to redirect to.
 */
async function claimTransaction(request: FastifyRequest, context: BridgeContext, state: unknown): Promise<LoginTransaction> {
  if (typeof state !== 'string' || !WECOM_STATE.test(state)) {
    throw pageError('The state parameter is missing or malformed', 'malformed_state');
  }
  const binding = readCookie(request, context.cookies.bindingName);
  // One atomic store call: consumed only when this browser's binding hash matches; a replay from
  // another browser leaves the login in place, so it cannot cancel the real user's login. A plain
  // comparison is enough: both sides are SHA-256 hashes of a 256-bit secret, nothing to time.
  const pending = await context.store.takeIf<LoginTransaction>(keys.login(state), 'bindingHash', binding === undefined ? '' : sha256(binding));
  if (!pending.found) throw pageError('No pending sign-in matches this state (expired, finished or unknown)', 'login_not_found');
  if (!pending.taken) throw pageError('This sign-in was started in another browser', 'browser_mismatch');
  return pending.value;
}

async function complete(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  transaction: LoginTransaction,
  user: WeComUser,
): Promise<string> {
  const { hintSub } = transaction.request;
  // OIDC Core §3.1.2.1: never issue tokens for another user than the id_token_hint names.
  if (hintSub !== undefined && hintSub !== user.userid) {
    throw loginRequired('The signed-in WeCom user differs from the id_token_hint', 'hint_user_mismatch');
  }
  const session = await startSession(request, reply, context, user, epochSeconds(context));
  return issueCodeRedirect(context, transaction.request, session);
}

function fail(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  transaction: LoginTransaction,
  error: BridgeError,
  rpState: string | undefined,
): FastifyReply {
  const outcome = error.code === 'access_denied' ? 'denied' : 'failed';
  context.metrics.logins.labels(outcome, error.reason, transaction.leg).inc();
  const log = { reason: error.reason, error: error.code, ...error.details, ...(error.hint ? { hint: error.hint } : {}) };
  if (error.status >= 500 && !error.expose) request.log.error(log, `login failed: ${error.description}`);
  else request.log.info(log, `login refused: ${error.description}`);
  const back = errorRedirectUrl(transaction.request.redirectUri, error, rpState);
  // A problem the administrator must fix is shown here, with its hint; the RP would only say "error".
  if (error.hint !== undefined && error.code === 'server_error') {
    const lang = pickLang(undefined, transaction.request.uiLocales, request.headers['accept-language']);
    return sendPage(reply, error.status, renderErrorPage(error, { lang, requestId: request.id, returnUrl: back }));
  }
  return redirectBrowser(reply, 'GET', back);
}

function pageError(description: string, reason: string): BridgeError {
  return new BridgeError({ code: 'invalid_request', status: 400, reason, description });
}
