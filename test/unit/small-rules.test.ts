/**
 * Small pure rules: claims shaping, error descriptions, redirect building, page language.
 */
import { describe, expect, it } from 'vitest';
import { toSafeDescription } from '../../src/errors/bridge-error.js';
import { phoneClaims, userinfoClaims } from '../../src/oidc/claims.js';
import { withQuery } from '../../src/oidc/redirect.js';
import { pickLang } from '../../src/pages/i18n.js';
import { chooseLeg } from '../../src/wecom/login-url.js';

/** The defaults: sub = userid, username from userid, no fallback email. */
const SETTINGS = {
  wecom: { corpId: 'wwcorp' },
  claims: { subFormat: 'userid', usernameFrom: 'userid', groupNames: false, requireClaims: [] },
} as const;

describe('claims', () => {
  const user = {
    userid: 'zhangsan',
    name: '张三',
    mobile: '13800138000',
    email: 'z@gmail.example',
    bizMail: 'z@corp.example',
    avatar: 'https://a/0',
    gender: '1' as const,
    departments: [2, 3],
  };

  it('filters by scope and omits what is missing', () => {
    expect(userinfoClaims(user, ['openid'], SETTINGS)).toEqual({ sub: 'zhangsan' });
    expect(userinfoClaims(user, ['openid', 'email'], SETTINGS)).toEqual({
      sub: 'zhangsan',
      email: 'z@corp.example',
      email_verified: true,
    });
    expect(userinfoClaims({ ...user, bizMail: undefined } as never, ['openid', 'email'], SETTINGS)).toEqual({
      sub: 'zhangsan',
      email: 'z@gmail.example',
      email_verified: false,
    });
    expect(userinfoClaims({ userid: 'u', departments: [] }, ['openid', 'profile', 'email', 'phone'], SETTINGS)).toEqual(
      { sub: 'u', preferred_username: 'u', username: 'u' },
    );
    expect(userinfoClaims(user, ['openid', 'groups'], SETTINGS)).toEqual({ sub: 'zhangsan', groups: ['2', '3'] });
  });

  it('normalises phone numbers: E.164 with +86 by default, and NocoBase’s local form', () => {
    expect(phoneClaims('13800138000')).toEqual({
      phone_number: '+8613800138000',
      phone_number_verified: true,
      phone: '13800138000',
    });
    expect(phoneClaims('+86 138-0013-8000')).toEqual({
      phone_number: '+8613800138000',
      phone_number_verified: true,
      phone: '13800138000',
    });
    expect(phoneClaims('+852 61234567')).toEqual({
      phone_number: '+85261234567',
      phone_number_verified: true,
      phone: '+85261234567',
    });
    expect(phoneClaims('not a number')).toEqual({});
    expect(phoneClaims(undefined)).toEqual({});
  });

  it('omits usernames NocoBase refuses (1-50 chars, none of @ . < > " \' /)', () => {
    expect(userinfoClaims({ userid: 'a@b', departments: [] }, ['openid', 'profile'], SETTINGS)).not.toHaveProperty(
      'username',
    );
    expect(
      userinfoClaims({ userid: 'x'.repeat(51), departments: [] }, ['openid', 'profile'], SETTINGS),
    ).not.toHaveProperty('username');
    expect(userinfoClaims({ userid: 'Li.Na-01', departments: [] }, ['openid', 'profile'], SETTINGS)).not.toHaveProperty(
      'username',
    );
    expect(userinfoClaims({ userid: 'Li_Na-01', departments: [] }, ['openid', 'profile'], SETTINGS).username).toBe(
      'Li_Na-01',
    );
  });
});

describe('error descriptions', () => {
  it('keep only RFC 6749 error_description characters', () => {
    expect(toSafeDescription('invalid "x" \\ 无效 ok')).toBe('invalid ?x? ? ?? ok');
    expect(toSafeDescription('a'.repeat(400))).toHaveLength(300);
  });
});

describe('redirects', () => {
  it('append to the registered query byte for byte and encode the state once', () => {
    expect(withQuery('https://rp.example/cb', { code: 'c', state: 'a b%2F' })).toBe(
      'https://rp.example/cb?code=c&state=a+b%252F',
    );
    expect(withQuery('https://rp.example/cb?x=%41', { code: 'c' })).toBe('https://rp.example/cb?x=%41&code=c');
    expect(withQuery('https://rp.example/cb?', { code: 'c', state: undefined })).toBe('https://rp.example/cb?code=c');
  });
});

describe('page language', () => {
  it('prefers ?lang, then ui_locales, then Accept-Language by weight, else Chinese', () => {
    expect(pickLang('en', 'zh-CN', 'zh')).toBe('en');
    expect(pickLang(undefined, 'fr en-US', 'zh')).toBe('en');
    expect(pickLang(undefined, undefined, 'fr;q=1, en;q=0.8, zh;q=0.9')).toBe('zh');
    expect(pickLang(undefined, undefined, 'en-GB,en;q=0.9')).toBe('en');
    expect(pickLang(undefined, undefined, undefined)).toBe('zh');
  });
});

describe('WeCom leg', () => {
  it('uses in-client OAuth only for WeCom webviews in auto mode', () => {
    expect(chooseLeg('auto', 'Mozilla/5.0 ... wxwork/4.1.26 MicroMessenger/7.0.1')).toBe('oauth');
    expect(chooseLeg('auto', 'Mozilla/5.0 ... WXWork/3.0 wxworklocal/1')).toBe('oauth');
    expect(chooseLeg('auto', 'Mozilla/5.0 ... MicroMessenger/8.0.47 NetType/WIFI')).toBe('qr');
    expect(chooseLeg('auto', undefined)).toBe('qr');
    expect(chooseLeg('oauth', undefined)).toBe('oauth');
    expect(chooseLeg('qr', 'wxwork/4')).toBe('qr');
  });
});
