/**
 * The routes of a sign-in: `GET /api/wecomBridge:signIn?authenticator=<name>[&redirect=<path>]`
 * sends the browser to the provider (state, nonce, PKCE S256, the transaction sealed in the
 * browser's cookie); `GET /api/wecomBridge:redirect` takes the provider's answer and signs the
 * person in through the authenticator's `validate()`; `POST /api/wecomBridge:handOff` gives the
 * landing page its NocoBase token. Every failure of the first two is a page.
 */

import { AUTH_TYPE, LANE_PARAM } from '../constants.js';
import type { WeComBridgeAuth } from './auth.js';
import { clearSignedOutCookie, HANDOFF_COOKIE, LOGIN_COOKIE, readPrivateCookie, setPrivateCookie } from './cookies.js';
import { isSignInError, SignInError } from './errors.js';
import { claimHandOff, HANDOFF_PARAM, HANDOFF_TTL_MS, offerHandOff } from './handoff.js';
import { pageLanguage } from './messages.js';
import type { NocoContext } from './nocobase-types.js';
import { optionProblems } from './options.js';
import { failurePage } from './pages.js';
import { isLocalLocation, safeRedirectPath } from './redirect-path.js';
import { runtimeOf } from './runtime.js';
import { modernSignInPath } from './sign-out.js';
import { isModernLane, publicPath, redirectUri, signInPath, sitePath } from './site.js';
import { addTransaction, randomToken, sha256, TRANSACTION_TTL_MS, takeTransaction } from './transactions.js';

type Next = () => Promise<void>;

/** `wecomBridge:signIn`: 302 to the provider's authorization endpoint. */
export async function signInAction(ctx: NocoContext, next: Next): Promise<void> {
  await showingFailures(
    ctx,
    laneOf(queryText(ctx.query.redirect) ?? (queryText(ctx.query[LANE_PARAM]) === 'modern' ? '/v/' : undefined)),
    async () => {
      const auth = await loadAuthenticator(ctx, ctx.query.authenticator);
      const settings = auth.settings;
      const provider = await runtimeOf(ctx.app).providers.get(settings.issuer);
      const [state, nonce, codeVerifier] = [randomToken(), randomToken(), randomToken()];
      const returnTo = safeRedirectPath(
        queryText(ctx.query.redirect),
        defaultPage(settings.redirectPath, queryText(ctx.query[LANE_PARAM])),
      );
      const transaction = {
        authenticator: String(auth.row.get('name')),
        issuer: settings.issuer,
        nonce,
        codeVerifier,
        returnTo,
      };
      const cookie = addTransaction(
        runtimeOf(ctx.app).cookieKey(),
        LOGIN_COOKIE,
        readPrivateCookie(ctx, LOGIN_COOKIE),
        state,
        transaction,
      );
      setPrivateCookie(ctx, LOGIN_COOKIE, cookie, TRANSACTION_TTL_MS / 1000);
      const url = new URL(provider.metadata.authorization_endpoint);
      const params = {
        response_type: 'code',
        client_id: settings.clientId,
        redirect_uri: redirectUri(ctx),
        scope: settings.scope,
        state,
        nonce,
        code_challenge: sha256(codeVerifier),
        code_challenge_method: 'S256',
      };
      for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
      ctx.redirect(url.href);
    },
  );
  await next();
}

/** `wecomBridge:redirect`: the provider's answer; 302 to the page to land on, signed in. */
export async function redirectAction(ctx: NocoContext, next: Next): Promise<void> {
  const lane = { signInPath: signInPath() };
  await showingFailures(ctx, lane, async () => {
    const taken = takeTransaction(
      runtimeOf(ctx.app).cookieKey(),
      LOGIN_COOKIE,
      readPrivateCookie(ctx, LOGIN_COOKIE),
      ctx.query.state,
    );
    setPrivateCookie(ctx, LOGIN_COOKIE, taken.cookie, TRANSACTION_TTL_MS / 1000);
    const { transaction } = taken;
    Object.assign(lane, laneOf(transaction.returnTo));
    rejectErrorAnswer(ctx.query);
    const iss = queryText(ctx.query.iss);
    if (iss !== undefined && iss !== transaction.issuer)
      throw new SignInError(
        'issuer_mismatch',
        `the answer's iss ${JSON.stringify(iss)} is not ${transaction.issuer} (RFC 9207)`,
      );
    const code = queryText(ctx.query.code);
    if (!code) throw new SignInError('provider_error', 'the answer carries neither code nor error');
    const auth = await loadAuthenticator(ctx, transaction.authenticator);
    if (auth.settings.issuer !== transaction.issuer)
      throw new SignInError('state_invalid', "the authenticator's issuer changed while this sign-in was in progress");
    const { user, token } = await auth.signInWithAnswer({ code, transaction, redirectUri: redirectUri(ctx) });
    clearSignedOutCookie(ctx);
    ctx.logger.info('wecom-bridge: signed in', { authenticator: transaction.authenticator, userId: user.get('id') });
    ctx.redirect(await landing(ctx, transaction.returnTo, transaction.authenticator, token));
  });
  await next();
}

/**
 * `wecomBridge:handOff` (POST `{"value"}` with the browser's cookies): the token of a sign-in that
 * just landed, once, as NocoBase's `auth:signIn` answers it; 400 for anything else.
 */
export async function handOffAction(ctx: NocoContext, next: Next): Promise<void> {
  ctx.set('cache-control', 'no-store');
  if (ctx.method !== 'POST') ctx.throw(405, 'Use POST with {"value": "<wecomBridgeHandOff>"}.');
  const value = (ctx.request?.body as { value?: unknown } | undefined)?.value;
  const signedIn = await claimHandOff(runtimeOf(ctx.app).cache, value, readPrivateCookie(ctx, HANDOFF_COOKIE));
  setPrivateCookie(ctx, HANDOFF_COOKIE, '', 0);
  if (!signedIn)
    ctx.throw(
      400,
      'This sign-in hand-off is unknown, expired (a minute), already used or belongs to another browser: sign in again.',
    );
  ctx.body = signedIn;
  await next();
}

/**
 * Where the signed-in browser goes: the page under NocoBase's public path with the single-use
 * hand-off value, which the plugin's client (classic or modern) trades for the token. Checked once
 * more before it is sent.
 */
async function landing(ctx: NocoContext, returnTo: string, authenticator: string, token: string): Promise<string> {
  const url = new URL(sitePath(returnTo), 'http://nocobase.invalid');
  const { value, browser } = await offerHandOff(runtimeOf(ctx.app).cache, { token, authenticator });
  setPrivateCookie(ctx, HANDOFF_COOKIE, browser, HANDOFF_TTL_MS / 1000);
  url.searchParams.set(HANDOFF_PARAM, value);
  const location = `${url.pathname}${url.search}${url.hash}`;
  if (!isLocalLocation(location, publicPath()))
    throw new SignInError(
      'internal',
      `refused to send the browser to ${JSON.stringify(url.pathname)}: not a page of this NocoBase`,
    );
  return location;
}

/**
 * The configured page after sign-in, in the lane the sign-in started from: the modern client's
 * sign-in page asks for its lane, and `/admin` is `/v/admin` there (a page already under `/v/`
 * stays as it is).
 */
function defaultPage(redirectPath: string, lane: string | undefined): string {
  if (lane !== 'modern' || redirectPath === '/v' || redirectPath.startsWith('/v/')) return redirectPath;
  return `/v${redirectPath}`;
}

/** The sign-in page a failure leads back to: the modern one when the sign-in returns to `/v/`. */
function laneOf(page: string | undefined): { signInPath: string } {
  return {
    signInPath:
      page !== undefined && isModernLane(sitePath(safeRedirectPath(page, '/'))) ? modernSignInPath() : signInPath(),
  };
}

/** The authenticator `name` of this type, enabled and configured. */
async function loadAuthenticator(ctx: NocoContext, name: unknown): Promise<WeComBridgeAuth> {
  const text = queryText(name);
  if (!text) throw new SignInError('authenticator_unknown', 'no authenticator named in the request');
  let auth: WeComBridgeAuth;
  try {
    auth = (await ctx.app.authManager.get(text, ctx)) as WeComBridgeAuth;
  } catch {
    throw new SignInError(
      'authenticator_unknown',
      `no enabled authenticator named ${JSON.stringify(text.slice(0, 100))}`,
    );
  }
  if (auth.row?.get?.('authType') !== AUTH_TYPE)
    throw new SignInError('authenticator_unknown', `authenticator ${JSON.stringify(text)} is not of type ${AUTH_TYPE}`);
  const problems = optionProblems((auth as unknown as { options: Record<string, unknown> }).options);
  if (problems.length) throw new SignInError('misconfigured', problems.join(' '));
  return auth;
}

/** `error=…` from the provider: the person refused, or the provider could not sign them in. */
function rejectErrorAnswer(query: Record<string, unknown>): void {
  const error = queryText(query.error);
  if (!error) return;
  const description = queryText(query.error_description)?.slice(0, 300);
  if (error === 'access_denied')
    throw new SignInError(
      'access_denied',
      `the provider answered access_denied${description ? `: ${description}` : ''}`,
      description,
    );
  throw new SignInError(
    'provider_error',
    `the provider answered ${error.slice(0, 100)}`,
    description ?? error.slice(0, 100),
  );
}

/** Runs `work`; a failure becomes its page (logged with its detail), never a stack trace. */
async function showingFailures(
  ctx: NocoContext,
  lane: { signInPath: string },
  work: () => Promise<void>,
): Promise<void> {
  ctx.withoutDataWrapping = true;
  try {
    await work();
  } catch (caught) {
    const error = isSignInError(caught)
      ? caught
      : new SignInError('internal', `unexpected: ${(caught as Error)?.message ?? String(caught)}`);
    const log = error.status >= 500 || !isSignInError(caught) ? 'error' : 'warn';
    ctx.logger[log]('wecom-bridge: sign-in failed', { failure: error.failure, detail: error.detail });
    ctx.status = error.status;
    ctx.set('cache-control', 'no-store');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = failurePage(error, {
      lang: pageLanguage(ctx.get('accept-language')),
      signInPath: lane.signInPath,
      reference: ctx.reqId,
    });
  }
}

function queryText(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}
