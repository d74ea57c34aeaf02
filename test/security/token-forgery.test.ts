/**
 * Forged tokens (issue 3 "Hardening: Tokens", oidc-checklist.md §7.14-15): `alg: none`, HS256
 * keyed with our public key, a foreign key (own or unknown kid), an embedded `jwk`, a `jku`:
 * rejected wherever a token is accepted (/userinfo, id_token_hint at /authorize and /logout).
 */

import { createHmac } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { nocobaseLogin } from '../helpers/rp.js';

let h: Harness;
let genuine: string;
let claims: JWTPayload;
let ourKid: string;
let ourPublicPem: string;

beforeAll(async () => {
  h = await startHarness();
  const login = await nocobaseLogin(h, h.browser('zhangsan'));
  genuine = login.tokenSet!.id_token!;
  claims = login.tokenSet!.claims();
  const jwks = (await fetch(`${h.issuer}/jwks`).then((r) => r.json())) as { keys: { kid: string }[] };
  ourKid = jwks.keys[0]!.kid;
  const { createPublicKey } = await import('node:crypto');
  ourPublicPem = createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
});

afterAll(async () => {
  await h.close();
});

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Every forgery, as a function of the genuine claims (for the other user `lisi`). */
const forgeries: [string, () => Promise<string>][] = [
  ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, sub: 'lisi' })}.`],
  [
    'HS256 keyed with our public key',
    async () => {
      const input = `${b64({ alg: 'HS256', kid: ourKid })}.${b64({ ...claims, sub: 'lisi' })}`;
      return `${input}.${createHmac('sha256', ourPublicPem).update(input).digest('base64url')}`;
    },
  ],
  [
    'a foreign key under our kid',
    async () => {
      const { privateKey } = await generateKeyPair('RS256');
      return new SignJWT({ ...claims, sub: 'lisi' }).setProtectedHeader({ alg: 'RS256', kid: ourKid }).sign(privateKey);
    },
  ],
  [
    'a foreign key with its own kid',
    async () => {
      const { privateKey } = await generateKeyPair('RS256');
      return new SignJWT({ ...claims, sub: 'lisi' })
        .setProtectedHeader({ alg: 'RS256', kid: 'attacker' })
        .sign(privateKey);
    },
  ],
  [
    'an embedded jwk',
    async () => {
      const { privateKey, publicKey } = await generateKeyPair('RS256');
      return new SignJWT({ ...claims, sub: 'lisi' })
        .setProtectedHeader({ alg: 'RS256', jwk: await exportJWK(publicKey) })
        .sign(privateKey);
    },
  ],
  [
    'a jku',
    async () => {
      const { privateKey } = await generateKeyPair('RS256');
      return new SignJWT({ ...claims, sub: 'lisi' })
        .setProtectedHeader({ alg: 'RS256', kid: ourKid, jku: 'https://attacker.example/jwks' })
        .sign(privateKey);
    },
  ],
  [
    'our token with a changed payload',
    async () => {
      const [header, , signature] = genuine.split('.');
      return `${header}.${b64({ ...claims, sub: 'lisi' })}.${signature}`;
    },
  ],
  [
    'another issuer',
    async () => {
      const { privateKey } = await generateKeyPair('RS256');
      return new SignJWT({ ...claims, iss: 'https://attacker.example' })
        .setProtectedHeader({ alg: 'RS256', kid: ourKid })
        .sign(privateKey);
    },
  ],
];

describe.each(forgeries)('%s', (_what, forge) => {
  it('is not a bearer token at /userinfo (401 invalid_token)', async () => {
    const response = await fetch(`${h.issuer}/userinfo`, { headers: { authorization: `Bearer ${await forge()}` } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('is refused as id_token_hint at /authorize: no code, invalid_request to the RP', async () => {
    const browser = h.browser('zhangsan');
    await nocobaseLogin(h, browser);
    const url = `${h.issuer}/authorize?client_id=${CLIENTS.nocobase.id}&redirect_uri=${encodeURIComponent(CLIENTS.nocobase.redirectUri)}&response_type=code&scope=openid&prompt=none&state=f&id_token_hint=${await forge()}`;
    const response = await browser.request(url);
    const params = new URL(response.headers.get('location')!).searchParams;
    expect(params.get('error')).toBe('invalid_request');
    expect(params.has('code')).toBe(false);
  });

  it('is refused as id_token_hint at /logout: an error page, no redirect, no logout', async () => {
    const browser = h.browser('zhangsan');
    await nocobaseLogin(h, browser);
    const url = `${h.issuer}/logout?id_token_hint=${await forge()}&post_logout_redirect_uri=${encodeURIComponent(CLIENTS.nocobase.postLogoutRedirectUri)}`;
    const response = await browser.request(url);
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});

describe('the genuine token', () => {
  it('is no access token either: an ID token never works at /userinfo', async () => {
    const response = await fetch(`${h.issuer}/userinfo`, { headers: { authorization: `Bearer ${genuine}` } });
    expect(response.status).toBe(401);
  });

  it('expired, is still a valid logout hint (RP-Initiated Logout §2) and signs out at once', async () => {
    const browser = h.browser('zhangsan');
    const login = await nocobaseLogin(h, browser);
    h.clock.advance(3700);
    const url = `${h.issuer}/logout?id_token_hint=${login.tokenSet!.id_token}&post_logout_redirect_uri=${encodeURIComponent(CLIENTS.nocobase.postLogoutRedirectUri)}&state=z`;
    const response = await browser.request(url);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${CLIENTS.nocobase.postLogoutRedirectUri}?state=z`);
  });
});
