/**
 * `GET|POST /authorize`: validate, then either answer from the SSO session or start a WeCom leg.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { epochSeconds, type BridgeContext } from '../context.js';
import { randomAlnum, sha256 } from '../crypto/secrets.js';
import { BridgeError, loginRequired } from '../errors/bridge-error.js';
import { bindBrowser } from '../http/cookies.js';
import { isStoreUnavailable } from '../store/store.js';
import { chooseLeg, weComLoginUrl } from '../wecom/login-url.js';
import { parseAuthRequest, validateRedirectTarget } from './authorize-request.js';
import { issueCodeRedirect } from '../oidc/codes.js';
import { readParam, requestParams } from '../oidc/params.js';
import { setLoginCookie } from './login-cookie.js';
import type { AuthRequest } from '../oidc/records.js';
import type { LoginTransaction } from './records.js';
import { errorRedirectUrl, redirectBrowser } from '../oidc/redirect.js';
import { currentSession, sessionSatisfies } from '../oidc/session.js';

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
async function answer(request: FastifyRequest, reply: FastifyReply, context: BridgeContext, authRequest: AuthRequest): Promise<string> {
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

/**
 * Starts the login under a fresh WeCom `state` bound to this browser and returns the WeCom URL.
 * The RP's state, nonce and redirect URI stay here; WeCom only ever sees our random handle.
 */
export async function startWeComLeg(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  authRequest: AuthRequest,
  attempt: number,
): Promise<string> {
  const { config } = context;
  const leg = chooseLeg(config.wecom.loginMode, request.headers['user-agent']);
  const weComState = beginLogin(request, reply, context, { request: authRequest, leg, attempt });
  return weComLoginUrl(config.wecom, config.publicUrl, leg, weComState, webLoginLang(authRequest.uiLocales));
}

/**
 * Starts a login transaction under a fresh WeCom `state`: sealed into a cookie of this browser
 * (login-cookie.ts), bound to it by the binding cookie (set here), for LOGIN_TTL; returns the
 * state. Nothing is stored: an abandoned login costs the bridge nothing. Every WeCom leg starts
 * here, the phone's leg of a QR hand-off included.
 */
export function beginLogin(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  fields: Omit<LoginTransaction, 'bindingHash' | 'createdAt'>,
): string {
  const weComState = randomAlnum();
  const binding = bindBrowser(request, reply, context.cookies, context.config.ttl.login);
  const transaction: LoginTransaction = { ...fields, bindingHash: sha256(binding), createdAt: context.now() };
  setLoginCookie(request, reply, context, sha256(weComState), transaction);
  return weComState;
}

function webLoginLang(uiLocales: string | undefined): 'zh' | 'en' | undefined {
  const first = uiLocales?.split(' ')[0]?.toLowerCase();
  if (first?.startsWith('zh')) return 'zh';
  if (first?.startsWith('en')) return 'en';
  return undefined;
}
