/**
 * Basic OP plan (oidc-checklist.md §1): `oidcc-codereuse` and `oidcc-codereuse-30seconds`. A code
 * redeemed twice is `invalid_grant`, and everything issued from its first redemption is revoked:
 * the access token then gets 401 at UserInfo, the refresh token `invalid_grant`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { CLIENTS, startHarness, type Harness } from '../helpers/harness.js';
import { nocobaseLogin } from '../helpers/rp.js';
import { checkTokenError } from './checks.js';
import { authorize, conformanceRp, exchange, lastResponse } from './rp.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

describe.each([
  ['oidcc-codereuse', 0],
  ['oidcc-codereuse-30seconds', 30],
])('%s', (_module, waitSeconds) => {
  it(`a second redemption after ${waitSeconds} s is 400 invalid_grant and revokes the first exchange's tokens`, async () => {
    const rp = await conformanceRp(h);
    const login = await authorize(rp, h.browser('zhangsan'), { scope: 'openid profile offline_access' });
    const first = login.tokens!;
    expect(await userinfoStatus(first.access_token)).toBe(200);
    h.clock.advance(waitSeconds);
    const replay = await exchange(rp, login).catch((error: unknown) => error);
    expect(replay).toBeInstanceOf(oidc.ResponseBodyError);
    expect((replay as oidc.ResponseBodyError).error).toBe('invalid_grant');
    checkTokenError(lastResponse(rp, '/token'), 'invalid_grant');
    expect(await userinfoStatus(first.access_token)).toBe(401);
    const refreshed = await oidc.refreshTokenGrant(rp.config, first.refresh_token!).catch((error: unknown) => error);
    expect((refreshed as oidc.ResponseBodyError).error).toBe('invalid_grant');
  });
});

describe('oidcc-codereuse with openid-client v5 (NocoBase)', () => {
  it('refuses the replay with invalid_grant and the first access token stops working', async () => {
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    const replay = await login.client
      .callback(CLIENTS.nocobase.redirectUri, login.client.callbackParams(login.flow.finalUrl), { state: login.state })
      .catch((error: unknown) => error as { error?: string });
    expect((replay as { error?: string }).error).toBe('invalid_grant');
    await expect(login.client.userinfo(login.tokenSet!.access_token!)).rejects.toMatchObject({ error: 'invalid_token' });
  });
});

async function userinfoStatus(token: string): Promise<number> {
  const response = await fetch(`${h.issuer}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
  await response.body?.cancel();
  return response.status;
}
