/** The offboarding variables: the event server's Token and EncodingAESKey, back-channel logout URIs. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { validEnv } from '../helpers/env.js';

const TOKEN = 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo';
const AES_KEY = '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt';

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.variable}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('offboarding configuration', () => {
  it('leaves events off without the variables', () => {
    expect(loadConfig(validEnv()).events).toBeUndefined();
  });

  it('turns events on with both, from values or _FILE variants', () => {
    expect(loadConfig(validEnv({ WECOM_CALLBACK_TOKEN: TOKEN, WECOM_CALLBACK_AES_KEY: AES_KEY })).events).toEqual({
      token: TOKEN,
      aesKey: AES_KEY,
      leaseSeconds: 30,
    });
    const dir = mkdtempSync(join(tmpdir(), 'events-'));
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    writeFileSync(join(dir, 'key'), `${AES_KEY}\n`);
    const config = loadConfig(
      validEnv({ WECOM_CALLBACK_TOKEN_FILE: join(dir, 'token'), WECOM_CALLBACK_AES_KEY_FILE: join(dir, 'key') }),
    );
    expect(config.events).toEqual({ token: TOKEN, aesKey: AES_KEY, leaseSeconds: 30 });
  });

  it('takes a shorter offboarding lease (tests) within its bounds', () => {
    const events = { WECOM_CALLBACK_TOKEN: TOKEN, WECOM_CALLBACK_AES_KEY: AES_KEY };
    expect(loadConfig(validEnv({ ...events, OFFBOARDING_LEASE: '10' })).events?.leaseSeconds).toBe(10);
    expect(problemsOf(validEnv({ ...events, OFFBOARDING_LEASE: '5' }))).toEqual([
      'OFFBOARDING_LEASE: must be at least 10',
    ]);
  });

  it('refuses one without the other, and malformed values, without echoing them', () => {
    expect(problemsOf(validEnv({ WECOM_CALLBACK_TOKEN: TOKEN }))).toEqual([
      expect.stringMatching(/^WECOM_CALLBACK_AES_KEY: required with WECOM_CALLBACK_TOKEN/),
    ]);
    expect(problemsOf(validEnv({ WECOM_CALLBACK_AES_KEY: AES_KEY }))).toEqual([
      expect.stringMatching(/^WECOM_CALLBACK_TOKEN: required with WECOM_CALLBACK_AES_KEY/),
    ]);
    const problems = problemsOf(
      validEnv({ WECOM_CALLBACK_TOKEN: 'bad token!', WECOM_CALLBACK_AES_KEY: `${AES_KEY.slice(0, 42)}=` }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^WECOM_CALLBACK_TOKEN: must be the Token/),
      expect.stringMatching(/^WECOM_CALLBACK_AES_KEY: must be the EncodingAESKey of 设置API接收: 43 letters/),
    ]);
    expect(problems.join('\n')).not.toContain('bad token');
  });

  it('accepts back-channel logout URIs on private and loopback http addresses, in both client forms', () => {
    const config = loadConfig(
      validEnv({
        OIDC_BACKCHANNEL_LOGOUT_URI: 'http://10.0.0.5:13000/api/wecomBridge:backchannelLogout',
        OIDC_CLIENTS: JSON.stringify([
          {
            client_id: 'second',
            client_secret: 'second-secret-0123456789',
            redirect_uris: ['https://second.example.com/cb'],
            backchannel_logout_uri: 'http://127.0.0.1:4000/bcl?tenant=a',
          },
        ]),
      }),
    );
    expect(config.clients.map((c) => c.backchannelLogoutUri)).toEqual([
      'http://10.0.0.5:13000/api/wecomBridge:backchannelLogout',
      'http://127.0.0.1:4000/bcl?tenant=a',
    ]);
  });

  it('refuses back-channel logout URIs with a fragment, credentials or another scheme, and without a client', () => {
    expect(problemsOf(validEnv({ OIDC_BACKCHANNEL_LOGOUT_URI: 'https://rp.example.com/bcl#x' }))).toEqual([
      expect.stringMatching(/^OIDC_BACKCHANNEL_LOGOUT_URI: .* must not contain a fragment/),
    ]);
    expect(problemsOf(validEnv({ OIDC_BACKCHANNEL_LOGOUT_URI: 'ftp://rp.example.com/bcl' }))).toEqual([
      expect.stringMatching(/^OIDC_BACKCHANNEL_LOGOUT_URI: .* must use https:\/\/ or http:\/\//),
    ]);
    const json = validEnv({
      OIDC_CLIENTS: JSON.stringify([
        {
          client_id: 'x',
          client_secret: 'x-secret-0123456789abc',
          redirect_uris: ['https://x.example.com/cb'],
          backchannel_logout_uri: 'https://u:p@x.example.com/bcl',
        },
      ]),
    });
    expect(problemsOf(json)).toEqual([
      expect.stringMatching(/^OIDC_CLIENTS\[0\]\.backchannel_logout_uri: .* must not contain user credentials/),
    ]);
    const noClient = validEnv({ OIDC_BACKCHANNEL_LOGOUT_URI: 'https://rp.example.com/bcl', OIDC_CLIENT_ID: undefined });
    expect(problemsOf(noClient)).toContain('OIDC_BACKCHANNEL_LOGOUT_URI: is set but OIDC_CLIENT_ID is not');
  });
});
