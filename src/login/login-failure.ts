/**
 * How a failed WeCom login is answered in the browser that started it.
 *
 * - The member cancelled at WeCom: straight back to the relying party with `access_denied`.
 * - Refusals (`access_denied`, e.g. outside the access policy, a disabled account, a consent that
 *   shared nothing) and id_token_hint mismatches: a page that says why, whose "Return to the
 *   application" link carries the OAuth error to the relying party (which then ends its pending
 *   login), plus a "start again" link. A bare redirect would leave the person with the RP's
 *   generic "sign-in failed".
 * - Problems the administrator must fix: the same page, with the hint that names the fix.
 * - Anything else (WeCom busy, internal errors): straight back with the OAuth error.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';
import type { BridgeError } from '../errors/bridge-error.js';
import { sendPage } from '../http/security-headers.js';
import { errorRedirectUrl, redirectBrowser } from '../oidc/redirect.js';
import { hintFacts } from '../pages/admin-hints.js';
import { renderErrorPage } from '../pages/error-page.js';
import { pickLang } from '../pages/i18n.js';
import type { LoginTransaction } from './records.js';
import { startAgainUrl } from './start-again.js';

/** Logs, counts and answers a failed login. */
export function failLogin(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  transaction: LoginTransaction,
  error: BridgeError,
): FastifyReply {
  recordFailure(request, context, transaction, error);
  const back = errorRedirectUrl(transaction.request.redirectUri, error, transaction.request.state);
  if (!explainsOnPage(error)) return redirectBrowser(reply, 'GET', back);
  const page = renderErrorPage(error, {
    lang: pageLang(request, transaction),
    requestId: request.id,
    returnUrl: back,
    ...optional('startAgainUrl', startAgainUrl(context, transaction.request)),
    facts: hintFacts(context.config.publicUrl, context.config.wecom.corpId),
  });
  return sendPage(reply, error.status, page);
}

/** Counts and logs a failure (the cause, the reason, the WeCom errcode and hint; no secrets). */
export function recordFailure(
  request: FastifyRequest,
  context: BridgeContext,
  transaction: LoginTransaction,
  error: BridgeError,
): void {
  const outcome = error.code === 'access_denied' ? 'denied' : 'failed';
  context.metrics.logins.labels(outcome, error.reason, transaction.leg).inc();
  const log = {
    reason: error.reason,
    error: error.code,
    ...error.details,
    ...(error.hint ? { hint: error.hint } : {}),
  };
  if (error.status >= 500 && !error.expose) request.log.error(log, `login failed: ${error.description}`);
  else request.log.info(log, `login refused: ${error.description}`);
}

/** The page language for a login: `?lang=`, then the RP's ui_locales, then Accept-Language. */
export function pageLang(request: FastifyRequest, transaction: Pick<LoginTransaction, 'request'>): 'zh' | 'en' {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const override = typeof query.lang === 'string' ? query.lang : undefined;
  return pickLang(override, transaction.request.uiLocales, request.headers['accept-language']);
}

/** Whether a failed login is explained on a page (else the browser goes straight back to the RP). */
export function explainsOnPage(error: BridgeError): boolean {
  if (error.reason === 'wecom_cancelled') return false;
  if (error.code === 'access_denied' || error.code === 'login_required') return true;
  return error.code === 'server_error' && error.hint !== undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
