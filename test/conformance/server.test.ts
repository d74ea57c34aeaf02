/**
 * Basic OP plan (oidc-checklist.md §1), the happy-flow modules: one `describe` per module, named
 * as the OpenID Foundation's suite names it, each running the §2 checks on what the real
 * openid-client received. Static clients, discovery variant.
 */

import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_AGENTS } from '../helpers/browser.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { nocobaseLogin, nocobaseState } from '../helpers/rp.js';
import {
  checkAuthorizationError,
  checkAuthorizationResponse,
  checkIdToken,
  checkJwks,
  checkTokenHttp,
  checkUserinfo,
} from './checks.js';
import { authorize, conformanceRp, lastResponse } from './rp.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

describe('oidcc-discovery-endpoint-verification (Config plan)', () => {
  it('publishes every endpoint from PUBLIC_URL and the explicit metadata', async () => {
    const response = await fetch(`${h.issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await response.json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: h.issuer,
      authorization_endpoint: `${h.issuer}/authorize`,
      token_endpoint: `${h.issuer}/token`,
      userinfo_endpoint: `${h.issuer}/userinfo`,
      jwks_uri: `${h.issuer}/jwks`,
      end_session_endpoint: `${h.issuer}/logout`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      claims_parameter_supported: false,
    });
    expect(doc.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email', 'phone', 'offline_access']),
    );
    expect(doc.scopes_supported).not.toContain('address');
    expect(doc.claims_supported).toEqual(
      expect.arrayContaining(['email_verified', 'phone_number', 'phone_number_verified', 'phone']),
    );
    expect(doc).not.toHaveProperty('authorization_response_iss_parameter_supported');
    expect(doc.wecom_oidc_bridge_version).toMatch(/^\d+\.\d+\.\d+/);
    await checkJwks(h.issuer);
  });
});

describe('oidcc-server', () => {
  it('completes the code flow with client_secret_basic and passes every per-module check', async () => {
    const rp = await conformanceRp(h, 'modern', 'basic');
    const login = await authorize(rp, h.browser('zhangsan'), { scope: 'openid profile' });
    checkAuthorizationResponse(login.callbackUrl, login.state);
    expect(login.tokenResponse!.requestHeaders.get('authorization')).toMatch(/^Basic /);
    const body = checkTokenHttp(login.tokenResponse!);
    expect(body).toHaveProperty('id_token');
    const claims = login.tokens!.claims()!;
    checkIdToken(claims, {
      issuer: h.issuer,
      clientId: CLIENTS.modern.id,
      nonce: login.nonce,
      nowSeconds: h.clock.now() / 1000,
    });
    const info = await oidc.fetchUserInfo(rp.config, login.tokens!.access_token, claims.sub);
    checkUserinfo(info, claims.sub);
    expect(lastResponse(rp, '/userinfo').headers.get('cache-control')).toBe('no-store');
    await checkJwks(h.issuer);
  });

  it('is what NocoBase does too (openid-client v5, no nonce, percent-encoded state)', async () => {
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    checkAuthorizationResponse(login.flow.finalUrl, nocobaseState());
    checkIdToken(login.tokenSet!.claims(), { issuer: h.issuer, clientId: CLIENTS.nocobase.id });
  });
});

describe('oidcc-server-client-secret-post', () => {
  it('completes the code flow with client_secret_post', async () => {
    const rp = await conformanceRp(h, 'modern', 'post');
    const login = await authorize(rp, h.browser('lisi'));
    checkAuthorizationResponse(login.callbackUrl, login.state);
    expect(login.tokenResponse!.requestHeaders.has('authorization')).toBe(false);
    expect(new URLSearchParams(login.tokenResponse!.requestBody).get('client_secret')).toBe(CLIENTS.modern.secret);
    checkTokenHttp(login.tokenResponse!);
    checkIdToken(login.tokens!.claims()!, { issuer: h.issuer, clientId: CLIENTS.modern.id, nonce: login.nonce });
  });
});

describe('oidcc-response-type-missing', () => {
  it('redirects invalid_request with the state, never a code', async () => {
    const rp = await conformanceRp(h);
    const url = oidc.buildAuthorizationUrl(rp.config, {
      redirect_uri: CLIENTS.modern.redirectUri,
      scope: 'openid',
      state: 'st-1',
    });
    url.searchParams.delete('response_type');
    const flow = await h.browser().follow(url.href, CLIENTS.modern.redirectUri);
    checkAuthorizationError(flow.finalUrl, CLIENTS.modern.redirectUri, 'st-1', [
      'invalid_request',
      'unsupported_response_type',
    ]);
  });
});

describe.each([
  ['oidcc-userinfo-get', { method: 'GET' as const }],
  ['oidcc-userinfo-post-header', { method: 'POST' as const }],
])('%s', (_module, { method }) => {
  it(`answers ${method} with a Bearer header: 200 JSON, the ID token's sub`, async () => {
    const rp = await conformanceRp(h);
    const login = await authorize(rp, h.browser('zhangsan'), { scope: 'openid profile email' });
    const response = await oidc.fetchProtectedResource(
      rp.config,
      login.tokens!.access_token,
      new URL(`${h.issuer}/userinfo`),
      method,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    checkUserinfo((await response.json()) as Record<string, unknown>, login.tokens!.claims()!.sub);
  });
});

describe('oidcc-userinfo-post-body', () => {
  it('accepts the access token in the form body (openid-client v5 via: body)', async () => {
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    const info = await login.client.userinfo(login.tokenSet!.access_token!, { method: 'POST', via: 'body' });
    checkUserinfo(info, login.tokenSet!.claims().sub);
  });
});

describe('oidcc-ensure-request-without-nonce-succeeds-for-code-flow', () => {
  it('succeeds and the ID token has no nonce', async () => {
    const rp = await conformanceRp(h);
    const login = await authorize(rp, h.browser('zhangsan'), { nonce: false });
    expect(login.tokens!.claims()).not.toHaveProperty('nonce');
    checkIdToken(login.tokens!.claims()!, { issuer: h.issuer, clientId: CLIENTS.modern.id });
  });
});

describe('oidcc-scope-profile | email | phone | all (address is not in scopes_supported: skipped)', () => {
  it.each([
    ['profile', ['name', 'nickname', 'preferred_username', 'picture', 'gender']],
    ['email', ['email', 'email_verified']],
    ['phone', ['phone_number', 'phone_number_verified']],
    ['profile email phone', ['name', 'email', 'phone_number', 'phone_number_verified']],
  ])('scope openid %s returns its claims at UserInfo', async (scope, expected) => {
    const rp = await conformanceRp(h);
    // In-client login: the consent brings the phone and email (post-2022 app).
    const login = await authorize(rp, h.browser('zhangsan', USER_AGENTS.wecom), { scope: `openid ${scope}` });
    const info = await oidc.fetchUserInfo(rp.config, login.tokens!.access_token, login.tokens!.claims()!.sub);
    for (const claim of expected) expect(info, claim).toHaveProperty(claim);
    expect(typeof info.email_verified === 'boolean' || !('email_verified' in info)).toBe(true);
    expect(info.phone_number_verified === true || !('phone_number' in info)).toBe(true);
    checkUserinfo(info, 'zhangsan');
  });
});

describe('oidcc-alternate-happy-flow', () => {
  it('works with the scopes reversed and the parameters in another order', async () => {
    const rp = await conformanceRp(h);
    const base = new URL(rp.config.serverMetadata().authorization_endpoint!);
    const query = `state=alt-1&scope=${encodeURIComponent('email profile openid')}&nonce=n-1&redirect_uri=${encodeURIComponent(CLIENTS.modern.redirectUri)}&client_id=${CLIENTS.modern.id}&response_type=code`;
    const flow = await h.browser('zhangsan').follow(`${base.href}?${query}`, CLIENTS.modern.redirectUri);
    checkAuthorizationResponse(flow.finalUrl, 'alt-1');
    const tokens = await oidc.authorizationCodeGrant(rp.config, new URL(flow.finalUrl), {
      expectedState: 'alt-1',
      expectedNonce: 'n-1',
      idTokenExpected: true,
    });
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
  });
});

describe('oidcc-ensure-post-request-succeeds', () => {
  it('accepts the authorization request as a form POST and answers 303', async () => {
    const rp = await conformanceRp(h);
    const browser = h.browser('zhangsan');
    const login = await authorize(rp, browser, { post: true });
    checkAuthorizationResponse(login.callbackUrl, login.state);
    checkIdToken(login.tokens!.claims()!, { issuer: h.issuer, clientId: CLIENTS.modern.id, nonce: login.nonce });
  });
});

describe('oidcc-ensure-request-with-valid-pkce-succeeds', () => {
  it('accepts a valid S256 challenge and verifier', async () => {
    const rp = await conformanceRp(h);
    const login = await authorize(rp, h.browser('zhangsan'), { pkce: true });
    checkTokenHttp(login.tokenResponse!);
    expect(login.tokens!.claims()!.sub).toBe('zhangsan');
  });
});
