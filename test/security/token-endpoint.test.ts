/**
 * The token endpoint's rules as the conformance modules lean on them (oidc-checklist.md §7.8,
 * 7.11-13, 7.16): redirect_uri at /token, codes bound to their client and their lifetime, PKCE
 * S256 only, nonces echoed exactly, and client authentication with Basic and/or the body.
 */

import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, type ConformanceRp, conformanceRp, type LoginOptions } from '../conformance/rp.js';
import { TRICKY_SECRET } from '../helpers/env.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';

let h: Harness;
let rp: ConformanceRp;

beforeAll(async () => {
  h = await startHarness();
  rp = await conformanceRp(h);
});

afterAll(async () => {
  await h.close();
});

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function code(options: LoginOptions = {}): Promise<{ code: string; verifier?: string }> {
  const login = await authorize(rp, h.browser('zhangsan'), { ...options, exchange: false });
  return { code: login.params.code!, ...(login.verifier ? { verifier: login.verifier } : {}) };
}

async function token(
  fields: Record<string, string>,
  headers: Record<string, string> = { authorization: basic(CLIENTS.modern.id, CLIENTS.modern.secret) },
) {
  const response = await fetch(`${h.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      redirect_uri: CLIENTS.modern.redirectUri,
      ...fields,
    }).toString(),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, string>,
  };
}

describe('codes', () => {
  it('redirect_uri at /token must be identical; a wrong one does not burn the code', async () => {
    const { code: c } = await code();
    expect((await token({ code: c, redirect_uri: `${CLIENTS.modern.redirectUri}/x` })).body.error).toBe(
      'invalid_grant',
    );
    const missing = await fetch(`${h.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(CLIENTS.modern.id, CLIENTS.modern.secret),
      },
      body: `grant_type=authorization_code&code=${c}`,
    });
    expect(((await missing.json()) as Record<string, string>).error).toBe('invalid_grant');
    expect((await token({ code: c })).status).toBe(200);
  });

  it("client A's code with client B's credentials, and an expired code, are invalid_grant", async () => {
    const { code: c } = await code();
    const stolen = await token(
      { code: c, redirect_uri: CLIENTS.nocobase.redirectUri },
      { authorization: basic(CLIENTS.nocobase.id, CLIENTS.nocobase.secret) },
    );
    expect(stolen.body.error).toBe('invalid_grant');
    const { code: late } = await code();
    h.clock.advance(61);
    expect((await token({ code: late })).body.error).toBe('invalid_grant');
  });
});

describe('PKCE (S256 only)', () => {
  it('wrong, missing or malformed verifiers, a verifier without challenge, and plain are refused', async () => {
    const withChallenge = await code({ pkce: true });
    expect((await token({ code: withChallenge.code })).body.error).toBe('invalid_grant');
    expect((await token({ code: withChallenge.code, code_verifier: oidc.randomPKCECodeVerifier() })).body.error).toBe(
      'invalid_grant',
    );
    expect((await token({ code: withChallenge.code, code_verifier: 'short' })).body.error).toBe('invalid_grant');
    expect((await token({ code: withChallenge.code, code_verifier: withChallenge.verifier! })).status).toBe(200);
    const without = await code();
    expect((await token({ code: without.code, code_verifier: oidc.randomPKCECodeVerifier() })).body.error).toBe(
      'invalid_grant',
    );
    const plain = await authorize(rp, h.browser('zhangsan'), {
      state: 'p',
      exchange: false,
      extra: { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' },
    });
    expect(plain.params).toMatchObject({ error: 'invalid_request', state: 'p' });
  });
});

describe('nonce', () => {
  it.each([
    ['1 char', 'n'],
    ['43 chars', 'n'.repeat(43)],
    ['255 chars', 'n'.repeat(255)],
    ['Unicode', '随机数-✓-ünï'],
  ])('%s is echoed exactly', async (_what, nonce) => {
    const login = await authorize(rp, h.browser('zhangsan'), { nonce: false, exchange: false, extra: { nonce } });
    const answer = await token({ code: login.params.code! });
    const claims = JSON.parse(Buffer.from(answer.body.id_token!.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims.nonce).toBe(nonce);
  });
});

describe('client authentication', () => {
  it('Basic with + / = : % and spaces in the secret works (URL-decoded halves)', async () => {
    const issuer = `${h.issuer}/authorize?client_id=nocobase&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(CLIENTS.nocobase.redirectUri)}`;
    const flow = await h.browser('zhangsan').follow(issuer, CLIENTS.nocobase.redirectUri);
    const c = new URL(flow.finalUrl).searchParams.get('code')!;
    const answer = await token(
      { code: c, redirect_uri: CLIENTS.nocobase.redirectUri },
      { authorization: basic('nocobase', TRICKY_SECRET) },
    );
    expect(answer.status).toBe(200);
  });

  it('malformed Basic is 401 with a Basic challenge; Basic + body must agree', async () => {
    const { code: c } = await code();
    const malformed = await token({ code: c }, { authorization: 'Basic !!!' });
    expect(malformed.status).toBe(401);
    expect(malformed.headers.get('www-authenticate')).toMatch(/^Basic /);
    const contradicting = await token({
      code: c,
      client_id: CLIENTS.modern.id,
      client_secret: 'another-secret-0123456789',
    });
    expect(contradicting.status).toBe(401);
    const agreeing = await token({ code: c, client_id: CLIENTS.modern.id, client_secret: CLIENTS.modern.secret });
    expect(agreeing.status).toBe(200);
  });
});
