/**
 * Basic OP plan (oidc-checklist.md §1), the modules about what an authorization request may carry:
 * optional OIDC parameters accepted without error, unknown parameters ignored, request objects
 * refused correctly, and redirect URIs matched exactly (never a redirect to an unregistered one).
 */

import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { checkAuthorizationError, checkAuthorizationResponse, checkIdToken } from './checks.js';
import { authorize, conformanceRp } from './rp.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

describe.each([
  ['oidcc-display-page', { display: 'page' }],
  ['oidcc-display-popup', { display: 'popup' }],
  ['oidcc-login-hint', { login_hint: 'zhangsan@corp.example' }],
  ['oidcc-ui-locales', { ui_locales: 'zh-CN en' }],
  ['oidcc-claims-locales', { claims_locales: 'zh-CN en' }],
  ['oidcc-ensure-request-with-acr-values-succeeds', { acr_values: '1 2' }],
  ['oidcc-ensure-request-with-unknown-parameter-succeeds', { extra: 'foobar', 'x-vendor-thing': '1' }],
  ['oidcc-claims-essential', { claims: JSON.stringify({ userinfo: { name: { essential: true } } }) }],
])('%s', (_module, extra) => {
  it('succeeds without error', async () => {
    const rp = await conformanceRp(h);
    const login = await authorize(rp, h.browser('zhangsan'), { scope: 'openid profile', extra });
    checkAuthorizationResponse(login.callbackUrl, login.state);
    checkIdToken(login.tokens!.claims()!, { issuer: h.issuer, clientId: CLIENTS.modern.id, nonce: login.nonce });
    const info = await oidc.fetchUserInfo(rp.config, login.tokens!.access_token, 'zhangsan');
    // claims asked for the essential `name`: it is there (a profile claim, at UserInfo).
    expect(info.name).toBe('张三');
  });
});

describe('oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported', () => {
  it('redirects request_not_supported (after validating client and redirect_uri) and never a code', async () => {
    const rp = await conformanceRp(h);
    const requestObject = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: CLIENTS.modern.id, aud: h.issuer, response_type: 'code', scope: 'openid', redirect_uri: CLIENTS.modern.redirectUri, state: 'ro-1' })).toString('base64url')}.`;
    const login = await authorize(rp, h.browser('zhangsan'), { state: 'ro-1', extra: { request: requestObject } });
    checkAuthorizationError(login.callbackUrl, CLIENTS.modern.redirectUri, 'ro-1', ['request_not_supported']);
  });

  it('redirects request_uri_not_supported for request_uri (request_uri_parameter_supported is false)', async () => {
    const rp = await conformanceRp(h);
    const login = await authorize(rp, h.browser('zhangsan'), {
      state: 'ru-1',
      extra: { request_uri: 'https://rp.example/request.jwt' },
    });
    checkAuthorizationError(login.callbackUrl, CLIENTS.modern.redirectUri, 'ru-1', ['request_uri_not_supported']);
  });
});

describe('unsupported values, once client and redirect_uri are verified', () => {
  it.each([
    ['response_type=token (implicit)', { response_type: 'token' }, 'unsupported_response_type', /response_type=code/],
    [
      'response_type=code id_token (hybrid)',
      { response_type: 'code id_token' },
      'unsupported_response_type',
      /response_type=code/,
    ],
    ['an unknown prompt value', { prompt: 'bogus' }, 'invalid_request', /prompt value: bogus/],
    ['an unknown prompt value beside a known one', { prompt: 'login bogus' }, 'invalid_request', /prompt value: bogus/],
  ])(
    '%s is redirected to the RP with error, error_description and its state, without visiting WeCom',
    async (_what, extra, error, description) => {
      const rp = await conformanceRp(h);
      const login = await authorize(rp, h.browser('zhangsan'), { state: 'uv-1', extra });
      checkAuthorizationError(login.callbackUrl, CLIENTS.modern.redirectUri, 'uv-1', [error]);
      expect(new URL(login.callbackUrl).searchParams.get('error_description')).toMatch(description);
      expect(login.visited.some((url) => url.startsWith(h.sim.url))).toBe(false);
      expect(login.tokens).toBeUndefined();
    },
  );
});

describe('oidcc-ensure-request-object-with-redirect-uri', () => {
  it('an invalid outer redirect_uri with a request object is an error page, never a redirect', async () => {
    const url = `${h.issuer}/authorize?client_id=${CLIENTS.modern.id}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://attacker.example/cb')}&request=eyJhbGciOiJub25lIn0.e30.`;
    const response = await h.browser().request(url);
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

describe("oidcc-ensure-registered-redirect-uri (and the Dynamic plan's redirect URI ideas)", () => {
  const attempts = [
    ['an unregistered URI', 'https://attacker.example/cb'],
    ['a changed path', 'http://localhost:3000/callback/other'],
    ['a query added', 'http://localhost:3000/callback?x=1'],
    ['a fragment', 'http://localhost:3000/callback#x'],
    ['a trailing slash', 'http://localhost:3000/callback/'],
    ['another case', 'http://LOCALHOST:3000/callback'],
  ];
  it.each(attempts)('%s gets an error page and no redirect', async (_what, redirectUri) => {
    const url = `${h.issuer}/authorize?client_id=${CLIENTS.modern.id}&response_type=code&scope=openid&state=s&redirect_uri=${encodeURIComponent(redirectUri)}`;
    const response = await h.browser().request(url);
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('<h1>');
  });

  it('a missing redirect_uri is an error page too (required, even with one registered)', async () => {
    const response = await h
      .browser()
      .request(`${h.issuer}/authorize?client_id=${CLIENTS.modern.id}&response_type=code&scope=openid`);
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('a registered URI with a query works and keeps that query byte for byte; a changed query is refused', async () => {
    const changed = CLIENTS.other.redirectUri.replace('a%20b', 'a+b');
    const refused = await h
      .browser()
      .request(
        `${h.issuer}/authorize?client_id=${CLIENTS.other.id}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(changed)}`,
      );
    expect(refused.status).toBe(400);
    expect(refused.headers.get('location')).toBeNull();
    const flow = await h
      .browser('zhangsan')
      .follow(
        `${h.issuer}/authorize?client_id=${CLIENTS.other.id}&response_type=code&scope=openid&state=q&redirect_uri=${encodeURIComponent(CLIENTS.other.redirectUri)}`,
        'http://localhost:4000/',
      );
    expect(flow.finalUrl).toMatch(/^http:\/\/localhost:4000\/cb\?tenant=a%20b&code=[A-Za-z0-9_-]{43}&state=q$/);
  });
});
