/**
 * The one place where errors become responses.
 *
 * Routes declare how they answer (`config.errorMode`): `json` (token endpoint; RFC 6749 §5.2),
 * `bearer` (userinfo; RFC 6750 §3 challenge), or `page` (browser endpoints, once a redirect to
 * the relying party is not possible or not safe). Anything that is not a {@link BridgeError} is a
 * bug or a framework error (body too large, bad content type): it is mapped to a 4xx when the
 * framework says it is the client's fault, else to a generic `server_error`, and never shows a
 * stack trace.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BridgeError, invalidRequest, serverError } from '../errors/bridge-error.js';
import { renderErrorPage } from '../pages/error-page.js';
import { pickLang } from '../pages/i18n.js';
import { sendPage } from './security-headers.js';

/** How a route answers errors. */
export type ErrorMode = 'json' | 'bearer' | 'page';

declare module 'fastify' {
  interface FastifyContextConfig {
    errorMode?: ErrorMode;
  }
}

/**
 * Routes whose URL must not be fetched again (they consume something): their pages offer no
 * language switch, which would fetch them again.
 */
const SINGLE_USE_ROUTES = new Set(['/wecom/callback', '/handoff/scan', '/handoff/continue']);

/** Installs the error and not-found handlers on `app`; `publicUrl` builds the pages' own links. */
export function installErrorHandling(app: FastifyInstance, publicUrl?: string): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const bridgeError = toBridgeError(error);
    logError(request, bridgeError, error);
    return sendError(request, reply, bridgeError, publicUrl);
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new BridgeError({
      code: 'invalid_request',
      status: 404,
      reason: 'not_found',
      description: 'There is no such endpoint',
    });
    return sendError(request, reply, error, publicUrl);
  });
}

/**
 * fastify's `frameworkErrors`: a URL the router cannot decode (`/%zz`, `https:///authorize`) is
 * refused before any hook runs, so the base security headers are set here, and the answer is the
 * bridge's own error (a page or JSON), not fastify's.
 */
export function frameworkErrorHandler(
  publicUrl: string,
  baseHeaders: Readonly<Record<string, string>>,
): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    const bridgeError = invalidRequest('The request URL is malformed', 'malformed_url');
    logError(request, bridgeError, error);
    reply.headers(baseHeaders);
    sendError(request, reply, bridgeError, publicUrl);
  };
}

/** Answers `error` in the route's error mode. */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: BridgeError,
  publicUrl?: string,
): FastifyReply {
  const mode = request.routeOptions.config?.errorMode ?? (wantsHtml(request) ? 'page' : 'json');
  if (mode === 'page') {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const lang = pickLang(text(query.lang), text(query.ui_locales), request.headers['accept-language']);
    const selfUrl = refetchableUrl(request, publicUrl);
    return sendPage(
      reply,
      error.status,
      renderErrorPage(error, { lang, requestId: request.id, ...(selfUrl ? { selfUrl } : {}) }),
    );
  }
  const bearer = mode === 'bearer' && (error.status === 401 || error.code === 'invalid_request');
  const challenge = error.challenge ?? (bearer ? bearerChallenge(error) : undefined);
  if (challenge) reply.header('www-authenticate', challenge);
  return reply
    .code(error.status)
    .header('cache-control', 'no-store')
    .send({ error: error.code, error_description: error.publicDescription });
}

/**
 * This page's own URL when fetching it again is harmless (a GET of a route that consumes nothing),
 * for the language switch. Only an origin-form target (`/path?query`) is joined to PUBLIC_URL:
 * an absolute-form (`GET http://evil.example/authorize`) or asterisk-form target would make
 * another host's URL or none at all, so such a page simply has no language link.
 */
function refetchableUrl(request: FastifyRequest, publicUrl: string | undefined): string | undefined {
  if (publicUrl === undefined || request.method !== 'GET' || SINGLE_USE_ROUTES.has(request.routeOptions.url ?? ''))
    return undefined;
  if (!request.url.startsWith('/') || request.url.startsWith('//')) return undefined;
  const url = `${publicUrl}${request.url}`;
  return URL.canParse(url) ? url : undefined;
}

function toBridgeError(error: FastifyError): BridgeError {
  if (error instanceof BridgeError) return error;
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return invalidRequest(clientFaultDescription(error, status), 'malformed_request', { status });
  }
  return serverError('Unexpected internal error', 'internal_error', { cause: error });
}

function clientFaultDescription(error: FastifyError, status: number): string {
  if (status === 413) return 'The request body is too large';
  if (status === 415) return 'Unsupported content type; send application/x-www-form-urlencoded';
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return 'The request body is malformed';
  return 'The request is malformed';
}

function logError(request: FastifyRequest, error: BridgeError, original: unknown): void {
  const fields = {
    reason: error.reason,
    error: error.code,
    status: error.status,
    ...error.details,
    ...(error.hint ? { hint: error.hint } : {}),
  };
  if (error.status >= 500) {
    const cause = error.reason === 'internal_error' ? original : error.cause;
    request.log.error({ ...fields, err: cause instanceof Error ? cause : undefined }, error.description);
  } else {
    request.log.info(fields, error.description);
  }
}

function bearerChallenge(error: BridgeError): string {
  return `Bearer realm="wecom-oidc-bridge", error="${error.code}", error_description="${error.publicDescription}"`;
}

function wantsHtml(request: FastifyRequest): boolean {
  return /text\/html/.test(request.headers.accept ?? '');
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
