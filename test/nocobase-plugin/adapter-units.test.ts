/**
 * The adapter's pure parts, without NocoBase: its options and their checks, the redirect paths it
 * accepts, how claims become lookups and a new user, the sign-in button's links and auto login,
 * the one-time, browser-bound login transactions, and the failure page's escaping.
 */
import { describe, expect, it } from 'vitest';
import { isWeComClient, shouldAutoLogin, signInUrl } from '../../nocobase-plugin/src/client/links.js';
import { lookupValues, newUserValues, phoneCandidates, storedPhone } from '../../nocobase-plugin/src/server/claims.js';
import { SignInError } from '../../nocobase-plugin/src/server/errors.js';
import { optionProblems, readOptions, safeRedirectPath } from '../../nocobase-plugin/src/server/options.js';
import { failurePage } from '../../nocobase-plugin/src/server/pages.js';
import { randomToken, saveTransaction, sha256, takeTransaction, type KeyValueCache } from '../../nocobase-plugin/src/server/transactions.js';
import { USER_AGENTS } from '../helpers/browser.js';

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
    expect(readOptions({ ...WORKING, autoSignup: false, bindBy: ['username', 'nonsense'], scope: ' openid  email openid ' })).toMatchObject({ autoSignup: false, bindBy: ['username'], scope: 'openid email' });
  });

  it('accepts a working configuration and names each problem of a broken one', () => {
    expect(optionProblems(WORKING)).toEqual([]);
    expect(optionProblems({ ...WORKING, issuer: 'http://127.0.0.1:8080' })).toEqual([]);
    const problems = optionProblems({ issuer: 'http://sso.example.com', clientId: ' ', scope: 'profile', bindBy: ['mobile'], redirectPath: '//evil.example' });
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/must be an https URL[\s\S]*Client ID is required[\s\S]*Client secret is required[\s\S]*"openid"[\s\S]*Bind by may only list phone, email, username[\s\S]*must be a path on this NocoBase/);
    expect(optionProblems({ ...WORKING, issuer: 'https://sso.example.com/?tenant=1' })[0]).toContain('without query or fragment');
  });

  it('lands only on paths of this site', () => {
    for (const good of ['/admin', '/admin/settings?tab=1', '/m/page#x']) expect(safeRedirectPath(good, '/admin')).toBe(good);
    for (const bad of ['', 'admin', '//evil.example', '/\\evil.example', 'https://evil.example/', '/admin\r\nSet-Cookie: x=1', `/${'a'.repeat(2048)}`]) {
      expect(safeRedirectPath(bad, '/admin')).toBe('/admin');
    }
  });
});

describe('claims to NocoBase users', () => {
  it('finds a user stored with or without +86 by the bridge\'s E.164 number', () => {
    expect(phoneCandidates({ sub: 'a', phone_number: '+8613800000000' })).toEqual(['+8613800000000', '8613800000000', '13800000000']);
    expect(phoneCandidates({ sub: 'a', phone_number: '+1 (415) 555-0100' })).toEqual(['+14155550100', '14155550100']);
    expect(phoneCandidates({ sub: 'a', phone_number: '+8613800000000', phone_number_verified: false })).toEqual([]);
    expect(phoneCandidates({ sub: 'a', phone_number: 'call me' })).toEqual([]);
    expect(storedPhone({ sub: 'a', phone_number: '+8613800000000' })).toBe('13800000000');
    expect(storedPhone({ sub: 'a', phone_number: '+14155550100' })).toBe('+14155550100');
  });

  it('binds by email only when the provider vouches for it, in either case', () => {
    expect(lookupValues('email', { sub: 'a', email: 'Li.Na@Corp.example' })).toEqual([]);
    expect(lookupValues('email', { sub: 'a', email: 'Li.Na@Corp.example', email_verified: true })).toEqual(['Li.Na@Corp.example', 'li.na@corp.example']);
    expect(lookupValues('username', { sub: 'a', preferred_username: ' lina ' })).toEqual(['lina']);
    expect(lookupValues('username', { sub: 'a' })).toEqual([]);
  });

  it('gives a new user a nickname, always, and only well-formed values', () => {
    expect(newUserValues({ sub: 'lina', name: '李娜', preferred_username: 'lina', email: 'lina@corp.example', phone_number: '+8613900139000' }))
      .toEqual({ nickname: '李娜', username: 'lina', email: 'lina@corp.example', phone: '13900139000' });
    expect(newUserValues({ sub: 'wx-01', email: 'not an email' })).toEqual({ nickname: 'wx-01', username: undefined, email: undefined, phone: undefined });
  });
});

describe('the sign-in button', () => {
  it('links to the signIn route, carrying the page the person asked for', () => {
    expect(signInUrl('/api/', 'wecom', '')).toBe('/api/wecomBridge:signIn?authenticator=wecom');
    expect(signInUrl('/nb/api', 'we com', '?redirect=%2Fadmin%2Fx')).toBe('/nb/api/wecomBridge:signIn?authenticator=we+com&redirect=%2Fadmin%2Fx');
  });

  it('logs in by itself only inside WeCom, when the option is on and the person did not just sign out', () => {
    expect(isWeComClient(USER_AGENTS.wecom)).toBe(true);
    expect(isWeComClient(USER_AGENTS.desktop)).toBe(false);
    expect(shouldAutoLogin({ autoLoginInWeCom: true }, USER_AGENTS.wecom, 'a=1')).toBe(true);
    expect(shouldAutoLogin({ autoLoginInWeCom: true }, USER_AGENTS.wecom, 'a=1; wecom_bridge_signed_out=1')).toBe(false);
    expect(shouldAutoLogin({ autoLoginInWeCom: false }, USER_AGENTS.wecom, '')).toBe(false);
    expect(shouldAutoLogin({ autoLoginInWeCom: true }, USER_AGENTS.desktop, '')).toBe(false);
  });
});

/** NocoBase's cache, in memory (ttl ignored: the tests finish well inside it). */
function memoryCache(): KeyValueCache & { keys(): string[] } {
  const entries = new Map<string, unknown>();
  return {
    get: async (key) => entries.get(key),
    set: async (key, value) => entries.set(key, value),
    del: async (key) => entries.delete(key),
    keys: () => [...entries.keys()],
  };
}

describe('login transactions', () => {
  const started = () => ({ state: randomToken(), binding: randomToken() });
  const transaction = (binding: string) => ({ authenticator: 'wecom', issuer: 'https://sso.example.com', nonce: randomToken(), codeVerifier: randomToken(), returnTo: '/admin', browser: sha256(binding) });

  it('gives the transaction once, to the browser that started it; stores neither state nor binding in clear', async () => {
    const cache = memoryCache();
    const { state, binding } = started();
    const saved = transaction(binding);
    await saveTransaction(cache, state, saved);
    expect(cache.keys().join()).not.toContain(state);
    expect(JSON.stringify(saved)).not.toContain(binding);
    await expect(takeTransaction(cache, state, randomToken())).rejects.toMatchObject({ failure: 'state_invalid' });
    await expect(takeTransaction(cache, state, undefined)).rejects.toMatchObject({ failure: 'state_invalid' });
    expect(await takeTransaction(cache, state, binding)).toEqual(saved);
    await expect(takeTransaction(cache, state, binding)).rejects.toMatchObject({ failure: 'state_used' });
  });

  it('refuses states it never issued, and odd values', async () => {
    const cache = memoryCache();
    for (const state of ['forged', '', 'x'.repeat(513), ['a'], undefined]) {
      await expect(takeTransaction(cache, state, randomToken())).rejects.toMatchObject({ failure: 'state_invalid', status: 400 });
    }
  });
});

describe('the failure page', () => {
  it('escapes what the provider said and names the failure for scripts and people', () => {
    const page = failurePage(new SignInError('provider_error', 'log only', '<img src=x onerror=alert(1)>'), { lang: 'en-US', signInPath: '/signin', reference: 'req-1"' });
    expect(page).toContain('data-failure="provider_error"');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('log only');
    expect(page).toContain('req-1&quot;');
    expect(page).toContain('href="/signin"');
    expect(failurePage(new SignInError('no_account', 'x'), { lang: 'zh-CN', signInPath: '/signin' })).toContain('<html lang="zh-CN">');
  });
});
