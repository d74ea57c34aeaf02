/**
 * The relying party of the conformance tests: openid-client v6 with a recording fetch, so that
 * every module can run the suite's HTTP-level checks (headers, status) on what the real client
 * received. Mirrors the suite's setup: static clients, client_secret_basic unless stated, a
 * nonce by default, PKCE only where a module asks for it.
 */
import * as oidc from 'openid-client';
import type { TestBrowser } from '../helpers/browser.js';
import { CLIENTS, type Harness } from '../helpers/harness.js';
import { type Captured, recordingFetch } from './checks.js';

/** The three registered clients. */
export type ClientKey = keyof typeof CLIENTS;

/** A configured RP and everything its client received. */
export interface ConformanceRp {
  readonly config: oidc.Configuration;
  readonly client: (typeof CLIENTS)[ClientKey];
  readonly responses: Captured[];
}

/**
 * Discovers the bridge as `key`, authenticating with Basic (default) or post. (openid-client v6
 * sends the callback URL without its query as `redirect_uri`, so `other` (whose registered URI
 * has a query) works with v5 only.)
 */
export async function conformanceRp(
  h: Harness,
  key: ClientKey = 'modern',
  auth: 'basic' | 'post' = 'basic',
): Promise<ConformanceRp> {
  const client = CLIENTS[key];
  const recorder = recordingFetch();
  const method = auth === 'basic' ? oidc.ClientSecretBasic(client.secret) : oidc.ClientSecretPost(client.secret);
  const config = await oidc.discovery(new URL(h.issuer), client.id, client.secret, method, {
    execute: [oidc.allowInsecureRequests],
    [oidc.customFetch]: recorder.fetch,
  });
  return { config, client, responses: recorder.responses };
}

/** Options of one authorization request. */
export interface LoginOptions {
  readonly scope?: string;
  /** Send a nonce (default true, as the suite does). */
  readonly nonce?: boolean;
  readonly pkce?: boolean;
  /** Send a state (default true), or this exact state. */
  readonly state?: boolean | string;
  /** Further parameters, added after the standard ones. */
  readonly extra?: Record<string, string>;
  /** Send the authorization request as a form POST. */
  readonly post?: boolean;
  /** Exchange the code (default true when one came back). */
  readonly exchange?: boolean;
  /** Send `max_age` and have openid-client check `auth_time` against it. */
  readonly maxAge?: number;
}

/** What one authorization request (and exchange) produced. */
export interface LoginResult {
  /** The redirect back to the RP (or the last URL when the flow stopped elsewhere). */
  readonly callbackUrl: string;
  readonly params: Record<string, string>;
  readonly state?: string;
  readonly nonce?: string;
  readonly verifier?: string;
  readonly tokens?: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  /** The raw token response the client received. */
  readonly tokenResponse?: Captured;
  /** Body of the page the flow stopped on, if it did not reach the RP. */
  readonly page?: string;
  /** Every URL the browser fetched. */
  readonly visited: readonly string[];
  readonly maxAge?: number;
}

/** One authorization request through the browser, then the code exchange with openid-client. */
export async function authorize(
  rp: ConformanceRp,
  browser: TestBrowser,
  options: LoginOptions = {},
): Promise<LoginResult> {
  const state =
    options.state === false ? undefined : typeof options.state === 'string' ? options.state : oidc.randomState();
  const nonce = options.nonce === false ? undefined : oidc.randomNonce();
  const verifier = options.pkce ? oidc.randomPKCECodeVerifier() : undefined;
  const params: Record<string, string> = {
    redirect_uri: rp.client.redirectUri,
    scope: options.scope ?? 'openid',
    ...(state === undefined ? {} : { state }),
    ...(nonce === undefined ? {} : { nonce }),
    ...(verifier === undefined
      ? {}
      : { code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' }),
    ...(options.maxAge === undefined ? {} : { max_age: String(options.maxAge) }),
    ...options.extra,
  };
  const url = oidc.buildAuthorizationUrl(rp.config, params);
  const stopAt = rp.client.redirectUri.split('?')[0]!;
  const flow = options.post
    ? await browser.follow(`${url.origin}${url.pathname}`, stopAt, {
        method: 'POST',
        body: url.searchParams.toString(),
      })
    : await browser.follow(url.href, stopAt);
  const reached = flow.finalUrl.startsWith(stopAt);
  const result = {
    callbackUrl: flow.finalUrl,
    params: reached ? Object.fromEntries(new URL(flow.finalUrl).searchParams) : {},
    ...(state === undefined ? {} : { state }),
    ...(nonce === undefined ? {} : { nonce }),
    ...(verifier === undefined ? {} : { verifier }),
    ...(flow.body === undefined ? {} : { page: flow.body }),
    ...(options.maxAge === undefined ? {} : { maxAge: options.maxAge }),
    visited: flow.hops.map((hop) => hop.url),
  };
  if (!reached || !result.params.code || options.exchange === false) return result;
  return { ...result, ...(await exchange(rp, result)) };
}

/** Exchanges the code of `login` with openid-client (which verifies state, nonce, PKCE, ID token). */
export async function exchange(
  rp: ConformanceRp,
  login: LoginResult,
): Promise<Pick<LoginResult, 'tokens' | 'tokenResponse'>> {
  const tokens = await oidc.authorizationCodeGrant(rp.config, new URL(login.callbackUrl), {
    ...(login.verifier === undefined ? {} : { pkceCodeVerifier: login.verifier }),
    ...(login.nonce === undefined ? {} : { expectedNonce: login.nonce }),
    ...(login.maxAge === undefined ? {} : { maxAge: login.maxAge }),
    ...(login.state === undefined ? { expectedState: oidc.skipStateCheck } : { expectedState: login.state }),
    idTokenExpected: true,
  });
  return { tokens, tokenResponse: lastResponse(rp, '/token') };
}

/** The last response the client received from `path`. */
export function lastResponse(rp: ConformanceRp, path: string): Captured {
  const found = rp.responses.filter((r) => new URL(r.url).pathname.endsWith(path)).at(-1);
  if (!found) throw new Error(`no response from ${path}`);
  return found;
}
