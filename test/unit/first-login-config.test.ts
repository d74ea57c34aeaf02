/** Configuration of claim shaping, policy and first-login support. */
import { describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from '../../src/config/load.js';
import { validEnv } from '../helpers/env.js';

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(validEnv(env));
  } catch (error) {
    return (error as ConfigError).problems.map((p) => `${p.variable}: ${p.message}`);
  }
  return [];
}

describe('claim shaping, policy and first-login variables', () => {
  it('default to the contract behaviour', () => {
    const config = loadConfig(validEnv());
    expect(config.claims).toEqual({
      subFormat: 'userid',
      usernameFrom: 'userid',
      groupNames: false,
      requireClaims: [],
    });
    expect(config.policy).toEqual({ allowedUsers: [], allowedDepartments: [], departmentCacheTtl: 600 });
    expect(config.firstLogin).toEqual({ profileTtl: 7_776_000, handoffTtl: 300 });
  });

  it('parse lists and values', () => {
    const config = loadConfig(
      validEnv({
        SUB_FORMAT: 'corpid:userid',
        USERNAME_FROM: 'email_local_part',
        EMAIL_FALLBACK_TEMPLATE: '{userid}@corp.example.com',
        GROUP_NAMES: 'yes',
        REQUIRE_CLAIMS: 'phone_number, email,phone_number',
        WECOM_ALLOWED_USERS: 'ZhangSan, lisi',
        WECOM_ALLOWED_DEPARTMENTS: '2,5,2',
        PROFILE_TTL: '0',
        HANDOFF_TTL: '120',
        OIDC_INITIATE_LOGIN_URI: 'https://nocobase.example.com/signin',
      }),
    );
    expect(config.claims).toEqual({
      subFormat: 'corpid:userid',
      usernameFrom: 'email_local_part',
      emailFallbackTemplate: '{userid}@corp.example.com',
      groupNames: true,
      requireClaims: ['phone_number', 'email'],
    });
    expect(config.policy.allowedUsers).toEqual(['zhangsan', 'lisi']);
    expect(config.policy.allowedDepartments).toEqual([2, 5]);
    expect(config.firstLogin).toEqual({ profileTtl: 0, handoffTtl: 120 });
    expect(config.clients[0]!.initiateLoginUri).toBe('https://nocobase.example.com/signin');
  });

  it('report every bad value by name', () => {
    expect(
      problems({
        SUB_FORMAT: 'email',
        USERNAME_FROM: 'name',
        EMAIL_FALLBACK_TEMPLATE: 'nobody@corp',
        REQUIRE_CLAIMS: 'phone',
        WECOM_ALLOWED_USERS: 'ok,not ok',
        WECOM_ALLOWED_DEPARTMENTS: '2,sales,0',
        HANDOFF_TTL: '5',
        OIDC_INITIATE_LOGIN_URI: 'http://nocobase.example.com/signin',
      }),
    ).toEqual(
      expect.arrayContaining([
        'SUB_FORMAT: must be userid or corpid:userid',
        'USERNAME_FROM: must be userid, mobile or email_local_part',
        expect.stringMatching(/^EMAIL_FALLBACK_TEMPLATE: must contain \{userid\}/),
        expect.stringMatching(/^REQUIRE_CLAIMS: only phone_number and email can be required; not understood: phone$/),
        expect.stringMatching(/^WECOM_ALLOWED_USERS: not WeCom userids .*: not ok$/),
        expect.stringMatching(/^WECOM_ALLOWED_DEPARTMENTS: not department ids .*: sales, 0$/),
        'HANDOFF_TTL: must be at least 60',
        expect.stringMatching(/^OIDC_INITIATE_LOGIN_URI: .*http:\/\//),
      ]),
    );
  });

  it('refuses REQUIRE_CLAIMS with snsapi_base, which never yields phone or email', () => {
    expect(problems({ REQUIRE_CLAIMS: 'email', WECOM_SCOPE: 'snsapi_base' })).toEqual([
      'REQUIRE_CLAIMS: needs WECOM_SCOPE=snsapi_privateinfo (snsapi_base never yields phone or email)',
    ]);
  });
});
