/**
 * Logs of the flows issue 3 adds (oidc-checklist.md §7.27): a login with a refresh token, a
 * refresh, a repeated WeCom callback, both kinds of sign-out and a refused refresh leave no code,
 * state, token, cookie value, confirmation token or secret in the log, even at trace level.
 */

import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, conformanceRp, exchange } from '../conformance/rp.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ captureLogs: true, env: { LOG_LEVEL: 'trace' } });
});

afterAll(async () => {
  await h.close();
});

describe('captured logs', () => {
  it('contain none of the secrets that crossed the wire', async () => {
    const secrets: string[] = [CLIENTS.modern.secret, CLIENTS.nocobase.secret];
    const rp = await conformanceRp(h);
    const browser = h.browser('zhangsan');

    // A login whose WeCom callback is hit twice.
    const flow = await browser.follow(
      oidc.buildAuthorizationUrl(rp.config, {
        redirect_uri: CLIENTS.modern.redirectUri,
        scope: 'openid offline_access',
        state: 'rp-state-value-123',
        nonce: 'nonce-value-456',
      }).href,
      `${h.issuer}/wecom/callback`,
    );
    const callback = new URL(flow.finalUrl);
    secrets.push(
      callback.searchParams.get('code')!,
      callback.searchParams.get('state')!,
      'rp-state-value-123',
      'nonce-value-456',
    );
    await browser.request(flow.finalUrl);
    const repeated = await browser.request(flow.finalUrl);
    const back = repeated.headers.get('location')!;
    const tokens = (
      await exchange(rp, {
        callbackUrl: back,
        params: {},
        state: 'rp-state-value-123',
        nonce: 'nonce-value-456',
        visited: [],
      })
    ).tokens!;
    secrets.push(new URL(back).searchParams.get('code')!, tokens.access_token, tokens.refresh_token!, tokens.id_token!);
    for (const cookie of browser.cookies.values()) secrets.push(cookie.value);

    // A refresh, then a reuse of the rotated token (refused, family revoked).
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
    secrets.push(refreshed.access_token, refreshed.refresh_token!, refreshed.id_token!);
    await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!).catch(() => undefined);

    // A confirmed sign-out, and a direct one.
    const ask = await (await browser.request(`${h.issuer}/logout`)).text();
    const handle = /name="logout_confirm" value="([^"]+)"/.exec(ask)![1]!;
    secrets.push(handle);
    await browser.request(`${h.issuer}/logout`, { method: 'POST', body: `logout_confirm=${handle}` });
    const second = h.browser('lisi');
    const login = await authorize(rp, second);
    secrets.push(login.tokens!.id_token!, login.tokens!.access_token);
    await second.request(
      oidc.buildEndSessionUrl(rp.config, {
        id_token_hint: login.tokens!.id_token!,
        post_logout_redirect_uri: CLIENTS.modern.postLogoutRedirectUri,
        state: 'logout-state-789',
      }).href,
    );
    secrets.push('logout-state-789');

    const log = h.logs.join('\n');
    expect(h.logs.length).toBeGreaterThan(20);
    expect(log).toContain('repeated WeCom callback');
    for (const secret of secrets) expect(log.includes(secret), `leaked: ${secret.slice(0, 12)}…`).toBe(false);
  });
});
