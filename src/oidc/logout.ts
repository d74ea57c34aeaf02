/**
 * `GET|POST /logout`: RP-initiated logout (`end_session_endpoint`).
 *
 * With a valid id_token_hint naming this browser's session, the session ends at once and the
 * browser goes back to the verified post-logout URI (or sees the "signed out" page). In every
 * other case (no hint, a hint for another session, no session cookie visible: a cross-site POST
 * does not carry our SameSite=Lax cookies) the user confirms first, on our page, with a one-time
 * token bound to this browser (logout-confirmation.ts: nothing is stored until the user
 * confirms); the confirmation is a same-site POST answered with 303. Either way only this
 * browser's own session ends. Both methods are rate-limited per address.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';
import { bindBrowser, readCookie } from '../http/cookies.js';
import { sendPage } from '../http/security-headers.js';
import { type Lang, pickLang } from '../pages/i18n.js';
import { renderLogoutConfirm, renderSignedOut } from '../pages/logout-pages.js';
import { subjectOf } from './claims.js';
import { confirmationToken, type PendingLogout, redeemConfirmation } from './logout-confirmation.js';
import { type LogoutRequest, type LogoutTarget, parseLogoutRequest, targetUrl } from './logout-request.js';
import { readParam, requestParams } from './params.js';
import type { SessionRecord } from './records.js';
import { redirectBrowser } from './redirect.js';
import { currentSession, endSession } from './session.js';

/** Registers GET and POST /logout. */
export function registerLogout(app: FastifyInstance, context: BridgeContext): void {
  const handler = (request: FastifyRequest, reply: FastifyReply) => logout(request, reply, context);
  const options = { config: { errorMode: 'page' as const, limit: 'logout' as const } };
  app.get('/logout', options, handler);
  app.post('/logout', options, handler);
}

async function logout(request: FastifyRequest, reply: FastifyReply, context: BridgeContext): Promise<FastifyReply> {
  const raw = requestParams(request.query, request.body, request.method);
  const token = request.method === 'POST' ? readParam(raw, 'logout_confirm') : undefined;
  if (token !== undefined) return confirmed(request, reply, context, token);
  const logoutRequest = await parseLogoutRequest(raw, context);
  const session = await currentSession(request, context);
  const lang = pageLang(request, logoutRequest.uiLocales);
  if (hintNamesSession(context, logoutRequest, session)) {
    await endSession(request, reply, context);
    request.log.info({ client: logoutRequest.client?.clientId }, 'logout');
    return signedOut(request, reply, logoutRequest.target, lang);
  }
  return askConfirmation(request, reply, context, logoutRequest, session, lang);
}

/**
 * The hint was issued in the session this browser holds: same sid, and the same subject as the
 * tokens form it (`subjectOf`: with SUB_FORMAT=corpid:userid the hint's sub is not the userid).
 */
function hintNamesSession(
  context: BridgeContext,
  logoutRequest: LogoutRequest,
  session: SessionRecord | undefined,
): boolean {
  const { hint } = logoutRequest;
  return (
    hint !== undefined &&
    session !== undefined &&
    hint.sid === session.sid &&
    hint.sub === subjectOf(context.config, session.user.userid)
  );
}

/** Shows the form, carrying the pending sign-out sealed for this browser (nothing is stored). */
function askConfirmation(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  logoutRequest: LogoutRequest,
  session: SessionRecord | undefined,
  lang: Lang,
): FastifyReply {
  const binding = bindBrowser(request, reply, context.cookies, context.config.ttl.login);
  const pending: PendingLogout = {
    ...(logoutRequest.target === undefined ? {} : { target: logoutRequest.target }),
    ...(logoutRequest.client ? { clientId: logoutRequest.client.clientId } : {}),
    ...(logoutRequest.uiLocales === undefined ? {} : { uiLocales: logoutRequest.uiLocales }),
  };
  const html = renderLogoutConfirm({
    lang,
    action: `${context.config.publicUrl}/logout`,
    handle: confirmationToken(context, binding, pending),
    clientId: logoutRequest.client?.clientId,
    userName: session?.user.name ?? session?.user.userid,
    requestId: request.id,
  });
  return sendPage(reply, 200, html);
}

/** The user confirmed: the token opens in this browser (binding cookie), once; then sign out. */
async function confirmed(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  token: string,
): Promise<FastifyReply> {
  const pending = await redeemConfirmation(context, readCookie(request, context.cookies.bindingName), token);
  // Only this browser's own session ends: an ID token travels in URLs, so a hint alone must not
  // end the session it names (someone else's) nor revoke its refresh tokens.
  await endSession(request, reply, context);
  request.log.info({ client: pending.clientId }, 'logout confirmed');
  return signedOut(request, reply, pending.target, pageLang(request, pending.uiLocales));
}

/** Back to the verified post-logout URI (303 after POST), or our "signed out" page. */
function signedOut(
  request: FastifyRequest,
  reply: FastifyReply,
  target: LogoutTarget | undefined,
  lang: Lang,
): FastifyReply {
  if (target !== undefined) return redirectBrowser(reply, request.method, targetUrl(target));
  return sendPage(reply, 200, renderSignedOut(lang, request.id));
}

function pageLang(request: FastifyRequest, uiLocales: string | undefined): Lang {
  const query = (request.query ?? {}) as Record<string, unknown>;
  return pickLang(
    typeof query.lang === 'string' ? query.lang : undefined,
    uiLocales,
    request.headers['accept-language'],
  );
}
