/**
 * The checks the OpenID Foundation's conformance suite runs inside every Basic OP module
 * (oidc-checklist.md §2), as assertions the conformance tests call on what the real
 * openid-client saw.
 */

import { decodeProtectedHeader } from 'jose';
import { expect } from 'vitest';

/** A response as a recording fetch captured it. */
export interface Captured {
  readonly url: string;
  readonly method: string;
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  /** What was sent. */
  readonly requestHeaders: Headers;
  readonly requestBody: string;
}

/** A fetch that records every response (openid-client v6 `customFetch`). */
export function recordingFetch(): {
  fetch: (url: string, options: object) => Promise<Response>;
  responses: Captured[];
} {
  const responses: Captured[] = [];
  const recording = async (url: string, options: object): Promise<Response> => {
    const init = options as RequestInit;
    const response = await fetch(url, init);
    const body = await response.clone().text();
    responses.push({
      url,
      method: init.method ?? 'GET',
      status: response.status,
      headers: response.headers,
      body,
      requestHeaders: new Headers(init.headers),
      requestBody:
        typeof init.body === 'string' ? init.body : init.body instanceof URLSearchParams ? init.body.toString() : '',
    });
    return response;
  };
  return { fetch: recording, responses };
}

/** JWKS: every key has a unique kid, `use: sig`, an alg, and public members only. */
export async function checkJwks(issuer: string): Promise<void> {
  const jwks = (await fetch(`${issuer}/jwks`).then((r) => r.json())) as { keys: Record<string, unknown>[] };
  expect(jwks.keys.length).toBeGreaterThan(0);
  const kids = jwks.keys.map((key) => key.kid);
  expect(kids.every((kid) => typeof kid === 'string' && kid !== '')).toBe(true);
  expect(new Set(kids).size).toBe(kids.length);
  for (const key of jwks.keys) {
    expect(key.use).toBe('sig');
    expect(typeof key.alg).toBe('string');
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key).not.toHaveProperty(secret);
  }
}

/** Authorization success response: state echoed exactly, no `iss` (not advertised), a strong code. */
export function checkAuthorizationResponse(callbackUrl: string, expectedState: string | undefined): void {
  const params = new URL(callbackUrl).searchParams;
  expect(params.get('state') ?? undefined).toBe(expectedState);
  expect(params.has('iss')).toBe(false);
  expect(params.has('error')).toBe(false);
  // >= 128 bits: 32 random bytes, base64url.
  expect(params.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
}

/**
 * Authorization error response: only the allowed parameters (beside the registered URI's own
 * query), never a code, a clean description.
 */
export function checkAuthorizationError(
  callbackUrl: string,
  registeredUri: string,
  expectedState: string | undefined,
  expectedErrors: readonly string[],
): void {
  const params = new URL(callbackUrl).searchParams;
  const own = new URL(registeredUri).searchParams;
  const allowed = new Set(['error', 'error_description', 'error_uri', 'state', 'session_state', 'iss']);
  expect([...params.keys()].filter((name) => !own.has(name) && !allowed.has(name))).toEqual([]);
  expect(params.has('code')).toBe(false);
  expect(expectedErrors).toContain(params.get('error'));
  expect(params.get('state') ?? undefined).toBe(expectedState);
  checkErrorDescription(params.get('error_description'));
}

/** RFC 6749 §5.2: %x20-21 / %x23-5B / %x5D-7E. */
export function checkErrorDescription(description: string | null | undefined): void {
  if (description === null || description === undefined) return;
  expect(description).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]*$/);
}

/** Token endpoint success: 200 JSON, no-store, Bearer, expires_in, an ID token with our kid. */
export function checkTokenHttp(captured: Captured): Record<string, unknown> {
  expect(captured.status).toBe(200);
  expect(captured.headers.get('content-type')).toMatch(/^application\/json/);
  expect(captured.headers.get('cache-control')).toBe('no-store');
  const body = JSON.parse(captured.body) as Record<string, unknown>;
  expect(body.token_type).toBe('Bearer');
  expect(typeof body.expires_in).toBe('number');
  expect(body.access_token).toMatch(/^[\x20-\x7E]+$/);
  if (typeof body.id_token === 'string') expect(typeof decodeProtectedHeader(body.id_token).kid).toBe('string');
  return body;
}

/** Token endpoint error: 400 (or 401) JSON with a registered error code and a clean description. */
export function checkTokenError(captured: Captured, error: string): void {
  expect([400, 401]).toContain(captured.status);
  expect(captured.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(captured.body) as Record<string, unknown>;
  expect(body.error).toBe(error);
  checkErrorDescription(body.error_description as string | undefined);
}

/** What an ID token is checked against. */
export interface IdTokenExpectations {
  readonly issuer: string;
  readonly clientId: string;
  /** The nonce sent, or undefined when none was (then the claim must be absent). */
  readonly nonce?: string | undefined;
  /** The bridge's clock, epoch seconds (defaults to real time). */
  readonly nowSeconds?: number;
}

const SKEW = 300;

/** The ID token claim checks of the suite (5 minutes of skew). */
export function checkIdToken(claims: Record<string, unknown>, expected: IdTokenExpectations): void {
  const now = expected.nowSeconds ?? Math.floor(Date.now() / 1000);
  expect(claims.iss).toBe(expected.issuer);
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  expect(aud).toContain(expected.clientId);
  expect(claims.exp).toBeTypeOf('number');
  expect(claims.exp as number).toBeGreaterThan(now - SKEW);
  expect(claims.exp as number).toBeLessThan(now + 50 * 365 * 86400);
  expect(claims.iat as number).toBeLessThanOrEqual(now + SKEW);
  expect(claims.auth_time).toBeTypeOf('number');
  expect(claims.auth_time as number).toBeLessThanOrEqual(now + SKEW);
  expect(claims.auth_time as number).toBeGreaterThan(now - 365 * 86400);
  if (expected.nonce === undefined) expect(claims).not.toHaveProperty('nonce');
  else expect(claims.nonce).toBe(expected.nonce);
  expect(claims.sub).toMatch(/^[\x20-\x7E]{1,255}$/);
  if ('acr' in claims) expect(claims.acr).not.toBe('');
  // Profile claims belong at UserInfo (the suite warns about them in the ID token).
  expect(claims).not.toHaveProperty('name');
}

/** UserInfo: the ID token's sub; absent claims omitted, never null or "". */
export function checkUserinfo(info: Record<string, unknown>, sub: string): void {
  expect(info.sub).toBe(sub);
  for (const value of Object.values(info)) {
    expect(value).not.toBeNull();
    expect(value).not.toBe('');
  }
}
