/** Claim shaping: SUB_FORMAT, USERNAME_FROM, EMAIL_FALLBACK_TEMPLATE, GROUP_NAMES, phone numbers, REQUIRE_CLAIMS. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClaimsConfig } from '../../src/config/types.js';
import {
  type ClaimsSettings,
  missingRequiredClaims,
  phoneClaims,
  subjectOf,
  userinfoClaims,
} from '../../src/oidc/claims.js';
import type { WeComUser } from '../../src/wecom/identity.js';

const ALL = ['openid', 'profile', 'email', 'phone'];

function settings(claims: Partial<ClaimsConfig> = {}): ClaimsSettings {
  return {
    wecom: { corpId: 'wwcorp' },
    claims: { subFormat: 'userid', usernameFrom: 'userid', groupNames: false, requireClaims: [], ...claims },
  };
}

const zhang: WeComUser = {
  userid: 'zhangsan',
  name: '张三',
  mobile: '138 0013-8000',
  email: 'Zhang.San@gmail.example',
  bizMail: 'zhangsan@corp.example',
  departments: [2, 3],
  departmentNames: { '2': '研发部', '3': '前端组' },
};

describe('sub', () => {
  it('is the userid by default and corpid:userid on request, in userinfo too', () => {
    expect(subjectOf(settings(), 'zhangsan')).toBe('zhangsan');
    expect(subjectOf(settings({ subFormat: 'corpid:userid' }), 'zhangsan')).toBe('wwcorp:zhangsan');
    expect(userinfoClaims(zhang, ['openid'], settings({ subFormat: 'corpid:userid' }))).toEqual({
      sub: 'wwcorp:zhangsan',
    });
  });
});

describe('username', () => {
  it.each([
    ['userid', zhang, 'zhangsan'],
    ['mobile', zhang, '13800138000'],
    ['email_local_part', zhang, 'zhangsan'],
    ['email_local_part', { ...zhang, bizMail: undefined, email: 'Zhang_San@gmail.example' } as WeComUser, 'Zhang_San'],
    ['mobile', { ...zhang, mobile: '+852 6123 4567' }, '+85261234567'],
  ] as const)('USERNAME_FROM=%s', (from, user, expected) => {
    expect(userinfoClaims(user, ALL, settings({ usernameFrom: from })).username).toBe(expected);
  });

  it('omits values NocoBase would refuse, and missing sources', () => {
    expect(userinfoClaims({ userid: 'user@ext', departments: [] }, ALL, settings())).not.toHaveProperty('username');
    expect(
      userinfoClaims({ ...zhang, bizMail: undefined }, ALL, settings({ usernameFrom: 'email_local_part' })),
    ).not.toHaveProperty('username');
    expect(userinfoClaims({ userid: 'x'.repeat(51), departments: [] }, ALL, settings())).not.toHaveProperty('username');
    expect(
      userinfoClaims({ userid: 'lisi', departments: [] }, ALL, settings({ usernameFrom: 'mobile' })),
    ).not.toHaveProperty('username');
    expect(
      userinfoClaims({ userid: 'lisi', departments: [] }, ALL, settings({ usernameFrom: 'email_local_part' })),
    ).not.toHaveProperty('username');
    // preferred_username stays the userid whatever the username source.
    expect(userinfoClaims(zhang, ALL, settings({ usernameFrom: 'mobile' })).preferred_username).toBe('zhangsan');
  });
});

describe('email', () => {
  it('is verified only for the corporate mailbox', () => {
    expect(userinfoClaims(zhang, ['openid', 'email'], settings())).toMatchObject({
      email: 'zhangsan@corp.example',
      email_verified: true,
    });
    const personal = { ...zhang, bizMail: undefined } as WeComUser;
    expect(userinfoClaims(personal, ['openid', 'email'], settings())).toMatchObject({
      email: 'Zhang.San@gmail.example',
      email_verified: false,
    });
  });

  it('falls back to EMAIL_FALLBACK_TEMPLATE, unverified, and omits malformed results', () => {
    const fallback = settings({ emailFallbackTemplate: '{userid}@corp.example.com' });
    expect(userinfoClaims({ userid: 'lisi', departments: [] }, ['openid', 'email'], fallback)).toEqual({
      sub: 'lisi',
      email: 'lisi@corp.example.com',
      email_verified: false,
    });
    expect(userinfoClaims({ userid: 'a@b', departments: [] }, ['openid', 'email'], fallback)).toEqual({ sub: 'a@b' });
  });
});

describe('phone numbers', () => {
  it.each([
    ['13800138000', '+8613800138000', '13800138000'],
    ['138 0013 8000', '+8613800138000', '13800138000'],
    ['+86 138-0013-8000', '+8613800138000', '13800138000'],
    ['+852 61234567', '+85261234567', '+85261234567'],
    ['(010) 1234-5678', '+861012345678', '01012345678'],
    ['0086 138 0013 8000', '+8613800138000', '13800138000'],
    ['00852 6123 4567', '+85261234567', '+85261234567'],
  ])('%s → phone_number %s, phone %s', (mobile, e164, phone) => {
    expect(phoneClaims(mobile)).toEqual({ phone_number: e164, phone_number_verified: true, phone });
  });

  it('emits phone_number_verified: true exactly when it emits phone_number, whatever WeCom wrote (property)', () => {
    // Numbers as WeCom may hold them (prefixes, separators), and anything else a directory may hold.
    const separator = fc.constantFrom('', ' ', '-', '(', ')');
    const digits = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 9 }), separator), { minLength: 1, maxLength: 24 })
      .map((parts) => parts.map(([d, s]) => `${d}${s}`).join(''));
    const mobile = fc.oneof(
      fc.tuple(fc.constantFrom('', '+', '00', '+86 ', '0086'), digits).map(([prefix, rest]) => prefix + rest),
      fc.string(),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(mobile, fc.subarray(ALL), (value, scopes) => {
        const user: WeComUser = {
          userid: 'zhangsan',
          departments: [],
          ...(value === undefined ? {} : { mobile: value }),
        };
        const claims = userinfoClaims(user, ['openid', ...scopes], settings());
        expect('phone_number_verified' in claims).toBe('phone_number' in claims);
        if ('phone_number' in claims) expect(claims.phone_number_verified).toBe(true);
        expect('phone_number' in claims).toBe(scopes.includes('phone') && 'phone_number' in phoneClaims(value));
      }),
      { numRuns: 500 },
    );
  });

  it('omits what is not a phone number', () => {
    expect(phoneClaims('call me')).toEqual({});
    expect(phoneClaims('123')).toEqual({});
    expect(phoneClaims(undefined)).toEqual({});
  });
});

describe('groups', () => {
  it('are department ids as strings; names only with GROUP_NAMES', () => {
    expect(userinfoClaims(zhang, ['openid', 'groups'], settings())).toEqual({ sub: 'zhangsan', groups: ['2', '3'] });
    expect(userinfoClaims(zhang, ['openid', 'groups'], settings({ groupNames: true }))).toEqual({
      sub: 'zhangsan',
      groups: ['2', '3'],
      group_names: ['研发部', '前端组'],
    });
    expect(
      userinfoClaims({ userid: 'x', departments: [] }, ['openid', 'profile'], settings({ groupNames: true })),
    ).not.toHaveProperty('groups');
  });
});

describe('REQUIRE_CLAIMS', () => {
  it('lists what the member lacks, whatever scopes the relying party asked for', () => {
    const both = settings({ requireClaims: ['phone_number', 'email'] });
    expect(missingRequiredClaims(zhang, both)).toEqual([]);
    expect(missingRequiredClaims({ userid: 'lisi', departments: [] }, both)).toEqual(['phone_number', 'email']);
    const withFallback = settings({ requireClaims: ['email'], emailFallbackTemplate: '{userid}@corp.example.com' });
    expect(missingRequiredClaims({ userid: 'lisi', departments: [] }, withFallback)).toEqual([]);
  });
});
