/**
 * The login sealed in the browser's cookie (issue 19; docs/architecture.md "Login transactions"):
 * the largest request the bridge accepts still fits one cookie and signs in; a larger one is
 * refused at /authorize with a clear error instead of a cookie the browser would drop; a browser
 * keeps a few logins at once (tabs), the oldest dropped first; a cookie altered, or moved to
 * another browser, opens for nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LOGIN_COOKIES } from '../../src/login/login-cookie.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

function authorizeUrl(extra: Record<string, string>): string {
  const query = new URLSearchParams({
    client_id: CLIENTS.nocobase.id,
    redirect_uri: CLIENTS.nocobase.redirectUri,
    response_type: 'code',
    scope: 'openid',
    ...extra,
  });
  return `${h.issuer}/authorize?${query}`;
}

const loginCookies = (browser: ReturnType<Harness['browser']>) =>
  [...browser.cookies.keys()].filter((name) => name.startsWith('wecom-oidc-login-'));

describe('the sealed login cookie', () => {
  it('carries the largest accepted state and nonce, and the login completes', async () => {
    const state = 's'.repeat(2048);
    const browser = h.browser('zhangsan');
    const flow = await browser.follow(
      authorizeUrl({ state, nonce: 'n'.repeat(512), ui_locales: 'zh-CN en-US fr de ja ko it' }),
      CLIENTS.nocobase.redirectUri,
    );
    const answer = new URL(flow.finalUrl).searchParams;
    expect(answer.get('state')).toBe(state);
    expect(answer.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a request too large for one cookie at /authorize, back to the relying party with a clear error', async () => {
    const response = await h.browser().request(authorizeUrl({ state: 'x'.repeat(2049) }));
    expect(response.status).toBe(302);
    const back = new URL(response.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/state parameter is longer than 2048/);
    const quoted = await h.browser().request(authorizeUrl({ state: '"'.repeat(2048), nonce: '\\'.repeat(512) }));
    expect(new URL(quoted.headers.get('location')!).searchParams.get('error_description')).toMatch(
      /too large to keep during the login/,
    );
  });

  it(`keeps ${MAX_LOGIN_COOKIES} logins of one browser at once, dropping the oldest`, async () => {
    const browser = h.browser('lisi');
    const callbacks: string[] = [];
    for (let i = 0; i < MAX_LOGIN_COOKIES + 2; i += 1) {
      const flow = await browser.follow(authorizeUrl({ state: `tab-${i}` }), `${h.issuer}/wecom/callback`);
      callbacks.push(flow.finalUrl);
      expect(loginCookies(browser).length).toBeLessThanOrEqual(MAX_LOGIN_COOKIES);
    }
    // The newest logins complete; the two oldest were dropped from the browser.
    for (const [i, callback] of callbacks.entries()) {
      const done = await browser.follow(callback, CLIENTS.nocobase.redirectUri);
      const answer = new URL(done.finalUrl).searchParams;
      if (i < 2) expect(done.body).toContain('login_not_found');
      else expect(answer.get('state')).toBe(`tab-${i}`);
    }
  });

  it('opens for nobody when altered or carried to another browser', async () => {
    const owner = h.browser('zhangsan');
    const flow = await owner.follow(authorizeUrl({ state: 'mine' }), `${h.issuer}/wecom/callback`);
    const [name] = loginCookies(owner);
    const sealed = owner.cookies.get(name!)!;
    // Another browser with the owner's login cookie (but its own binding cookie).
    const thief = h.browser('zhangsan');
    await thief.request(authorizeUrl({ state: 'theirs' }));
    thief.cookies.set(name!, { ...sealed });
    const stolen = await thief.request(flow.finalUrl);
    expect(stolen.status).toBe(400);
    expect(await stolen.text()).toContain('browser_mismatch');
    // The owner's cookie with one character changed.
    owner.cookies.set(name!, {
      ...sealed,
      value: `${sealed.value.slice(0, -2)}${sealed.value.endsWith('A') ? 'B' : 'A'}`,
    });
    const altered = await owner.request(flow.finalUrl);
    expect(altered.status).toBe(400);
    expect(await altered.text()).toContain('browser_mismatch');
  });
});
