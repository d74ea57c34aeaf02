/**
 * `GET|POST /logout`: RP-initiated logout (`end_session_endpoint`).
 *
 * With a valid id_token_hint naming this browser's session, the session ends at once and the
 * browser goes back to the verified post-logout URI (or sees the "signed out" page). In every
 * other case (no hint, a hint for another session, no session cookie visible: a cross-site POST
 * does not carry our SameSite=Lax cookies) the user confirms first, on our page, with a one-time
 * token bound to this browser; the confirmation is a same-site POST answered with 303.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';
import { randomSecret, safeEqual, sha256 } from '../crypto/secrets.js';
import { BridgeError } from '../errors/bridge-error.js';
import { bindBrowser, readCookie } from '../http/cookies.js';
import { pickLang, type Lang } from '../http/i18n.js';
import { renderLogoutConfirm, renderSignedOut } from '../http/logout-pages.js';
import { sendPage } from '../http/security-headers.js';
import { parseLogoutRequest, type LogoutRequest } from './logout-request.js';
import { subjectOf } from './claims.js';
import { readParam, requestParams } from './params.js';
import { keys, type PendingLogout, type SessionRecord } from './records.js';
import { redirectBrowser } from './redirect.js';
import { currentSession, endSession } from './session.js';

/** Registers GET and POST /logout. */
export function registerLogout(app: FastifyInstance, context: BridgeContext): void {
  const handler = (request: FastifyRequest, reply: FastifyReply) => logout(request, reply, context);
  app.get('/logout', { config: { errorMode: 'page' } }, handler);
  app.post('/logout', { config: { errorMode: 'page' } }, handler);
}

async function logout(request: FastifyRequest, reply: FastifyReply, context: BridgeContext): Promise<FastifyReply> {
  const raw = requestParams(request.query, request.body, request.method);
  const handle = request.method === 'POST' ? readParam(raw, 'logout_confirm') : undefined;
  if (handle !== undefined) return confirmed(request, reply, context, handle);
  const logoutRequest = await parseLogoutRequest(raw, context);
  const session = await currentSession(request, context);
  const lang = pageLang(request, logoutRequest.uiLocales);
  if (hintNamesSession(context, logoutRequest, session)) {
    await endSession(request, reply, context);
    request.log.info({ client: logoutRequest.client?.clientId }, 'logout');
    return signedOut(request, reply, logoutRequest.redirectTo, lang);
  }
  return askConfirmation(request, reply, context, logoutRequest, session, lang);
}

/**
 * The hint was issued in the session this browser holds: same sid, and the same subject as the
 * tokens form it (`subjectOf`: with SUB_FORMAT=corpid:userid the hint's sub is not the userid).
 */
function hintNamesSession(context: BridgeContext, logoutRequest: LogoutRequest, session: SessionRecord | undefined): boolean {
  const { hint } = logoutRequest;
  return hint !== undefined && session !== undefined && hint.sid === session.sid && hint.sub === subjectOf(context.config, session.user.userid);
}

/** Stores the pending logout under a one-time handle bound to this browser and shows the form. */
async function askConfirmation(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  logoutRequest: LogoutRequest,
  session: SessionRecord | undefined,
  lang: Lang,
): Promise<FastifyReply> {
  const ttl = context.config.ttl.login;
  const binding = bindBrowser(request, reply, context.cookies, ttl);
  const handle = randomSecret();
  const pending: PendingLogout = {
    bindingHash: sha256(binding),
    ...(logoutRequest.redirectTo === undefined ? {} : { redirectTo: logoutRequest.redirectTo }),
    ...(logoutRequest.client ? { clientId: logoutRequest.client.clientId } : {}),
    ...(logoutRequest.uiLocales === undefined ? {} : { uiLocales: logoutRequest.uiLocales }),
  };
  await context.store.set(keys.pendingLogout(handle), pending, ttl);
  const html = renderLogoutConfirm({
    lang,
    action: `${context.config.publicUrl}/logout`,
    handle,
    clientId: logoutRequest.client?.clientId,
    userName: session?.user.name ?? session?.user.userid,
    requestId: request.id,
  });
  return sendPage(reply, 200, html);
}

/** The user confirmed: same browser (binding cookie), handle used once; then sign out. */
async function confirmed(request: FastifyRequest, reply: FastifyReply, context: BridgeContext, handle: string): Promise<FastifyReply> {
  const pending = await context.store.get<PendingLogout>(keys.pendingLogout(handle));
  if (!pending) throw pageError('This sign-out request expired or was already used', 'logout_expired');
  const binding = readCookie(request, context.cookies.bindingName);
  if (binding === undefined || !safeEqual(sha256(binding), pending.bindingHash)) {
    throw pageError('This sign-out was not requested in this browser', 'logout_foreign');
  }
  if (!(await context.store.take<PendingLogout>(keys.pendingLogout(handle)))) {
    throw pageError('This sign-out request expired or was already used', 'logout_expired');
  }
  // Only this browser's own session ends: an ID token travels in URLs, so a hint alone must not
  // end the session it names (someone else's) nor revoke its refresh tokens.
  await endSession(request, reply, context);
  request.log.info({ client: pending.clientId }, 'logout confirmed');
  return signedOut(request, reply, pending.redirectTo, pageLang(request, pending.uiLocales));
}

/** Back to the verified post-logout URI (303 after POST), or our "signed out" page. */
function signedOut(request: FastifyRequest, reply: FastifyReply, redirectTo: string | undefined, lang: Lang): FastifyReply {
  if (redirectTo !== undefined) return redirectBrowser(reply, request.method, redirectTo);
  return sendPage(reply, 200, renderSignedOut(lang, request.id));
}

function pageLang(request: FastifyRequest, uiLocales: string | undefined): Lang {
  const query = (request.query ?? {}) as Record<string, unknown>;
  return pickLang(typeof query.lang === 'string' ? query.lang : undefined, uiLocales, request.headers['accept-language']);
}

function pageError(description: string, reason: string): BridgeError {
  return new BridgeError({ code: 'invalid_request', status: 400, reason, description });
}
