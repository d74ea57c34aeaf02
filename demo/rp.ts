/**
 * The demo's sample relying party: a tiny web app that signs people in through the bridge with
 * the real `openid-client` (discovery, PKCE, nonce, state; ID token verified against the JWKS)
 * and shows the resulting ID token claims and userinfo response.
 */
import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import * as oidc from 'openid-client';
import { sendPage } from '../src/http/security-headers.js';
import { escapeHtml, renderDocument } from '../src/pages/html.js';

/** Settings of the sample RP. */
export interface DemoRpOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Where this RP listens, e.g. http://127.0.0.1:9400 (its redirect URI is `<url>/callback`). */
  readonly url: string;
}

interface PendingLogin {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
}

/** Builds the sample RP (not listening). */
export async function buildDemoRp(options: DemoRpOptions): Promise<FastifyInstance> {
  const config = await oidc.discovery(new URL(options.issuer), options.clientId, options.clientSecret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  const pending = new Map<string, PendingLogin>();
  const app = Fastify({ logger: false });
  await app.register(cookie);
  const redirectUri = `${options.url}/callback`;

  app.get('/', async (_request, reply) => sendPage(reply, 200, homePage(options.issuer)));

  app.get('/login', async (request, reply) => {
    const login: PendingLogin = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
    };
    const id = randomBytes(16).toString('hex');
    pending.set(id, login);
    reply.setCookie('demo_rp_login', id, { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 600 });
    const prompt = (request.query as { prompt?: string }).prompt;
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile email phone',
      state: login.state,
      nonce: login.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(login.verifier),
      code_challenge_method: 'S256',
      ...(prompt === 'login' ? { prompt: 'login' } : {}),
    });
    return reply.redirect(url.href);
  });

  app.get('/callback', async (request, reply) => {
    const id = request.cookies.demo_rp_login;
    const login = id === undefined ? undefined : pending.get(id);
    if (!login || id === undefined)
      return sendPage(reply, 400, messagePage('No login in progress', 'Start again from the home page.'));
    pending.delete(id);
    try {
      const current = new URL(request.url, options.url);
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: login.verifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      const logout = oidc.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: `${options.url}/`,
      });
      return sendPage(reply, 200, claimsPage(claims, userinfo, logout.href));
    } catch (error) {
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return sendPage(reply, 400, messagePage('Sign-in failed', text));
    }
  });
  return app;
}

function homePage(issuer: string): string {
  const body = `<h1>Sample relying party</h1>
<p>This app signs you in with WeCom through <code>wecom-oidc-bridge</code> at <code>${escapeHtml(issuer)}</code>, using the real <code>openid-client</code> library (PKCE, nonce, state).</p>
<p>In a desktop browser you get WeCom's web login (QR code); the built-in simulator shows a list of members to pick from. To try the in-client path, give your browser a User-Agent containing <code>wxwork</code> (DevTools → Network conditions).</p>
<div class="actions"><a class="button" href="/login">Sign in with WeCom</a><a class="button secondary" href="/login?prompt=login">Sign in again (prompt=login)</a></div>`;
  return renderDocument({ lang: 'en', title: 'Sample relying party', body });
}

function claimsPage(claims: object, userinfo: object, logoutUrl: string): string {
  const body = `<h1>Signed in</h1>
<p>The ID token was verified by <code>openid-client</code> (signature against the bridge's JWKS, issuer, audience, nonce, expiry).</p>
<h2>ID token claims</h2>
<pre id="id-token-claims">${escapeHtml(JSON.stringify(claims, null, 2))}</pre>
<h2>Userinfo</h2>
<pre id="userinfo">${escapeHtml(JSON.stringify(userinfo, null, 2))}</pre>
<div class="actions"><a class="button" href="/">Home</a><a class="button secondary" href="${escapeHtml(logoutUrl)}">Sign out (RP-initiated logout)</a></div>`;
  return renderDocument({ lang: 'en', title: 'Signed in', body });
}

function messagePage(title: string, message: string): string {
  return renderDocument({
    lang: 'en',
    title,
    body: `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><div class="actions"><a class="button" href="/">Home</a></div>`,
  });
}
