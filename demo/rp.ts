/**
 * The demo's sample relying party: a tiny web app that signs people in through the bridge with
 * the real `openid-client` (discovery, PKCE, nonce, state; ID token verified against the JWKS)
 * and shows the resulting ID token claims and userinfo response.
 *
 * It keeps a session per browser (a cookie naming it) and receives back-channel logout tokens at
 * `/backchannel-logout` (verified with `jose` against the bridge's JWKS: issuer, audience, `typ`,
 * age, the event, no nonce, a fresh `jti`): the session they name ends, and the home page then
 * shows it signed out. With the simulator's URL, the signed-in page offers "Member leaves the
 * company (simulate)": the simulator's control API deletes the member and sends WeCom's
 * `delete_user` event to the bridge, which ends the member and POSTs the logout token here.
 */
import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { sendPage } from '../src/http/security-headers.js';
import { escapeHtml, renderDocument } from '../src/pages/html.js';

/** The back-channel logout event (Back-Channel Logout 1.0 §2.4). */
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** How long "Member leaves" waits for the logout token before showing the home page anyway. */
const LOGOUT_WAIT_MS = 5000;

/** Settings of the sample RP. */
export interface DemoRpOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * Where this RP listens, e.g. http://127.0.0.1:9400 (its redirect URI is `<url>/callback`, its
   * back-channel logout URI `<url>/backchannel-logout`).
   */
  readonly url: string;
  /** The WeCom simulator (its control API): enables "Member leaves the company (simulate)". */
  readonly simulatorUrl?: string;
}

/** A signed-in browser's session at this RP. */
interface RpSession {
  readonly sub: string;
  readonly sid: string | undefined;
  /** The bridge's end-session URL for this session (RP-initiated logout). */
  readonly logoutUrl: string;
  /** Set when a logout token ended it. */
  ended?: { readonly at: Date; readonly jti: string };
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
  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
  const pending = new Map<string, PendingLogin>();
  const sessions = new Map<string, RpSession>();
  /** jti of the logout tokens accepted, against replays (a demo keeps them all). */
  const seenJti = new Set<string>();
  const app = Fastify({ logger: false });
  await app.register(cookie);
  await app.register(formbody);
  const redirectUri = `${options.url}/callback`;
  const sessionOf = (id: string | undefined) => (id === undefined ? undefined : sessions.get(id));

  app.get('/', async (request, reply) =>
    sendPage(reply, 200, homePage(options.issuer, sessionOf(request.cookies.demo_rp_session))),
  );

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
      const sessionId = randomBytes(16).toString('hex');
      const sid = typeof claims.sid === 'string' ? claims.sid : undefined;
      sessions.set(sessionId, { sub: claims.sub, sid, logoutUrl: logout.href });
      reply.setCookie('demo_rp_session', sessionId, { path: '/', httpOnly: true, sameSite: 'lax' });
      return sendPage(reply, 200, claimsPage(claims, userinfo, options.simulatorUrl !== undefined));
    } catch (error) {
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return sendPage(reply, 400, messagePage('Sign-in failed', text));
    }
  });

  // RP-initiated logout: this app's session ends here, the bridge's at its end-session endpoint.
  app.get('/logout', async (request, reply) => {
    const id = request.cookies.demo_rp_session;
    const session = sessionOf(id);
    if (id !== undefined) sessions.delete(id);
    reply.clearCookie('demo_rp_session', { path: '/' });
    return reply.redirect(session && !session.ended ? session.logoutUrl : '/');
  });

  // Back-Channel Logout 1.0 §2.5-2.8: verify the logout token, end the sessions it names, 200.
  app.post('/backchannel-logout', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const token = (request.body as Record<string, unknown> | undefined)?.logout_token;
    let payload: JWTPayload;
    try {
      if (typeof token !== 'string') throw new Error('no logout_token');
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.clientId,
        typ: 'logout+jwt',
        maxTokenAge: '2 min',
        requiredClaims: ['iat', 'jti', 'events'],
      }));
      const events = payload.events as Record<string, unknown> | undefined;
      if (typeof events?.[BACKCHANNEL_EVENT] !== 'object') throw new Error('not a back-channel logout event');
      if (payload.nonce !== undefined) throw new Error('a logout token carries no nonce');
      if (payload.sub === undefined && typeof payload.sid !== 'string') throw new Error('neither sub nor sid');
      if (seenJti.has(payload.jti!)) throw new Error('logout token replayed');
      seenJti.add(payload.jti!);
    } catch (error) {
      return reply.code(400).send({ error: 'invalid_request', error_description: (error as Error).message });
    }
    for (const session of sessions.values()) {
      const named = typeof payload.sid === 'string' ? session.sid === payload.sid : session.sub === payload.sub;
      if (named && !session.ended) session.ended = { at: new Date(), jti: payload.jti! };
    }
    return reply.code(200).send();
  });

  // The demo's "member leaves": the simulator deletes the member and sends delete_user to the bridge.
  app.post('/member-leaves', async (request, reply) => {
    const session = sessionOf(request.cookies.demo_rp_session);
    if (!options.simulatorUrl || !session || session.ended) return reply.redirect('/', 303);
    const answer = await fetch(`${options.simulatorUrl}/_sim/members/${encodeURIComponent(session.sub)}`, {
      method: 'DELETE',
    });
    const result = (await answer.json()) as { event?: { status: number } };
    if (!answer.ok || result.event?.status !== 200) {
      const what = answer.ok ? `the bridge answered the event with ${result.event?.status}` : `HTTP ${answer.status}`;
      return sendPage(reply, 502, messagePage('The simulator could not send the event', what));
    }
    // The bridge answered WeCom at once and queued the work; the logout token follows within moments.
    const until = Date.now() + LOGOUT_WAIT_MS;
    while (!session.ended && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    return reply.redirect('/', 303);
  });
  return app;
}

function homePage(issuer: string, session: RpSession | undefined): string {
  const status = !session
    ? ''
    : session.ended
      ? `<p id="session-status" class="signed-out"><strong>Signed out.</strong> The bridge sent a back-channel logout token for this session (<code>${escapeHtml(session.sub)}</code>, at ${escapeHtml(session.ended.at.toISOString())}): the member left the company, so this app ended its session. Signing in again fails while the member is gone from WeCom.</p>`
      : `<p id="session-status"><strong>Signed in</strong> as <code>${escapeHtml(session.sub)}</code>.</p>`;
  const body = `<h1>Sample relying party</h1>
${status}
<p>This app signs you in with WeCom through <code>wecom-oidc-bridge</code> at <code>${escapeHtml(issuer)}</code>, using the real <code>openid-client</code> library (PKCE, nonce, state).</p>
<p>In a desktop browser you get WeCom's web login (QR code); the built-in simulator shows a list of members to pick from. To try the in-client path, give your browser a User-Agent containing <code>wxwork</code> (DevTools → Network conditions).</p>
<div class="actions"><a class="button" href="/login">Sign in with WeCom</a><a class="button secondary" href="/login?prompt=login">Sign in again (prompt=login)</a></div>`;
  return renderDocument({ lang: 'en', title: 'Sample relying party', body });
}

function claimsPage(claims: object, userinfo: object, memberLeaves: boolean): string {
  const leaves = memberLeaves
    ? `<h2>Offboarding</h2>
<p>Simulate the member leaving: the WeCom simulator deletes them and sends WeCom's <code>delete_user</code> contact event to the bridge's <code>/wecom/events</code>; the bridge ends their sessions and tokens and POSTs a logout token to this app's <code>/backchannel-logout</code>, which ends this session.</p>
<form method="post" action="/member-leaves"><button type="submit" class="secondary">Member leaves the company (simulate)</button></form>`
    : '';
  const body = `<h1>Signed in</h1>
<p>The ID token was verified by <code>openid-client</code> (signature against the bridge's JWKS, issuer, audience, nonce, expiry).</p>
<h2>ID token claims</h2>
<pre id="id-token-claims">${escapeHtml(JSON.stringify(claims, null, 2))}</pre>
<h2>Userinfo</h2>
<pre id="userinfo">${escapeHtml(JSON.stringify(userinfo, null, 2))}</pre>
<div class="actions"><a class="button" href="/">Home</a><a class="button secondary" href="/logout">Sign out (RP-initiated logout)</a></div>
${leaves}`;
  return renderDocument({ lang: 'en', title: 'Signed in', body });
}

function messagePage(title: string, message: string): string {
  return renderDocument({
    lang: 'en',
    title,
    body: `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><div class="actions"><a class="button" href="/">Home</a></div>`,
  });
}
