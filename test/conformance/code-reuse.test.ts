/**
 * Basic OP plan (oidc-checklist.md §1): `oidcc-codereuse` and `oidcc-codereuse-30seconds`. A code
 * redeemed twice is `invalid_grant`, and everything issued from its first redemption is revoked:
 * the access token then gets 401 at UserInfo, the refresh token `invalid_grant`.
 */

import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
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

describe('a replay after the code expired', () => {
  it('is invalid_grant and still revokes the access and refresh tokens of the first exchange', async () => {
    const rp = await conformanceRp(h);
    const login = await authorize(rp, h.browser('zhangsan'), { scope: 'openid profile offline_access' });
    const first = login.tokens!;
    // Past the code's lifetime (CODE_TTL), within the tokens' lifetimes.
    h.clock.advance(h.config.ttl.code + 5);
    expect(await userinfoStatus(first.access_token)).toBe(200);
    const replay = await exchange(rp, login).catch((error: unknown) => error);
    expect((replay as oidc.ResponseBodyError).error).toBe('invalid_grant');
    expect(await userinfoStatus(first.access_token)).toBe(401);
    const refreshed = await oidc.refreshTokenGrant(rp.config, first.refresh_token!).catch((error: unknown) => error);
    expect((refreshed as oidc.ResponseBodyError).error).toBe('invalid_grant');
  });

  it('by another client is invalid_grant and revokes nothing', async () => {
    const rp = await conformanceRp(h);
    const login = await authorize(rp, h.browser('zhangsan'), { scope: 'openid profile' });
    h.clock.advance(h.config.ttl.code + 5);
    const { id, secret } = CLIENTS.other;
    const response = await fetch(`${h.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: login.params.code!,
        redirect_uri: CLIENTS.other.redirectUri,
        client_id: id,
        client_secret: secret,
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
    expect(await userinfoStatus(login.tokens!.access_token)).toBe(200);
  });
});

describe('a redeemed code', () => {
  it('leaves the store at once: only its "used" mark stays (to answer a replay)', async () => {
    const before = await storeEntries();
    const rp = await conformanceRp(h);
    const login = await authorize(rp, h.browser('zhangsan'), { scope: 'openid profile' });
    expect(login.tokens?.access_token).toBeTruthy();
    const after = await storeEntries();
    expect(after.code).toBe(before.code ?? 0);
    expect(after['code-used']).toBe((before['code-used'] ?? 0) + 1);
  });
});

describe('oidcc-codereuse with openid-client v5 (NocoBase)', () => {
  it('refuses the replay with invalid_grant and the first access token stops working', async () => {
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    const replay = await login.client
      .callback(CLIENTS.nocobase.redirectUri, login.client.callbackParams(login.flow.finalUrl), { state: login.state })
      .catch((error: unknown) => error as { error?: string });
    expect((replay as { error?: string }).error).toBe('invalid_grant');
    await expect(login.client.userinfo(login.tokenSet!.access_token!)).rejects.toMatchObject({
      error: 'invalid_token',
    });
  });
});

/** Entries per namespace of the bridge's memory store, from its /metrics gauge. */
async function storeEntries(): Promise<Record<string, number>> {
  const text = await (await fetch(`${h.metricsUrl}/metrics`)).text();
  const entries = [...text.matchAll(/^wecom_oidc_memory_store_entries\{namespace="([^"]+)"\} (\d+)$/gm)];
  return Object.fromEntries(entries.map(([, namespace, count]) => [namespace!, Number(count)]));
}

async function userinfoStatus(token: string): Promise<number> {
  const response = await fetch(`${h.issuer}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
  await response.body?.cancel();
  return response.status;
}
