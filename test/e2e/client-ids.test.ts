/**
 * Client ids as RFC 6749 Appendix A.1 writes them (`*VSCHAR`: printable ASCII, the space
 * included): ids with spaces, colons and `%` sign in end to end with the real openid-client v6,
 * through `client_secret_basic` (id and secret form-urlencoded inside Base64) and
 * `client_secret_post`; the configuration refuses only what the RFC refuses, and empty ids.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { type Harness, harnessEnv, startHarness } from '../helpers/harness.js';

const ODD = [
  {
    id: 'NocoBase site: 100% sure',
    secret: 'odd-secret-1: a+b=c %41 0123456789',
    redirectUri: 'http://localhost:5001/cb',
    method: 'basic',
  },
  {
    id: 'plant #7 / "west" wing',
    secret: 'odd-secret-2-0123456789abcdef',
    redirectUri: 'http://localhost:5002/cb',
    method: 'post',
  },
] as const;

let h: Harness;

beforeAll(async () => {
  const clients = ODD.map((client) => ({
    client_id: client.id,
    client_secret: client.secret,
    redirect_uris: [client.redirectUri],
  }));
  h = await startHarness({ env: { OIDC_CLIENTS: JSON.stringify(clients) } });
});

afterAll(async () => {
  await h.close();
});

describe('client ids with spaces, colons and %', () => {
  it.each(ODD)(
    '"$id" signs in with client_secret_$method (openid-client v6)',
    async ({ id, secret, redirectUri, method }) => {
      const auth = method === 'basic' ? oidc.ClientSecretBasic(secret) : oidc.ClientSecretPost(secret);
      const config = await oidc.discovery(new URL(h.issuer), id, secret, auth, {
        execute: [oidc.allowInsecureRequests],
      });
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid profile',
        state,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      const flow = await h.browser('zhangsan').follow(url.href, redirectUri);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(flow.finalUrl), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        idTokenExpected: true,
      });
      expect(tokens.claims()).toMatchObject({ sub: 'zhangsan', aud: id });
      const info = await oidc.fetchUserInfo(config, tokens.access_token, 'zhangsan');
      expect(info.sub).toBe('zhangsan');
    },
  );

  it('a Basic header whose id is not form-urlencoded is refused as malformed', async () => {
    const response = await fetch(`${h.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`100%:${ODD[0].secret}`).toString('base64')}`,
      },
      body: 'grant_type=authorization_code&code=x',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: 'invalid_client',
      error_description: expect.stringContaining('form-urlencoded'),
    });
  });
});

describe('the configuration', () => {
  const env = (id: string) => harnessEnv(8080, 'http://127.0.0.1:1', { OIDC_CLIENT_ID: id });

  it('accepts every printable ASCII character, the space included', () => {
    const printable = Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i)).join('');
    // Inside the id: every variable's value is trimmed, like the rest of the environment.
    const id = `${printable.slice(0, 40)} ${printable.slice(40)}`;
    expect(loadConfig(env(id)).clients[0]!.clientId).toBe(id);
    // OIDC_CLIENTS (JSON) keeps even surrounding spaces.
    const clients = JSON.stringify([
      {
        client_id: ` ${id} `,
        client_secret: 'json-client-secret-0123456789',
        redirect_uris: ['http://localhost:5003/cb'],
      },
    ]);
    expect(
      loadConfig({
        ...env('x'),
        OIDC_CLIENT_ID: undefined,
        OIDC_CLIENT_SECRET: undefined,
        OIDC_REDIRECT_URIS: undefined,
        OIDC_POST_LOGOUT_REDIRECT_URIS: undefined,
        OIDC_CLIENTS: clients,
      }).clients[0]!.clientId,
    ).toBe(` ${id} `);
  });

  it.each([
    ['a tab', 'a\tb'],
    ['a non-ASCII letter', 'café'],
    ['a control character', 'a\u0001'],
  ])('refuses %s', (_what, id) => {
    expect(() => loadConfig(env(id))).toThrow(ConfigError);
  });
});
