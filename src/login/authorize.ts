/**
 * `GET|POST /authorize`: validate, then either answer from the SSO session or start a WeCom leg.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type BridgeContext, epochSeconds } from '../context.js';
import { BridgeError, loginRequired } from '../errors/bridge-error.js';
import { issueCodeRedirect } from '../oidc/codes.js';
import { readParam, requestParams } from '../oidc/params.js';
import type { AuthRequest } from '../oidc/records.js';
import { errorRedirectUrl, redirectBrowser } from '../oidc/redirect.js';
import { currentSession, sessionSatisfies } from '../oidc/session.js';
import { isStoreUnavailable } from '../store/store.js';
import { parseAuthRequest, validateRedirectTarget } from './authorize-request.js';
import { startWeComLeg } from './wecom-leg.js';

/** Registers GET and POST /authorize. */
export function registerAuthorize(app: FastifyInstance, context: BridgeContext): void {
  const handler = (request: FastifyRequest, reply: FastifyReply) => authorize(request, reply, context);
  app.get('/authorize', { config: { errorMode: 'page', limit: 'authorize' } }, handler);
  app.post('/authorize', { config: { errorMode: 'page', limit: 'authorize' } }, handler);
}

async function authorize(request: FastifyRequest, reply: FastifyReply, context: BridgeContext): Promise<FastifyReply> {
  const raw = requestParams(request.query, request.body, request.method);
  // Until client_id and redirect_uri are verified, errors are pages (thrown to the error handler).
  const target = validateRedirectTarget(raw, context);
  let state: string | undefined;
  try {
    state = readParam(raw, 'state');
    const authRequest = await parseAuthRequest(raw, target, state, context);
    const location = await answer(request, reply, context, authRequest);
    return redirectBrowser(reply, request.method, location);
  } catch (error) {
    // Store down: a page, not a redirect. An RP that signs in automatically (NocoBase's
    // auto-redirect to SSO) would send the browser straight back, in a loop.
    if (!(error instanceof BridgeError) || isStoreUnavailable(error)) throw error;
    request.log.info({ reason: error.reason, error: error.code }, 'authorization request refused');
    return redirectBrowser(reply, request.method, errorRedirectUrl(target.redirectUri, error, state));
  }
}

/** Where to send the browser: back with a code (session), or on to WeCom. */
async function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  authRequest: AuthRequest,
): Promise<string> {
  const session = await currentSession(request, context);
  if (session && sessionSatisfies(session, authRequest, epochSeconds(context), context.config)) {
    context.metrics.logins.labels('success', 'session', 'session').inc();
    return issueCodeRedirect(context, authRequest, session);
  }
  if (authRequest.prompt.includes('none')) {
    throw loginRequired('The user is not signed in at the provider (prompt=none)');
  }
  return startWeComLeg(request, reply, context, authRequest, 1);
}
