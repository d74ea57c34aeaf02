/**
 * Relying parties driven by the real `openid-client`: v5 exactly as NocoBase's authenticator uses
 * it, and v6 the modern way (PKCE + nonce + client_secret_post).
 */
import * as oidc from 'openid-client';
import { type BaseClient, Issuer, type TokenSet } from 'openid-client-v5';
import type { FlowResult, TestBrowser } from './browser.js';
import { CLIENTS, type Harness } from './harness.js';

/** NocoBase's state: `encodeURIComponent` of its own query string (opaque, full of `%`). */
export function nocobaseState(token = 'k3Yq0zT9xWv1aB2'): string {
  return encodeURIComponent(`token=${token}&name=wecom-oidc&app=main&redirect=/admin/settings?tab=1`);
}

/** An openid-client v5 client configured like NocoBase's (client_secret_basic, RS256, no nonce/PKCE). */
export async function nocobaseClient(harness: Harness): Promise<BaseClient> {
  const issuer = await Issuer.discover(harness.issuer);
  return new issuer.Client({
    client_id: CLIENTS.nocobase.id,
    client_secret: CLIENTS.nocobase.secret,
    redirect_uris: [CLIENTS.nocobase.redirectUri],
    response_types: ['code'],
    id_token_signed_response_alg: 'RS256',
    token_endpoint_auth_method: 'client_secret_basic',
  });
}

/** Result of a NocoBase-style login. */
export interface V5Login {
  readonly client: BaseClient;
  readonly flow: FlowResult;
  readonly state: string;
  readonly tokenSet?: TokenSet;
  /** The callback's query (code/state or error/state). */
  readonly params: Record<string, string>;
}

/** Runs authorize → WeCom → callback as NocoBase does; exchanges the code when one came back. */
export async function nocobaseLogin(
  harness: Harness,
  browser: TestBrowser,
  scope = 'openid email profile',
): Promise<V5Login> {
  const client = await nocobaseClient(harness);
  const state = nocobaseState();
  const url = client.authorizationUrl({ scope, state, redirect_uri: CLIENTS.nocobase.redirectUri });
  const flow = await browser.follow(url, CLIENTS.nocobase.redirectUri);
  const params = Object.fromEntries(new URL(flow.finalUrl).searchParams);
  if (!flow.finalUrl.startsWith(CLIENTS.nocobase.redirectUri) || !params.code) return { client, flow, state, params };
  const tokenSet = await client.callback(CLIENTS.nocobase.redirectUri, client.callbackParams(flow.finalUrl), { state });
  return { client, flow, state, params, tokenSet };
}

/** A v6 configuration for the modern client (client_secret_post). */
export async function modernConfig(
  harness: Harness,
  clientKey: 'modern' | 'other' = 'modern',
): Promise<oidc.Configuration> {
  const client = CLIENTS[clientKey];
  return oidc.discovery(new URL(harness.issuer), client.id, client.secret, oidc.ClientSecretPost(client.secret), {
    execute: [oidc.allowInsecureRequests],
  });
}

/** Result of a modern login. */
export interface V6Login {
  readonly config: oidc.Configuration;
  readonly flow: FlowResult;
  readonly tokens?: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  readonly params: Record<string, string>;
  readonly nonce: string;
  readonly state: string;
}

/** Runs a PKCE + nonce login with openid-client v6. */
export async function modernLogin(
  harness: Harness,
  browser: TestBrowser,
  extra: Record<string, string> = {},
  clientKey: 'modern' | 'other' = 'modern',
): Promise<V6Login> {
  const config = await modernConfig(harness, clientKey);
  const redirectUri = CLIENTS[clientKey].redirectUri;
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email phone',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    state,
    ...extra,
  });
  const flow = await browser.follow(url.href, redirectUri.split('?')[0]!);
  const params = Object.fromEntries(new URL(flow.finalUrl).searchParams);
  if (!params.code) return { config, flow, params, nonce, state };
  const tokens = await oidc.authorizationCodeGrant(config, new URL(flow.finalUrl), {
    pkceCodeVerifier: verifier,
    expectedNonce: nonce,
    expectedState: state,
    idTokenExpected: true,
  });
  return { config, flow, params, nonce, state, tokens };
}
