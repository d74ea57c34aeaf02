import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, withDotEnv } from '../../src/config/load.js';
import { TRUST_PROXY_TRUE_REFUSED } from '../../src/config/parsers.js';
import { validEnv } from '../helpers/env.js';

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.variable}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('config loader', () => {
  it('applies the contract defaults', () => {
    const config = loadConfig(validEnv());
    expect(config.host).toBe('0.0.0.0');
    expect(config.port).toBe(8080);
    expect(config.wecom).toMatchObject({
      apiBase: 'https://qyapi.weixin.qq.com',
      oauthBase: 'https://open.weixin.qq.com',
      ssoBase: 'https://login.work.weixin.qq.com',
      scope: 'snsapi_privateinfo',
      loginMode: 'auto',
    });
    expect(config.signing).toEqual({ alg: 'RS256', dataDir: './data' });
    expect(config.ttl).toEqual({
      code: 60,
      accessToken: 600,
      idToken: 3600,
      refreshToken: 1_209_600,
      session: 28_800,
      login: 600,
    });
    expect(config.trustProxy).toBe(false);
    expect(config.logLevel).toBe('info');
    expect(config.redis).toBeUndefined();
    expect(config.clients).toEqual([
      {
        clientId: 'nocobase',
        clientSecret: 'se+cr/et=with:special%chars 0123456789',
        redirectUris: ['https://nocobase.example.com/api/oidc:redirect'],
        postLogoutRedirectUris: [],
      },
    ]);
  });

  it('lists every problem at once, naming each variable', () => {
    const problems = problemsOf({
      WECOM_AGENT_ID: 'abc',
      PORT: '70000',
      SIGNING_ALG: 'HS256',
      CODE_TTL: 'soon',
      WECOM_LOGIN_MODE: 'sometimes',
      OIDC_CLIENT_ID: 'nocobase',
      OIDC_CLIENT_SECRET: 'short',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PUBLIC_URL: required/),
        expect.stringMatching(/^WECOM_CORP_ID: required/),
        expect.stringMatching(/^WECOM_AGENT_ID: must be the numeric AgentId/),
        expect.stringMatching(/^WECOM_SECRET: required/),
        expect.stringMatching(/^PORT: must be at most 65535/),
        expect.stringMatching(/^SIGNING_ALG: must be RS256, PS256, ES256 or EdDSA/),
        expect.stringMatching(/^CODE_TTL: must be a whole number/),
        expect.stringMatching(/^WECOM_LOGIN_MODE: must be auto, oauth or qr/),
        expect.stringMatching(/^OIDC_CLIENT_SECRET: must be at least 16 characters/),
        expect.stringMatching(/^OIDC_REDIRECT_URIS: required with OIDC_CLIENT_ID/),
      ]),
    );
  });

  it('formats one message without secrets', () => {
    try {
      loadConfig(validEnv({ OIDC_CLIENT_SECRET: 'tooShortSecret', PUBLIC_URL: 'https://sso.example.com/' }));
      expect.unreachable();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/^Invalid configuration \(2 problems\):\n {2}- /);
      expect(message).toContain('PUBLIC_URL: must not end with "/" (use "https://sso.example.com")');
      expect(message).not.toContain('tooShortSecret');
    }
  });

  it('rejects issuer forms relying parties would not match byte for byte', () => {
    expect(problemsOf(validEnv({ PUBLIC_URL: 'https://sso.example.com:443' }))[0]).toMatch(
      /normal form.*no default port/,
    );
    expect(problemsOf(validEnv({ PUBLIC_URL: 'https://SSO.example.com' }))[0]).toMatch(/normal form/);
    expect(problemsOf(validEnv({ PUBLIC_URL: 'https://sso.example.com/?x=1' }))[0]).toMatch(/query/);
    expect(problemsOf(validEnv({ PUBLIC_URL: 'sso.example.com' }))[0]).toMatch(/absolute/);
    expect(loadConfig(validEnv({ PUBLIC_URL: 'https://example.com/wecom' })).publicUrl).toBe(
      'https://example.com/wecom',
    );
  });

  it('allows plain http only on loopback unless ALLOW_INSECURE_HTTP is set', () => {
    expect(problemsOf(validEnv({ PUBLIC_URL: 'http://sso.corp.local' }))[0]).toMatch(
      /^PUBLIC_URL: uses http:\/\/ on a non-loopback host/,
    );
    expect(loadConfig(validEnv({ PUBLIC_URL: 'http://127.0.0.1:8080' })).publicUrl).toBe('http://127.0.0.1:8080');
    const intranet = loadConfig(
      validEnv({
        PUBLIC_URL: 'http://sso.corp.local',
        OIDC_REDIRECT_URIS: 'http://nocobase.corp.local/api/oidc:redirect',
        ALLOW_INSECURE_HTTP: 'yes',
      }),
    );
    expect(intranet.allowInsecureHttp).toBe(true);
  });

  it('validates redirect URIs and keeps them exactly as written', () => {
    expect(problemsOf(validEnv({ OIDC_REDIRECT_URIS: 'https://rp.example.com/cb#frag' }))[0]).toMatch(/fragment/);
    expect(problemsOf(validEnv({ OIDC_REDIRECT_URIS: 'not a url' }))[0]).toMatch(/not an absolute URL/);
    const config = loadConfig(
      validEnv({ OIDC_REDIRECT_URIS: ' https://rp.example.com/cb?x=%41 , https://rp.example.com/other ' }),
    );
    expect(config.clients[0]!.redirectUris).toEqual([
      'https://rp.example.com/cb?x=%41',
      'https://rp.example.com/other',
    ]);
  });

  it('parses OIDC_CLIENTS and names the client and field of each problem', () => {
    const clients = JSON.stringify([
      {
        client_id: 'grafana',
        client_secret: 'grafana-secret-0123456789',
        redirect_uris: ['https://grafana.example.com/login/generic_oauth'],
      },
      { client_id: 'broken', client_secret: 'short', redirect_uris: ['ftp://x'] },
      { client_secret: 'another-secret-0123456789', redirect_uris: [] },
    ]);
    const problems = problemsOf(validEnv({ OIDC_CLIENTS: clients }));
    expect(problems).toEqual(
      expect.arrayContaining([
        'OIDC_CLIENTS[1].client_secret: (client "broken") must be at least 16 characters',
        expect.stringMatching(/^OIDC_CLIENTS\[2\]\.client_id: /),
        'OIDC_CLIENTS[2].redirect_uris: must list at least one redirect URI',
      ]),
    );
    const ok = loadConfig(validEnv({ OIDC_CLIENTS: JSON.stringify([JSON.parse(clients)[0]]) }));
    expect(ok.clients.map((c) => c.clientId)).toEqual(['nocobase', 'grafana']);
    expect(problemsOf(validEnv({ OIDC_CLIENTS: '{nope' }))).toEqual([
      'OIDC_CLIENTS: is not valid JSON (expected an array of client objects)',
    ]);
    expect(
      problemsOf(
        validEnv({
          OIDC_CLIENTS: JSON.stringify([
            { client_id: 'nocobase', client_secret: 'x'.repeat(20), redirect_uris: ['https://a.example/cb'] },
          ]),
        }),
      ),
    ).toEqual(['OIDC_CLIENTS: client_id "nocobase" is configured twice']);
  });

  it('requires a relying party', () => {
    expect(problemsOf(validEnv({ OIDC_CLIENT_ID: '', OIDC_CLIENT_SECRET: '', OIDC_REDIRECT_URIS: '' }))).toEqual([
      'OIDC_CLIENT_ID: required (or OIDC_CLIENTS): no relying party is configured',
    ]);
  });

  it('reads *_FILE variables, trims the trailing newline, and refuses both forms', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wob-config-'));
    writeFileSync(join(dir, 'secret'), 'file-secret-value\n');
    const config = loadConfig(validEnv({ WECOM_SECRET: undefined, WECOM_SECRET_FILE: join(dir, 'secret') }));
    expect(config.wecom.secret).toBe('file-secret-value');
    expect(problemsOf(validEnv({ WECOM_SECRET_FILE: join(dir, 'secret') }))).toEqual([
      'WECOM_SECRET_FILE: set together with WECOM_SECRET; set only one of them',
    ]);
    expect(problemsOf(validEnv({ WECOM_SECRET: undefined, WECOM_SECRET_FILE: join(dir, 'missing') }))).toEqual(
      expect.arrayContaining([`WECOM_SECRET_FILE: cannot read "${join(dir, 'missing')}" (ENOENT)`]),
    );
  });

  it('understands TRUST_PROXY as false, hop count or address list', () => {
    expect(loadConfig(validEnv({})).trustProxy).toBe(false);
    expect(loadConfig(validEnv({ TRUST_PROXY: 'off' })).trustProxy).toBe(false);
    expect(loadConfig(validEnv({ TRUST_PROXY: '0' })).trustProxy).toBe(false);
    expect(loadConfig(validEnv({ TRUST_PROXY: '2' })).trustProxy).toBe(2);
    expect(loadConfig(validEnv({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' })).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
    ]);
    expect(problemsOf(validEnv({ TRUST_PROXY: 'the proxy' }))[0]).toMatch(/^TRUST_PROXY: .*not understood: the proxy/);
  });

  it('refuses TRUST_PROXY=true (the client would pick its own address), naming the safe forms, beside every other problem', () => {
    for (const value of ['true', 'True', 'yes', 'ON']) {
      expect(problemsOf(validEnv({ TRUST_PROXY: value }))).toEqual([`TRUST_PROXY: ${TRUST_PROXY_TRUE_REFUSED}`]);
    }
    expect(TRUST_PROXY_TRUE_REFUSED).toMatch(
      /^true \(trust every hop\) is refused: .*hop count.*addresses\/CIDRs of your proxies/,
    );
    const problems = problemsOf(validEnv({ TRUST_PROXY: 'true', PORT: 'eighty' }));
    expect(problems).toHaveLength(2);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: /),
        expect.stringMatching(/^TRUST_PROXY: true \(trust every hop\) is refused/),
      ]),
    );
  });

  it('treats booleans strictly (never "false" as true)', () => {
    expect(loadConfig(validEnv({ ALLOW_INSECURE_HTTP: 'false' })).allowInsecureHttp).toBe(false);
    expect(problemsOf(validEnv({ ALLOW_INSECURE_HTTP: 'maybe' }))).toEqual([
      'ALLOW_INSECURE_HTTP: must be true or false',
    ]);
  });

  it('checks the signing key against the algorithm', () => {
    expect(problemsOf(validEnv({ SIGNING_KEY: 'not a key' }))[0]).toMatch(/^SIGNING_KEY: is neither a PEM private key/);
    const ecKey =
      '{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}';
    expect(loadConfig(validEnv({ SIGNING_KEY: ecKey, SIGNING_ALG: 'ES256' })).signing.alg).toBe('ES256');
    expect(problemsOf(validEnv({ SIGNING_KEY: ecKey }))[0]).toMatch(
      /^SIGNING_KEY: the first \(signing\) key is a ec key; RS256 needs an RSA key/,
    );
  });

  it('reads .env without overriding the real environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wob-dotenv-'));
    writeFileSync(join(dir, '.env'), 'PORT=9999\nLOG_LEVEL=debug\n# comment\n');
    const env = withDotEnv({ LOG_LEVEL: 'warn' }, dir);
    expect(env.PORT).toBe('9999');
    expect(env.LOG_LEVEL).toBe('warn');
    expect(withDotEnv({ A: '1' }, join(dir, 'nowhere'))).toEqual({ A: '1' });
  });
});
