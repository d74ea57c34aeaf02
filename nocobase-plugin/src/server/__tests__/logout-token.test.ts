/**
 * Back-Channel Logout 1.0 §2.6 as the plugin verifies it: logout tokens signed with jose by a
 * provider served on loopback (discovery + JWKS), verified by the plugin's real code (its
 * provider cache, jose's remote JWKS): the valid token, and each way a token can be wrong.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyValueCache } from '../handoff.js';
import {
  LOGOUT_EVENT,
  LogoutProviderError,
  LogoutTokenError,
  type LogoutVerifier,
  verifyLogoutToken,
} from '../logout-token.js';
import { ProviderCache } from '../provider.js';

type Key = CryptoKey;

/** A provider on loopback: discovery and its JWKS, counting the JWKS requests. */
interface LocalProvider {
  issuer: string;
  key: Key;
  jwksRequests: number;
  close(): Promise<void>;
}

async function startProvider(): Promise<LocalProvider> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', use: 'sig', alg: 'ES256' };
  const state = { jwksRequests: 0 };
  const server: Server = createServer((request, response) => {
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/openid-configuration')
      response.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          id_token_signing_alg_values_supported: ['ES256'],
          backchannel_logout_supported: true,
        }),
      );
    else if (request.url === '/jwks') {
      state.jwksRequests++;
      response.end(JSON.stringify({ keys: [jwk] }));
    } else {
      response.statusCode = 404;
      response.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    key: privateKey,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** NocoBase's cache, in memory, recording the ttl of each entry. */
function memoryCache(): KeyValueCache & { ttls: number[] } {
  const entries = new Map<string, unknown>();
  const ttls: number[] = [];
  return {
    ttls,
    get: async (key) => entries.get(key),
    set: async (key, value, ttl) => {
      ttls.push(ttl ?? 0);
      entries.set(key, value);
    },
    del: async (key) => entries.delete(key),
  };
}

let provider: LocalProvider;
let verifier: LogoutVerifier & { cache: ReturnType<typeof memoryCache> };
const CLIENT = 'nocobase';
const authenticators = () => [
  { name: 'wecom', issuer: provider.issuer, clientId: CLIENT },
  { name: 'other-app', issuer: provider.issuer, clientId: 'another-client' },
  { name: 'elsewhere', issuer: 'https://sso.elsewhere.example', clientId: CLIENT },
];

beforeAll(async () => {
  provider = await startProvider();
});
afterAll(async () => {
  await provider.close();
});

const fresh = () => {
  verifier = { providers: new ProviderCache(), cache: memoryCache() };
};

let serial = 0;
/** A logout token as the bridge signs one; `claims` and `header` replace or (undefined) remove members. */
async function logoutToken(
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  key: Key = provider.key,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    iss: provider.issuer,
    aud: CLIENT,
    iat: now,
    exp: now + 120,
    jti: `jti-${++serial}-${Math.random()}`,
    sub: 'zhangsan',
    sid: 'session-1',
    events: { [LOGOUT_EVENT]: {} },
    ...claims,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  const protectedHeader = { alg: 'ES256', kid: 'k1', typ: 'logout+jwt', ...header };
  for (const [name, value] of Object.entries(protectedHeader))
    if (value === undefined) delete (protectedHeader as Record<string, unknown>)[name];
  return new SignJWT(payload as JWTPayload).setProtectedHeader(protectedHeader as { alg: string }).sign(key);
}

async function refusal(token: unknown, candidates = authenticators()): Promise<string> {
  try {
    await verifyLogoutToken(token, candidates, verifier);
  } catch (error) {
    expect(error).toBeInstanceOf(LogoutTokenError);
    return (error as Error).message;
  }
  throw new Error('the token was accepted');
}

describe('back-channel logout tokens (OpenID Connect Back-Channel Logout 1.0 §2.6)', () => {
  it('accepts a valid logout token once, for the authenticators of its issuer with its client id', async () => {
    fresh();
    const token = await logoutToken();
    const verified = await verifyLogoutToken(token, authenticators(), verifier);
    expect(verified).toEqual({ audiences: [authenticators()[0]], sub: 'zhangsan', sid: 'session-1' });
    // The same jti again: a replay.
    expect(await refusal(token)).toMatch(/jti already used/);
    // Remembered no longer than the token could be accepted (its iat + 5 minutes, plus the skew).
    expect(Math.max(...verifier.cache.ttls)).toBeLessThanOrEqual(6 * 60 * 1000);
    expect(Math.min(...verifier.cache.ttls)).toBeGreaterThan(60 * 1000);
  });

  it('accepts several audiences, without typ, or typed JWT; each authenticator it names is ended', async () => {
    fresh();
    const both = await verifyLogoutToken(
      await logoutToken({ aud: [CLIENT, 'another-client'], sid: undefined }, { typ: undefined }),
      authenticators(),
      verifier,
    );
    expect(both.audiences.map((a) => a.name)).toEqual(['wecom', 'other-app']);
    expect(both.sid).toBeUndefined();
    const typed = await verifyLogoutToken(await logoutToken({}, { typ: 'JWT' }), authenticators(), verifier);
    expect(typed.sub).toBe('zhangsan');
    // Without exp: the age rule alone bounds it.
    expect((await verifyLogoutToken(await logoutToken({ exp: undefined }), authenticators(), verifier)).sub).toBe(
      'zhangsan',
    );
  });

  it('refuses a token for an issuer or client no enabled authenticator has, before fetching any key', async () => {
    fresh();
    const before = provider.jwksRequests;
    expect(await refusal(await logoutToken({ aud: 'someone-else' }))).toMatch(/no enabled authenticator/);
    expect(await refusal(await logoutToken({ iss: 'https://evil.example' }))).toMatch(/no enabled authenticator/);
    expect(await refusal(await logoutToken(), [])).toMatch(/no enabled authenticator/);
    expect(provider.jwksRequests).toBe(before);
  });

  it("refuses a token not signed with the issuer's keys: another key, HS256 with the client id, alg none", async () => {
    fresh();
    const { privateKey: stranger } = await generateKeyPair('ES256');
    expect(await refusal(await logoutToken({}, {}, stranger))).toMatch(/signature/);
    const hmac = new TextEncoder().encode('a-client-secret-that-is-long-enough-for-hs256');
    const symmetric = await new SignJWT({
      iss: provider.issuer,
      aud: CLIENT,
      jti: 'x',
      sub: 'zhangsan',
      events: { [LOGOUT_EVENT]: {} },
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'logout+jwt' })
      .setIssuedAt()
      .sign(hmac);
    expect(await refusal(symmetric)).toMatch(/alg/);
    const [, body] = (await logoutToken()).split('.');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${body}.`;
    expect(await refusal(none)).toMatch(/compact JWS/);
    expect(await refusal(undefined)).toMatch(/missing/);
    expect(await refusal('x'.repeat(9000))).toMatch(/missing or not/);
    // Unsigned tokens leave nothing behind: only verified ones remember their jti.
    expect(verifier.cache.ttls).toEqual([]);
  });

  it('refuses an old, future or expired token', async () => {
    fresh();
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(await logoutToken({ iat: now - 600, exp: now + 600 }))).toMatch(/iat/);
    expect(await refusal(await logoutToken({ iat: now + 600, exp: now + 900 }))).toMatch(/iat/);
    expect(await refusal(await logoutToken({ iat: now - 100, exp: now - 60 }))).toMatch(/exp/);
    expect(await refusal(await logoutToken({ iat: undefined }))).toMatch(/iat/);
  });

  it('refuses a token without the logout event, with a nonce, without sub or jti, or of another type', async () => {
    fresh();
    expect(await refusal(await logoutToken({ events: undefined }))).toMatch(/events/);
    expect(await refusal(await logoutToken({ events: { 'http://example.com/other': {} } }))).toMatch(/events lacks/);
    expect(await refusal(await logoutToken({ events: { [LOGOUT_EVENT]: 'yes' } }))).toMatch(/events lacks/);
    expect(await refusal(await logoutToken({ nonce: 'n-0S6_WzA2Mj' }))).toMatch(/nonce/);
    expect(await refusal(await logoutToken({ sub: undefined }))).toMatch(/sub/);
    expect(await refusal(await logoutToken({ sub: '' }))).toMatch(/sub/);
    expect(await refusal(await logoutToken({ jti: undefined }))).toMatch(/jti/);
    expect(await refusal(await logoutToken({}, { typ: 'at+jwt' }))).toMatch(/typ/);
    expect(await refusal(await logoutToken({}, { kid: 'nope' }))).toMatch(/key|JWKS/i);
  });

  it("says the provider is unreachable (not invalid) when its discovery or keys can't be fetched", async () => {
    fresh();
    const down = await startProvider();
    const issuer = down.issuer;
    const token = await new SignJWT({ sub: 'x', jti: 'y', events: { [LOGOUT_EVENT]: {} } })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(CLIENT)
      .setIssuedAt()
      .sign(down.key);
    await down.close();
    await expect(verifyLogoutToken(token, [{ issuer, clientId: CLIENT }], verifier)).rejects.toBeInstanceOf(
      LogoutProviderError,
    );
  });
});
