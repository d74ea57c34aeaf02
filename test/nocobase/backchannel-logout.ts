/**
 * Back-channel logout on a real NocoBase 2.2: a logout token for a subject ends every NocoBase
 * session of the user bound to it (their tokens answer 401 at once), and nobody else's. The
 * tokens are signed by a tiny provider on loopback (test/nocobase/local-provider.ts) configured
 * as the issuer of a second `wecom-bridge` authenticator; its users are bound by
 * `usersAuthenticators:create` and signed in with NocoBase's own password sign-in.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LocalProvider, startLocalProvider } from './local-provider.js';
import type { Site } from './site.js';

const CLIENT_ID = 'nocobase-local';
const AUTHENTICATOR = 'local-idp';
let site: Site;
let provider: LocalProvider;

/** A NocoBase user with a password, bound to `sub` by the local authenticator when given. */
async function user(username: string, sub?: string): Promise<number> {
  const created = await site.api.call('users:create', {
    method: 'POST',
    body: { username, nickname: username, password: 'pass-word-123' },
  });
  expect(created.status).toBe(200);
  const id = created.body.data.id as number;
  if (sub) {
    const bound = await site.api.call('usersAuthenticators:create', {
      method: 'POST',
      body: { authenticator: AUTHENTICATOR, userId: id, uuid: sub },
    });
    expect(bound.status).toBe(200);
  }
  return id;
}

/** A fresh NocoBase session of `username` (password sign-in); its token. */
async function signIn(username: string): Promise<string> {
  const answer = await site.api.call('auth:signIn', {
    method: 'POST',
    token: '',
    body: { account: username, password: 'pass-word-123' },
    headers: { 'x-authenticator': 'basic' },
  });
  expect(answer.status).toBe(200);
  return answer.body.data.token as string;
}

async function check(token: string): Promise<number> {
  return (await site.api.call('auth:check', { token, headers: { 'x-authenticator': 'basic' } })).status;
}

/** POSTs `logout_token` as the provider does (form body). */
async function backchannelLogout(logoutToken: string): Promise<Response> {
  return fetch(new URL('/api/wecomBridge:backchannelLogout', site.nocobase.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ logout_token: logoutToken }).toString(),
  });
}

/** Registers the back-channel logout tests on the shared site (a local provider beside it). */
export function backchannelLogoutSuite(get: () => { site: Site }): void {
  beforeAll(async () => {
    site = get().site;
    provider = await startLocalProvider();
    const created = await site.api.createAuthenticator(AUTHENTICATOR, {
      issuer: provider.issuer,
      clientId: CLIENT_ID,
      clientSecret: 'local-secret',
    });
    if (created.status !== 200) throw new Error(`authenticators:create answered ${created.status}`);
  }, 60_000);

  afterAll(async () => provider?.close());

  it("ends every session of the user bound to the token's sub at once, and nobody else's", async () => {
    await user('leaver', 'member-leaver');
    await user('stayer', 'member-stayer');
    const [first, second, other] = [await signIn('leaver'), await signIn('leaver'), await signIn('stayer')];
    for (const token of [first, second, other]) expect(await check(token)).toBe(200);

    const logoutToken = await provider.logoutToken('member-leaver', CLIENT_ID);
    const started = Date.now();
    const answer = await backchannelLogout(logoutToken);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(await check(first)).toBe(401);
    expect(await check(second)).toBe(401);
    console.log(`[nocobase] back-channel logout to 401: ${Date.now() - started} ms`);
    expect(await check(other)).toBe(200);

    // The same token again (a replay) is refused; the user can sign in anew afterwards.
    expect((await backchannelLogout(logoutToken)).status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await check(await signIn('leaver'))).toBe(200);
  });

  it('answers 400 invalid_request to any invalid token, and 200 to a valid one whatever the sub', async () => {
    const other = await signIn('stayer');
    for (const bad of [
      'not-a-jwt',
      await provider.logoutToken('member-stayer', 'some-other-client'),
      await provider.logoutToken('member-stayer', CLIENT_ID, { nonce: 'n' }),
      await provider.logoutToken('member-stayer', CLIENT_ID, { events: undefined }),
      await provider.logoutToken('member-stayer', CLIENT_ID, { iat: Math.floor(Date.now() / 1000) - 3600 }),
    ]) {
      const answer = await backchannelLogout(bad);
      expect(answer.status).toBe(400);
      expect(await answer.json()).toEqual({ error: 'invalid_request' });
    }
    expect((await backchannelLogout('')).status).toBe(400);
    expect(await check(other)).toBe(200);
    // Nobody is bound to this sub: the answer is the same as for a user (it never tells).
    expect((await backchannelLogout(await provider.logoutToken('nobody-here', CLIENT_ID))).status).toBe(200);
  });
}
