/**
 * The server's pure parts, without NocoBase: the options and their checks, how claims become
 * lookups and a new user, and the failure page's escaping. (Redirect paths, login transactions
 * and hand-offs have files of their own.)
 */
import { describe, expect, it } from 'vitest';
import { lookupValues, newUserValues, phoneCandidates, storedPhone } from '../claims.js';
import { SignInError } from '../errors.js';
import { optionProblems, readOptions } from '../options.js';
import { failurePage } from '../pages.js';

const WORKING = { issuer: 'https://sso.example.com/', clientId: 'nocobase', clientSecret: 's3cret' };

describe('authenticator options', () => {
  it('applies the documented defaults', () => {
    expect(readOptions(WORKING)).toEqual({
      issuer: 'https://sso.example.com',
      clientId: 'nocobase',
      clientSecret: 's3cret',
      scope: 'openid profile email phone',
      bindBy: ['phone', 'email'],
      autoSignup: true,
      autoLoginInWeCom: false,
      redirectPath: '/admin',
    });
    expect(
      readOptions({ ...WORKING, autoSignup: false, bindBy: ['username', 'nonsense'], scope: ' openid  email openid ' }),
    ).toMatchObject({ autoSignup: false, bindBy: ['username'], scope: 'openid email' });
  });

  it('accepts a working configuration and names each problem of a broken one', () => {
    expect(optionProblems(WORKING)).toEqual([]);
    expect(optionProblems({ ...WORKING, issuer: 'http://127.0.0.1:8080' })).toEqual([]);
    const problems = optionProblems({
      issuer: 'http://sso.example.com',
      clientId: ' ',
      scope: 'profile',
      bindBy: ['mobile'],
      redirectPath: '//evil.example',
    });
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(
      /must be an https URL[\s\S]*Client ID is required[\s\S]*Client secret is required[\s\S]*"openid"[\s\S]*Bind by may only list phone, email, username[\s\S]*must be a path on this NocoBase/,
    );
    expect(optionProblems({ ...WORKING, issuer: 'https://sso.example.com/?tenant=1' })[0]).toContain(
      'without query or fragment',
    );
  });
});

describe('claims to NocoBase users', () => {
  it('finds a user stored with or without +86 by a verified E.164 number, and drops no other country code', () => {
    const verified = (phone_number: string) => ({ sub: 'a', phone_number, phone_number_verified: true });
    expect(phoneCandidates(verified('+8613800000000'))).toEqual(['+8613800000000', '13800000000']);
    expect(phoneCandidates(verified('+1 (415) 555-0100'))).toEqual(['+14155550100']);
    // The review's case: a US number must never match the mainland number with the same digits.
    expect(phoneCandidates(verified('+1 385 555 1234'))).toEqual(['+13855551234']);
    expect(phoneCandidates(verified('+1 385 555 1234'))).not.toContain('13855551234');
    expect(phoneCandidates(verified('13800000000'))).toEqual([]);
    expect(phoneCandidates(verified('call me'))).toEqual([]);
    expect(storedPhone(verified('+8613800000000'))).toBe('13800000000');
    expect(storedPhone(verified('+14155550100'))).toBe('+14155550100');
  });

  it('ignores a phone number the provider does not vouch for', () => {
    for (const phone_number_verified of [false, undefined, 'true', 1]) {
      expect(phoneCandidates({ sub: 'a', phone_number: '+8613800000000', phone_number_verified })).toEqual([]);
      expect(storedPhone({ sub: 'a', phone_number: '+8613800000000', phone_number_verified })).toBeUndefined();
    }
  });

  it('binds by email only when the provider vouches for it, in either case', () => {
    expect(lookupValues('email', { sub: 'a', email: 'Li.Na@Corp.example' })).toEqual([]);
    expect(lookupValues('email', { sub: 'a', email: 'Li.Na@Corp.example', email_verified: true })).toEqual([
      'Li.Na@Corp.example',
      'li.na@corp.example',
    ]);
    expect(lookupValues('username', { sub: 'a', preferred_username: ' lina ' })).toEqual(['lina']);
    expect(lookupValues('username', { sub: 'a' })).toEqual([]);
  });

  it('gives a new user a nickname, always, and only well-formed values', () => {
    expect(
      newUserValues({
        sub: 'lina',
        name: '李娜',
        preferred_username: 'lina',
        email: 'lina@corp.example',
        email_verified: true,
        phone_number: '+8613900139000',
        phone_number_verified: true,
      }),
    ).toEqual({ nickname: '李娜', username: 'lina', email: 'lina@corp.example', phone: '13900139000' });
    // Unverified values are not stored: they would block (and later bind) their real owner.
    expect(newUserValues({ sub: 'lina', email: 'boss@corp.example', phone_number: '+8613900139000' })).toMatchObject({
      email: undefined,
      phone: undefined,
    });
    expect(newUserValues({ sub: 'wx-01', email: 'not an email' })).toEqual({
      nickname: 'wx-01',
      username: undefined,
      email: undefined,
      phone: undefined,
    });
  });
});

describe('the failure page', () => {
  it('escapes what the provider said and names the failure for scripts and people', () => {
    const page = failurePage(new SignInError('provider_error', 'log only', '<img src=x onerror=alert(1)>'), {
      lang: 'en-US',
      signInPath: '/signin',
      reference: 'req-1"',
    });
    expect(page).toContain('data-failure="provider_error"');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('log only');
    expect(page).toContain('req-1&quot;');
    expect(page).toContain('href="/signin"');
    expect(failurePage(new SignInError('no_account', 'x'), { lang: 'zh-CN', signInPath: '/signin' })).toContain(
      '<html lang="zh-CN">',
    );
  });
});
