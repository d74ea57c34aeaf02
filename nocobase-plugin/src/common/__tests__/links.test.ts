/**
 * The sign-in button's link (both client lanes) and when the sign-in page may start the login by
 * itself: only inside WeCom, with the option on, and not right after a sign-out.
 */
import { describe, expect, it } from 'vitest';
import { isWeComClient, registerUris, shouldAutoLogin, signInUrl } from '../links.js';

/** A desktop browser, and the WeCom client (its User-Agent carries `wxwork/`). */
const USER_AGENTS = {
  desktop:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  wecom:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 wxwork/4.1.26 MicroMessenger/7.0.1',
};

describe('the sign-in button', () => {
  it('links to the signIn route, carrying the page the person asked for', () => {
    expect(signInUrl('/api/', 'wecom', '')).toBe('/api/wecomBridge:signIn?authenticator=wecom');
    expect(signInUrl('/nb/api', 'we com', '?redirect=%2Fadmin%2Fx')).toBe(
      '/nb/api/wecomBridge:signIn?authenticator=we+com&redirect=%2Fadmin%2Fx',
    );
    // The modern lane without a page asked for: the server picks the configured page under /v/.
    expect(signInUrl('/api/', 'wecom', '', 'modern')).toBe('/api/wecomBridge:signIn?authenticator=wecom&lane=modern');
    expect(signInUrl('/api/', 'wecom', '?redirect=%2Fv%2Fx', 'modern')).toBe(
      '/api/wecomBridge:signIn?authenticator=wecom&redirect=%2Fv%2Fx',
    );
  });

  it('logs in by itself only inside WeCom, when the option is on and the person did not just sign out', () => {
    expect(isWeComClient(USER_AGENTS.wecom)).toBe(true);
    expect(isWeComClient(USER_AGENTS.desktop)).toBe(false);
    expect(shouldAutoLogin({ autoLoginInWeCom: true }, USER_AGENTS.wecom, 'a=1')).toBe(true);
    expect(shouldAutoLogin({ autoLoginInWeCom: true }, USER_AGENTS.wecom, 'a=1; wecom_bridge_signed_out=1')).toBe(
      false,
    );
    expect(shouldAutoLogin({ autoLoginInWeCom: false }, USER_AGENTS.wecom, '')).toBe(false);
    expect(shouldAutoLogin({ autoLoginInWeCom: true }, USER_AGENTS.desktop, '')).toBe(false);
  });
});

describe('the URIs the settings help shows for registration at the bridge', () => {
  it('names the redirect, post-logout and back-channel logout URIs of this NocoBase', () => {
    const saved = (globalThis as { window?: unknown }).window;
    try {
      (globalThis as { window?: unknown }).window = {
        location: { origin: 'https://nocobase.example.com' },
        __nocobase_public_path__: '/v/',
      };
      expect(registerUris('/api/')).toEqual({
        redirect: 'https://nocobase.example.com/api/wecomBridge:redirect',
        postLogout: 'https://nocobase.example.com/signin,https://nocobase.example.com/v/signin',
        backchannelLogout: 'https://nocobase.example.com/api/wecomBridge:backchannelLogout',
      });
    } finally {
      (globalThis as { window?: unknown }).window = saved;
    }
  });
});
