/**
 * The back channel of a sign-in: the code exchanged at the token endpoint (PKCE verifier, client
 * authentication as discovery allows), the ID token verified against the provider's keys, and
 * the claims completed from userinfo.
 */
import { type JWTPayload, jwtVerify } from 'jose';
import { SignInError } from './errors.js';
import { fetchJson } from './http.js';
import type { BridgeOptions } from './options.js';
import type { Provider } from './provider.js';

/** Asymmetric algorithms only: a client secret must never verify an ID token here. */
export const SIGNING_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** What a verified sign-in yields. */
export interface VerifiedSignIn {
  /** ID token claims with the userinfo claims over them (same `sub`). */
  readonly claims: Record<string, unknown> & { sub: string };
  /** Kept for RP-initiated logout (`id_token_hint`). */
  readonly idToken: string;
}

/** The code exchange, ID token verification and userinfo call for one answer. */
export async function redeemCode(
  provider: Provider,
  options: BridgeOptions,
  input: { code: string; codeVerifier: string; redirectUri: string; nonce: string },
): Promise<VerifiedSignIn> {
  const tokens = await tokenRequest(provider, options, input);
  const idClaims = await verifyIdToken(provider, options, tokens.idToken, input.nonce);
  const userinfo = await userinfoRequest(provider, tokens.accessToken, idClaims.sub);
  return { claims: { ...idClaims, ...userinfo, sub: idClaims.sub }, idToken: tokens.idToken };
}

async function tokenRequest(
  provider: Provider,
  options: BridgeOptions,
  input: { code: string; codeVerifier: string; redirectUri: string },
): Promise<{ idToken: string; accessToken: string }> {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: input.code,
    redirect_uri: input.redirectUri,
    code_verifier: input.codeVerifier,
  });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const methods = provider.metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  if (methods.includes('client_secret_basic') || !methods.includes('client_secret_post')) {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and Base64-encoded.
    const pair = `${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else {
    form.set('client_id', options.clientId);
    form.set('client_secret', options.clientSecret);
  }
  const { status, body } = await fetchJson(
    provider.metadata.token_endpoint,
    { method: 'POST', headers, body: form.toString() },
    'token',
  );
  const answer = (body ?? {}) as Record<string, unknown>;
  if (status !== 200) throw tokenError(status, answer);
  if (typeof answer.id_token !== 'string' || typeof answer.access_token !== 'string') {
    throw new SignInError(
      'provider_error',
      'the token response has no id_token or access_token (is "openid" in the scope?)',
    );
  }
  return { idToken: answer.id_token, accessToken: answer.access_token };
}

function tokenError(status: number, answer: Record<string, unknown>): SignInError {
  const code = typeof answer.error === 'string' ? answer.error : `HTTP ${status}`;
  const description = typeof answer.error_description === 'string' ? answer.error_description.slice(0, 300) : undefined;
  if (code === 'invalid_client' || status === 401)
    return new SignInError('invalid_client', `token endpoint: ${code}`, description);
  if (code === 'invalid_grant') return new SignInError('code_rejected', `token endpoint: ${code}`, description);
  return new SignInError('provider_error', `token endpoint: ${code}`, description ?? code);
}

async function verifyIdToken(
  provider: Provider,
  options: BridgeOptions,
  idToken: string,
  nonce: string,
): Promise<JWTPayload & { sub: string }> {
  const offered = provider.metadata.id_token_signing_alg_values_supported;
  const algorithms = offered ? SIGNING_ALGORITHMS.filter((alg) => offered.includes(alg)) : ['RS256'];
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, provider.keys, {
      issuer: provider.metadata.issuer,
      audience: options.clientId,
      algorithms,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
    }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    // No jose code: the JWKS fetch itself failed (network); a generic jose error: it was not a 200.
    if (code === undefined || code === 'ERR_JOSE_GENERIC' || code === 'ERR_JWKS_TIMEOUT')
      throw new SignInError('provider_unreachable', `JWKS: ${(error as Error).message}`);
    throw new SignInError('token_invalid', `ID token: ${(error as Error).message}`);
  }
  if (payload.nonce !== nonce)
    throw new SignInError('token_invalid', 'ID token: the nonce differs from the one this sign-in sent');
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== options.clientId) {
    throw new SignInError('token_invalid', 'ID token: several audiences without this client as azp');
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new SignInError('token_invalid', 'ID token: no sub');
  return payload as JWTPayload & { sub: string };
}

async function userinfoRequest(provider: Provider, accessToken: string, sub: string): Promise<Record<string, unknown>> {
  const endpoint = provider.metadata.userinfo_endpoint;
  if (!endpoint) return {};
  const { status, body } = await fetchJson(
    endpoint,
    { headers: { authorization: `Bearer ${accessToken}` } },
    'userinfo',
  );
  if (status !== 200 || typeof body !== 'object' || body === null)
    throw new SignInError('provider_error', `userinfo answered HTTP ${status}`);
  const claims = body as Record<string, unknown>;
  if (claims.sub !== sub) throw new SignInError('userinfo_mismatch', 'userinfo sub differs from the ID token sub');
  return claims;
}

/** application/x-www-form-urlencoded encoding of one value (space as +). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
