/**
 * Input limits (issue 3 "Hardening", oidc-checklist.md §7.17-18): sizes of each parameter, of the
 * URL and of the body; repeated parameters; names only a nesting parser would understand or that
 * name object internals; wrong methods and content types. Always a 4xx in the route's format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const authorizeQuery = `client_id=${CLIENTS.modern.id}&redirect_uri=${encodeURIComponent(CLIENTS.modern.redirectUri)}&response_type=code&scope=openid`;
const basic = `Basic ${Buffer.from(`${CLIENTS.modern.id}:${CLIENTS.modern.secret}`).toString('base64')}`;

async function get(path: string): Promise<Response> {
  return fetch(`${h.issuer}${path}`, { redirect: 'manual', headers: { accept: 'text/html' } });
}

async function post(path: string, body: string, headers: Record<string, string> = FORM): Promise<Response> {
  return fetch(`${h.issuer}${path}`, { method: 'POST', body, headers, redirect: 'manual' });
}

function errorOf(response: Response): URLSearchParams {
  return new URL(response.headers.get('location')!).searchParams;
}

describe('repeated parameters are invalid_request, never "the first wins"', () => {
  it('at /authorize: a repeated client_id or redirect_uri is a page; any other is redirected', async () => {
    const page = await get(`/authorize?${authorizeQuery}&client_id=other-app`);
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
    const redirected = await get(`/authorize?${authorizeQuery}&state=s&nonce=a&nonce=b`);
    expect(redirected.status).toBe(302);
    expect(errorOf(redirected).get('error')).toBe('invalid_request');
  });

  it('at /token, /userinfo and /logout', async () => {
    const token = await post('/token', 'grant_type=authorization_code&code=a&code=b', {
      ...FORM,
      authorization: basic,
    });
    expect(token.status).toBe(400);
    expect(await token.json()).toMatchObject({ error: 'invalid_request' });
    const userinfo = await fetch(`${h.issuer}/userinfo?access_token=a&access_token=b`);
    expect([400, 401]).toContain(userinfo.status);
    expect(await userinfo.json()).toMatchObject({ error: 'invalid_request' });
    const logout = await get('/logout?state=a&state=b');
    expect(logout.status).toBe(400);
    expect(logout.headers.get('location')).toBeNull();
  });
});

describe('hostile parameter names', () => {
  it.each(['a[b]=c', '__proto__=x', 'constructor=x', 'prototype=x', 'client_id[x]=y'])(
    '%s is refused everywhere',
    async (extra) => {
      const authorize = await get(`/authorize?${authorizeQuery}&${extra}`);
      expect(authorize.status).toBe(400);
      expect(authorize.headers.get('location')).toBeNull();
      const token = await post('/token', `grant_type=authorization_code&code=x&${extra}`, {
        ...FORM,
        authorization: basic,
      });
      expect(token.status).toBe(400);
      expect(await token.json()).toMatchObject({ error: 'invalid_request' });
      const userinfo = await fetch(`${h.issuer}/userinfo?access_token=x&${extra}`);
      expect(userinfo.status).toBe(400);
      const logout = await get(`/logout?${extra}`);
      expect(logout.status).toBe(400);
    },
  );
});

describe('sizes', () => {
  it('a parameter over its limit is invalid_request (state 2048, nonce 512: they travel in the login cookie; others 2048, id_token_hint 8192 with the URL limit first)', async () => {
    const longState = await get(`/authorize?${authorizeQuery}&state=${'s'.repeat(2049)}`);
    expect(errorOf(longState).get('error')).toBe('invalid_request');
    const okState = await get(`/authorize?${authorizeQuery}&state=${'s'.repeat(2048)}`);
    expect(okState.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/wwlogin\//);
    const longNonce = await get(`/authorize?${authorizeQuery}&nonce=${'n'.repeat(513)}`);
    expect(errorOf(longNonce).get('error')).toBe('invalid_request');
    const longClient = await get(`/authorize?client_id=${'c'.repeat(2049)}`);
    expect(longClient.status).toBe(400);
    const longCode = await post('/token', `grant_type=authorization_code&code=${'c'.repeat(2049)}`, {
      ...FORM,
      authorization: basic,
    });
    expect(await longCode.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('a URL over 8 KB gets 414, headers over 16 KB 431; never a 5xx', async () => {
    const long = await get(`/authorize?${authorizeQuery}&x=${'x'.repeat(8200)}`);
    expect(long.status).toBe(414);
    const huge = await get(`/authorize?${authorizeQuery}&x=${'x'.repeat(17_000)}`);
    expect(huge.status).toBe(431);
  });

  it('a body over 16 KB gets 413 at /token, /authorize and /logout', async () => {
    const body = `grant_type=authorization_code&code=${'c'.repeat(17_000)}`;
    for (const path of ['/token', '/authorize', '/logout', '/userinfo']) {
      const response = await post(path, body, { ...FORM, authorization: basic });
      expect(response.status, path).toBe(413);
    }
  });
});

describe('methods and content types', () => {
  it('/token: GET is 405, JSON or text bodies are refused with an OAuth error', async () => {
    const getToken = await fetch(`${h.issuer}/token`);
    expect(getToken.status).toBe(405);
    expect(getToken.headers.get('allow')).toBe('POST');
    for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x']) {
      const response = await post('/token', '{"grant_type":"authorization_code"}', {
        'content-type': type,
        authorization: basic,
      });
      expect(response.status, type).toBeGreaterThanOrEqual(400);
      expect(response.status, type).toBeLessThan(500);
      expect(await response.json()).toHaveProperty('error');
    }
  });

  it('POST /authorize and /logout refuse non-form bodies with a page', async () => {
    for (const path of ['/authorize', '/logout']) {
      const response = await fetch(`${h.issuer}${path}`, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json', accept: 'text/html' },
      });
      expect(response.status).toBe(415);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    }
  });

  it('other methods on known paths are 404 in JSON or HTML, never 5xx', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(`${h.issuer}/authorize`, { method });
      expect(response.status).toBe(404);
    }
  });
});
