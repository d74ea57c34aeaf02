/**
 * The two routes of a sign-in: `GET /api/wecomBridge:signIn?authenticator=<name>[&redirect=<path>]`
 * sends the browser to the provider (state, nonce, PKCE S256, browser binding);
 * `GET /api/wecomBridge:redirect` takes the provider's answer, verifies it, finds or creates the
 * user and hands the signed-in session to NocoBase's client. Every failure is a page.
 */
import type { WeComBridgeAuth } from './auth.js';
import { BINDING_COOKIE, clearSignedOutCookie, readCookie, setBindingCookie } from './cookies.js';
import { isSignInError, SignInError } from './errors.js';
import { redeemCode } from './exchange.js';
import { pageLanguage } from './messages.js';
import type { NocoContext } from './nocobase-types.js';
import { optionProblems, safeRedirectPath } from './options.js';
import { failurePage } from './pages.js';
import { AUTH_TYPE, runtimeOf } from './runtime.js';
import { redirectUri, signInPath, sitePath } from './site.js';
import { randomToken, saveTransaction, sha256, takeTransaction } from './transactions.js';
import { resolveUser } from './users.js';

type Next = () => Promise<void>;

/** `wecomBridge:signIn`: 302 to the provider's authorization endpoint. */
export async function signInAction(ctx: NocoContext, next: Next): Promise<void> {
  await showingFailures(ctx, async () => {
    const auth = await loadAuthenticator(ctx, ctx.query.authenticator);
    const settings = auth.settings;
    const { providers, cache } = runtimeOf(ctx.app);
    const provider = await providers.get(settings.issuer);
    const binding = readCookie(ctx, BINDING_COOKIE) ?? randomToken();
    setBindingCookie(ctx, binding);
    const [state, nonce, codeVerifier] = [randomToken(), randomToken(), randomToken()];
    const returnTo = safeRedirectPath(queryText(ctx.query.redirect), settings.redirectPath);
    await saveTransaction(cache, state, { authenticator: String(auth.row.get('name')), issuer: settings.issuer, nonce, codeVerifier, returnTo, browser: sha256(binding) });
    const url = new URL(provider.metadata.authorization_endpoint);
    const params = { response_type: 'code', client_id: settings.clientId, redirect_uri: redirectUri(ctx), scope: settings.scope, state, nonce, code_challenge: sha256(codeVerifier), code_challenge_method: 'S256' };
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    ctx.redirect(url.href);
  });
  await next();
}

/** `wecomBridge:redirect`: the provider's answer; 302 to the page to land on, signed in. */
export async function redirectAction(ctx: NocoContext, next: Next): Promise<void> {
  await showingFailures(ctx, async () => {
    const { providers, cache } = runtimeOf(ctx.app);
    const transaction = await takeTransaction(cache, ctx.query.state, readCookie(ctx, BINDING_COOKIE));
    rejectErrorAnswer(ctx.query);
    const iss = queryText(ctx.query.iss);
    if (iss !== undefined && iss !== transaction.issuer) throw new SignInError('issuer_mismatch', `the answer's iss ${JSON.stringify(iss)} is not ${transaction.issuer} (RFC 9207)`);
    const code = queryText(ctx.query.code);
    if (!code) throw new SignInError('provider_error', 'the answer carries neither code nor error');
    const auth = await loadAuthenticator(ctx, transaction.authenticator);
    const settings = auth.settings;
    if (settings.issuer !== transaction.issuer) throw new SignInError('state_invalid', 'the authenticator\'s issuer changed while this sign-in was in progress');
    const provider = await providers.get(settings.issuer);
    const verified = await redeemCode(provider, settings, { code, codeVerifier: transaction.codeVerifier, redirectUri: redirectUri(ctx), nonce: transaction.nonce });
    const user = await resolveUser({ db: ctx.db, authenticator: auth.row, validUsername: (name) => auth.validateUsername(name) }, verified.claims, settings);
    const token = await auth.signInAs(user, verified.idToken);
    clearSignedOutCookie(ctx);
    ctx.logger.info('wecom-bridge: signed in', { authenticator: transaction.authenticator, userId: user.get('id'), sub: verified.claims.sub });
    ctx.redirect(handOff(transaction.returnTo, transaction.authenticator, token));
  });
  await next();
}

/** The authenticator `name` of this type, enabled and configured. */
async function loadAuthenticator(ctx: NocoContext, name: unknown): Promise<WeComBridgeAuth> {
  const text = queryText(name);
  if (!text) throw new SignInError('authenticator_unknown', 'no authenticator named in the request');
  let auth: WeComBridgeAuth;
  try {
    auth = (await ctx.app.authManager.get(text, ctx)) as WeComBridgeAuth;
  } catch {
    throw new SignInError('authenticator_unknown', `no enabled authenticator named ${JSON.stringify(text.slice(0, 100))}`);
  }
  if (auth.row?.get?.('authType') !== AUTH_TYPE) throw new SignInError('authenticator_unknown', `authenticator ${JSON.stringify(text)} is not of type ${AUTH_TYPE}`);
  const problems = optionProblems((auth as unknown as { options: Record<string, unknown> }).options);
  if (problems.length) throw new SignInError('misconfigured', problems.join(' '));
  return auth;
}

/** `error=…` from the provider: the person refused, or the provider could not sign them in. */
function rejectErrorAnswer(query: Record<string, unknown>): void {
  const error = queryText(query.error);
  if (!error) return;
  const description = queryText(query.error_description)?.slice(0, 300);
  if (error === 'access_denied') throw new SignInError('access_denied', `the provider answered access_denied${description ? `: ${description}` : ''}`, description);
  throw new SignInError('provider_error', `the provider answered ${error.slice(0, 100)}`, description ?? error.slice(0, 100));
}

/** The landing page with NocoBase's hand-off: its client stores the token and drops the parameters. */
function handOff(returnTo: string, authenticator: string, token: string): string {
  const url = new URL(sitePath(returnTo), 'http://nocobase.invalid');
  url.searchParams.set('authenticator', authenticator);
  url.searchParams.set('token', token);
  return `${url.pathname}${url.search}${url.hash}`;
}

/** Runs `work`; a failure becomes its page (logged with its detail), never a stack trace. */
async function showingFailures(ctx: NocoContext, work: () => Promise<void>): Promise<void> {
  ctx.withoutDataWrapping = true;
  try {
    await work();
  } catch (caught) {
    const error = isSignInError(caught) ? caught : new SignInError('internal', `unexpected: ${(caught as Error)?.message ?? String(caught)}`);
    const log = error.status >= 500 || !isSignInError(caught) ? 'error' : 'warn';
    ctx.logger[log]('wecom-bridge: sign-in failed', { failure: error.failure, detail: error.detail });
    ctx.status = error.status;
    ctx.set('cache-control', 'no-store');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = failurePage(error, { lang: pageLanguage(ctx.get('accept-language')), signInPath: signInPath(), reference: ctx.reqId });
  }
}

function queryText(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}
