/**
 * A minimal web app that signs people in through wecom-oidc-bridge with openid-client v6:
 * authorization code flow with PKCE, state and nonce bound to the browser by a cookie; the ID
 * token is verified against the bridge's JWKS; then the userinfo is fetched.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import * as client from 'openid-client';

export interface ExampleAppOptions {
  /** The bridge's PUBLIC_URL. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Registered for this client at the bridge; this app serves its path. */
  readonly redirectUri: string;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

interface PendingLogin {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
}

/** Builds the app: `/login` starts a sign-in, the redirect URI's path completes it. */
export async function createExampleApp(options: ExampleAppOptions): Promise<Server> {
  const issuer = new URL(options.issuer);
  // Plain http is acceptable only for a bridge on loopback (npm run demo, tests).
  const execute = issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [];
  const config = await client.discovery(issuer, options.clientId, options.clientSecret, undefined, { execute });
  const callbackPath = new URL(options.redirectUri).pathname;
  const pending = new Map<string, PendingLogin>();

  /** `/login`: remember state, nonce and PKCE verifier for this browser, then go to the bridge. */
  async function login(): Promise<Answer> {
    const id = randomBytes(16).toString('hex');
    const login = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
    };
    pending.set(id, login);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: options.redirectUri,
      scope: 'openid profile email phone',
      state: login.state,
      nonce: login.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(login.verifier),
      code_challenge_method: 'S256',
    });
    const cookie = `example_login=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=600`;
    return { status: 302, headers: { location: url.href, 'set-cookie': cookie }, body: '' };
  }

  /** The redirect URI: check state, exchange the code (verifying the ID token), fetch userinfo. */
  async function callback(url: URL, cookieHeader: string): Promise<Answer> {
    const id = /(?:^|;\s*)example_login=([0-9a-f]{32})/.exec(cookieHeader)?.[1];
    const login = id === undefined ? undefined : pending.get(id);
    if (id === undefined || login === undefined) throw new Error('No sign-in in progress in this browser');
    pending.delete(id);
    const tokens = await client.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: login.verifier,
      expectedState: login.state,
      expectedNonce: login.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ claims, userinfo }, null, 2),
    };
  }

  return createServer((request, response) => {
    const url = new URL(request.url ?? '/', options.redirectUri);
    const answer =
      url.pathname === '/login'
        ? login()
        : url.pathname === callbackPath
          ? callback(url, request.headers.cookie ?? '')
          : Promise.resolve({ status: 404, headers: {}, body: '' });
    answer.then(
      ({ status, headers, body }) => response.writeHead(status, headers).end(body),
      (error: unknown) =>
        response.writeHead(400, { 'content-type': 'text/plain' }).end(`Sign-in failed: ${String(error)}`),
    );
  });
}
