/**
 * Basic OP plan (oidc-checklist.md §1): `oidcc-refresh-token`. `offline_access` is advertised, so
 * the suite requests it (with prompt=consent, OIDC Core §11) and checks the refresh response,
 * the refreshed ID token (OIDC Core §12.2) and the binding of the refresh token to its client.
 */

import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { nocobaseClient, nocobaseLogin } from '../helpers/rp.js';
import { checkIdToken, checkTokenError, checkTokenHttp, checkUserinfo } from './checks.js';
import { authorize, conformanceRp, lastResponse } from './rp.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

const SCOPE = 'openid profile offline_access';

describe('oidcc-refresh-token', () => {
  it('refreshes: 200 no-store JSON, strong tokens, the ID token keeps iss/sub/aud/auth_time with a new iat', async () => {
    const rp = await conformanceRp(h);
    const login = await authorize(rp, h.browser('zhangsan'), { scope: SCOPE, extra: { prompt: 'consent' } });
    const first = login.tokens!;
    expect(first.refresh_token).toMatch(/^[\x20-\x7E]{43,}$/);
    const firstClaims = first.claims()!;
    h.clock.advance(1);
    const refreshed = await oidc.refreshTokenGrant(rp.config, first.refresh_token!, { scope: SCOPE });
    const body = checkTokenHttp(lastResponse(rp, '/token'));
    expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(body.refresh_token).not.toBe(first.refresh_token);
    expect(body.access_token).not.toBe(first.access_token);
    const claims = refreshed.claims()!;
    checkIdToken(claims, { issuer: h.issuer, clientId: CLIENTS.modern.id, nowSeconds: h.clock.now() / 1000 });
    for (const name of ['iss', 'sub', 'aud', 'auth_time', 'sid'] as const)
      expect(claims[name]).toEqual(firstClaims[name]);
    expect(claims.iat).toBeGreaterThan(firstClaims.iat);
    expect(claims).not.toHaveProperty('azp');
    const info = await oidc.fetchUserInfo(rp.config, refreshed.access_token, claims.sub);
    checkUserinfo(info, 'zhangsan');
  });

  it("a second client presenting the first client's refresh token gets 400 invalid_grant", async () => {
    const rp = await conformanceRp(h, 'modern');
    const login = await authorize(rp, h.browser('zhangsan'), { scope: SCOPE, extra: { prompt: 'consent' } });
    const nocobase = await nocobaseClient(h);
    const stolen = await nocobase.refresh(login.tokens!.refresh_token!).catch((error: unknown) => error);
    expect(stolen).toMatchObject({ error: 'invalid_grant' });
    // Refused without harm: the rightful client can still use it.
    const own = await oidc.refreshTokenGrant(rp.config, login.tokens!.refresh_token!);
    expect(own.claims()!.sub).toBe('zhangsan');
  });

  it('works for an openid-client v5 relying party too, and the other way round is refused', async () => {
    const login = await nocobaseLogin(h, h.browser('lisi'), SCOPE);
    const refreshed = await login.client.refresh(login.tokenSet!.refresh_token!);
    expect(refreshed.claims()).toMatchObject({
      sub: 'lisi',
      aud: CLIENTS.nocobase.id,
      auth_time: login.tokenSet!.claims().auth_time,
    });
    const rp = await conformanceRp(h, 'modern');
    const stolen = await oidc.refreshTokenGrant(rp.config, refreshed.refresh_token!).catch((error: unknown) => error);
    expect((stolen as oidc.ResponseBodyError).error).toBe('invalid_grant');
    checkTokenError(lastResponse(rp, '/token'), 'invalid_grant');
  });

  it('issues no refresh token without offline_access', async () => {
    const rp = await conformanceRp(h);
    const login = await authorize(rp, h.browser('zhangsan'), { scope: 'openid profile' });
    expect(login.tokens).not.toHaveProperty('refresh_token');
  });
});
