/**
 * A tiny OpenID provider on loopback for the back-channel logout tests: discovery and a JWKS
 * (one ES256 key), and logout tokens signed with that key as Back-Channel Logout 1.0 §2.4 shapes
 * them. It signs nobody in: the tests bind NocoBase users to its subjects directly.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

export const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A running provider. */
export interface LocalProvider {
  readonly issuer: string;
  /** A logout token for `sub` to `aud`; `claims` replace members (undefined removes one). */
  logoutToken(sub: string, aud: string, claims?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** Starts the provider on a free loopback port. */
export async function startLocalProvider(): Promise<LocalProvider> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'local-1', use: 'sig', alg: 'ES256' };
  const server = createServer((request, response) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/openid-configuration')
      response.end(
        JSON.stringify({
          issuer: base,
          authorization_endpoint: `${base}/authorize`,
          token_endpoint: `${base}/token`,
          jwks_uri: `${base}/jwks`,
          id_token_signing_alg_values_supported: ['ES256'],
          backchannel_logout_supported: true,
        }),
      );
    else if (request.url === '/jwks') response.end(JSON.stringify({ keys: [jwk] }));
    else {
      response.statusCode = 404;
      response.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    logoutToken: async (sub, aud, claims = {}) => {
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = {
        iss: issuer,
        aud,
        iat: now,
        exp: now + 120,
        jti: randomUUID(),
        sub,
        events: { [LOGOUT_EVENT]: {} },
        ...claims,
      };
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
      return new SignJWT(payload as JWTPayload)
        .setProtectedHeader({ alg: 'ES256', kid: 'local-1', typ: 'logout+jwt' })
        .sign(privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
