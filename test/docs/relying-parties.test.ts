/**
 * docs/relying-parties.md's configurations against a running bridge registered with the
 * documented OIDC_CLIENTS: oauth2-proxy and Grafana cannot run here, so each is checked for
 * consistency with discovery and the registration, then a real login is run with the same
 * client authentication, PKCE and scopes, and the claim settings are evaluated on its tokens the
 * way that software reads them. The plain openid-client app runs as printed.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { parseEnv } from 'node:util';
import jmespath from 'jmespath';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExampleApp } from '../../docs/examples/openid-client-app.js';
import { USER_AGENTS } from '../helpers/browser.js';
import { freePort } from '../helpers/free-port.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { ROOT, snippet } from './markdown.js';

const DOC = 'docs/relying-parties.md';
/** The issuer the documentation uses; the running bridge's issuer replaces it. */
const DOC_ISSUER = 'https://sso.example.com';

interface JsonClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
}

const documentedClients = JSON.parse(parseEnv(snippet(DOC, 'clients-env')).OIDC_CLIENTS!) as JsonClient[];
let h: Harness;
let discovery: Record<string, unknown>;
let examplePort: number;

beforeAll(async () => {
  examplePort = await freePort();
  // The documented clients, plus one for the example app on a loopback port it can listen on.
  const exampleClient = {
    client_id: 'example-app',
    client_secret: 'example-app-secret-0123456789',
    redirect_uris: [`http://127.0.0.1:${examplePort}/callback`],
  };
  // PROFILE_TTL=0: each test sees what WeCom itself gives on that path, not a remembered consent.
  h = await startHarness({
    env: { OIDC_CLIENTS: JSON.stringify([...documentedClients, exampleClient]), PROFILE_TTL: '0' },
  });
  discovery = (await (await fetch(`${h.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
});

afterAll(async () => {
  await h.close();
});

function client(id: string): JsonClient {
  const found = documentedClients.find((c) => c.client_id === id);
  if (!found) throw new Error(`OIDC_CLIENTS in ${DOC} has no ${id}`);
  return found;
}

function localIssuer(value: string): string {
  return value.replaceAll(DOC_ISSUER, h.issuer);
}

/** A login as that software runs it (Basic client authentication, PKCE S256); returns the tokens. */
async function login(
  c: JsonClient,
  redirectUri: string,
  scope: string,
  userAgent: string,
  extra: Record<string, string> = {},
) {
  const config = await oidc.discovery(
    new URL(h.issuer),
    c.client_id,
    c.client_secret,
    oidc.ClientSecretBasic(c.client_secret),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  const flow = await h.browser('zhangsan', userAgent).follow(url.href, redirectUri);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(flow.finalUrl), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  const idToken = tokens.claims()! as Record<string, unknown>;
  const userinfo = (await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub as string)) as Record<
    string,
    unknown
  >;
  return { idToken, userinfo };
}

describe('OIDC_CLIENTS example', () => {
  it('loads, and each client is usable', () => {
    expect(documentedClients.map((c) => c.client_id)).toEqual(['oauth2-proxy', 'grafana', 'my-app']);
    expect(h.config.clients.map((c) => c.clientId)).toEqual(
      expect.arrayContaining(['oauth2-proxy', 'grafana', 'my-app']),
    );
  });
});

describe('oauth2-proxy', () => {
  /** `key = value` lines of the TOML snippet (strings, arrays and booleans are JSON there). */
  const toml = Object.fromEntries(
    snippet(DOC, 'oauth2-proxy')
      .split('\n')
      .filter((line) => /^\w+ = /.test(line))
      .map((line) => {
        const [key, value] = line.split(/ = (.*)/s);
        return [key!, JSON.parse(value!) as unknown];
      }),
  ) as Record<string, string | string[]>;

  it('matches the bridge and its registration', () => {
    expect(toml.provider).toBe('oidc');
    expect(localIssuer(toml.oidc_issuer_url as string)).toBe(discovery.issuer);
    const registered = client(toml.client_id as string);
    expect(registered.client_secret).toBe(toml.client_secret);
    expect(registered.redirect_uris).toContain(toml.redirect_url);
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining((toml.scope as string).split(' ')));
    expect(discovery.code_challenge_methods_supported).toContain(toml.code_challenge_method);
    expect(toml.email_domains).toEqual(['*']);
  });

  it('gets the identity claim it is told to use on every login, desktop and in-client', async () => {
    for (const ua of [USER_AGENTS.desktop, USER_AGENTS.wecom]) {
      // oauth2-proxy also sends approval_prompt=force, which the bridge must ignore.
      const { idToken } = await login(client('oauth2-proxy'), toml.redirect_url as string, toml.scope as string, ua, {
        approval_prompt: 'force',
      });
      expect(idToken[toml.oidc_email_claim as string]).toBe('zhangsan');
    }
  });
});

describe('Grafana generic OAuth', () => {
  /** The INI snippet as { section: { key: value } }. */
  const ini: Record<string, Record<string, string>> = {};
  let section = '';
  for (const line of snippet(DOC, 'grafana').split('\n')) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header) ini[(section = header[1]!)] = {};
    const pair = /^(\w+) = (.*)$/.exec(line);
    if (pair) ini[section]![pair[1]!] = pair[2]!;
  }
  const oauth = ini['auth.generic_oauth']!;
  const redirectUri = `${ini.server!.root_url}login/generic_oauth`;

  /**
   * Grafana evaluates each attribute path on the ID token's claims, then on the userinfo, and
   * keeps the first non-empty string. An evaluation error would be logged by Grafana: none allowed.
   */
  function grafanaAttribute(path: string, idToken: object, userinfo: object): string {
    for (const data of [idToken, userinfo]) {
      const value: unknown = jmespath.search(data, path);
      if (typeof value === 'string' && value !== '') return value;
    }
    return '';
  }

  it('matches the bridge and its registration', () => {
    expect(oauth.enabled).toBe('true');
    expect(localIssuer(oauth.auth_url!)).toBe(discovery.authorization_endpoint);
    expect(localIssuer(oauth.token_url!)).toBe(discovery.token_endpoint);
    expect(localIssuer(oauth.api_url!)).toBe(discovery.userinfo_endpoint);
    const registered = client(oauth.client_id!);
    expect(registered.client_secret).toBe(oauth.client_secret);
    expect(registered.redirect_uris).toContain(redirectUri);
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(oauth.scopes!.split(' ')));
    expect(oauth.use_pkce).toBe('true');
  });

  it('ends the bridge session at the end_session_endpoint with a registered post-logout URI', () => {
    const signout = new URL(localIssuer(oauth.signout_redirect_url!));
    expect(`${signout.origin}${signout.pathname}`).toBe(discovery.end_session_endpoint);
    expect(signout.searchParams.get('client_id')).toBe(oauth.client_id);
    expect(client(oauth.client_id!).post_logout_redirect_uris).toContain(
      signout.searchParams.get('post_logout_redirect_uri'),
    );
  });

  it('finds login, name, an email and a role on a desktop login (no email from WeCom)', async () => {
    const { idToken, userinfo } = await login(client('grafana'), redirectUri, oauth.scopes!, USER_AGENTS.desktop);
    expect(userinfo).not.toHaveProperty('email');
    expect(grafanaAttribute(oauth.login_attribute_path!, idToken, userinfo)).toBe('zhangsan');
    expect(grafanaAttribute(oauth.name_attribute_path!, idToken, userinfo)).toBe('张三');
    expect(grafanaAttribute(oauth.email_attribute_path!, idToken, userinfo)).toBe('zhangsan@wecom.invalid');
    expect(grafanaAttribute(oauth.role_attribute_path!, idToken, userinfo)).toBe('Viewer');
  });

  it('uses the real email after an in-client login with consent', async () => {
    const { idToken, userinfo } = await login(client('grafana'), redirectUri, oauth.scopes!, USER_AGENTS.wecom);
    expect(grafanaAttribute(oauth.email_attribute_path!, idToken, userinfo)).toBe('zhangsan@corp.example');
  });
});

describe('the plain openid-client app', () => {
  it('is printed in the guide exactly as docs/examples/openid-client-app.ts', () => {
    expect(snippet(DOC, 'openid-client-app')).toBe(readFileSync(`${ROOT}docs/examples/openid-client-app.ts`, 'utf8'));
  });

  it('signs a person in: login, WeCom, callback, verified claims and userinfo', async () => {
    const redirectUri = `http://127.0.0.1:${examplePort}/callback`;
    const app: Server = await createExampleApp({
      issuer: h.issuer,
      clientId: 'example-app',
      clientSecret: 'example-app-secret-0123456789',
      redirectUri,
    });
    await new Promise<void>((resolve) => app.listen(examplePort, '127.0.0.1', resolve));
    try {
      const flow = await h
        .browser('lisi', USER_AGENTS.wecom)
        .follow(`http://127.0.0.1:${examplePort}/login`, 'nowhere:');
      expect(flow.response?.status).toBe(200);
      const result = JSON.parse(flow.body!) as { claims: Record<string, unknown>; userinfo: Record<string, unknown> };
      expect(result.claims).toMatchObject({ iss: h.issuer, sub: 'lisi', aud: 'example-app' });
      expect(typeof result.claims.nonce).toBe('string');
      expect(result.userinfo).toMatchObject({ sub: 'lisi', name: '李四', phone_number: '+8613900139000' });
      const noLogin = await fetch(`${redirectUri}?code=x&state=y`);
      expect(noLogin.status).toBe(400);
    } finally {
      await new Promise((resolve) => app.close(resolve));
    }
  });

  it('uses the my-app registration of OIDC_CLIENTS in its "Run it" example', () => {
    const runIt = /```ts\nimport \{ createExampleApp \}[\s\S]*?```/.exec(readFileSync(`${ROOT}${DOC}`, 'utf8'))![0];
    const my = client('my-app');
    expect(runIt).toContain(`clientId: '${my.client_id}'`);
    expect(runIt).toContain(`redirectUri: '${my.redirect_uris[0]}'`);
    expect(runIt).toContain(`issuer: '${DOC_ISSUER}'`);
  });
});
