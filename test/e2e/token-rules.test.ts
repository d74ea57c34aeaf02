/**
 * The token endpoint's rules and the callback's browser binding, over real HTTP.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { TRICKY_SECRET } from '../helpers/env.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id).replace(/%20/g, '+')}:${encodeURIComponent(secret).replace(/%20/g, '+')}`).toString('base64')}`;
const NOCOBASE_AUTH = basic(CLIENTS.nocobase.id, TRICKY_SECRET);

/** Authorizes `client` in a fresh browser and returns the code (and the browser). */
async function getCode(
  client: { id: string; redirectUri: string } = CLIENTS.nocobase,
  extra: Record<string, string> = {},
): Promise<{ code: string; browser: TestBrowser }> {
  const browser = h.browser('zhangsan');
  const query = new URLSearchParams({
    client_id: client.id,
    redirect_uri: client.redirectUri,
    response_type: 'code',
    scope: 'openid profile',
    state: 's',
    ...extra,
  });
  const flow = await browser.follow(`${h.issuer}/authorize?${query}`, client.redirectUri.split('?')[0]!);
  const code = new URL(flow.finalUrl).searchParams.get('code');
  expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return { code: code!, browser };
}

async function token(
  body: Record<string, string>,
  authorization?: string,
  contentType = 'application/x-www-form-urlencoded',
): Promise<Response> {
  return fetch(`${h.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(authorization ? { authorization } : {}) },
    body: contentType.includes('json') ? JSON.stringify(body) : new URLSearchParams(body).toString(),
  });
}

/** Redeems `code` as NocoBase; `auth: null` sends no Authorization header. */
const redeem = (code: string, extra: Record<string, string> = {}, auth: string | null = NOCOBASE_AUTH) =>
  token(
    { grant_type: 'authorization_code', code, redirect_uri: CLIENTS.nocobase.redirectUri, ...extra },
    auth ?? undefined,
  );

describe('client authentication', () => {
  it('accepts Basic and body together when they agree (NocoBase option), refuses when they differ', async () => {
    const agree = await redeem((await getCode()).code, {
      client_id: CLIENTS.nocobase.id,
      client_secret: TRICKY_SECRET,
    });
    expect(agree.status).toBe(200);
    expect(agree.headers.get('cache-control')).toBe('no-store');
    const differ = await redeem((await getCode()).code, { client_secret: 'something-else-entirely' });
    expect(differ.status).toBe(401);
    expect(differ.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(await differ.json()).toMatchObject({ error: 'invalid_client' });
  });

  it.each([
    ['a wrong secret', basic(CLIENTS.nocobase.id, 'wrong-secret-0123456789')],
    ['an unknown client', basic('stranger', TRICKY_SECRET)],
    ['malformed Basic', 'Basic !!!'],
    ['Basic without a colon', `Basic ${Buffer.from('nocolon').toString('base64')}`],
    ['a bad percent-encoding', `Basic ${Buffer.from('nocobase:%E0%A4%A').toString('base64')}`],
    ['no credentials at all', null],
  ])('answers %s with 401 invalid_client and a Basic challenge', async (_label, auth) => {
    const response = await redeem('irrelevant-code', {}, auth);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="wecom-oidc-bridge"/);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('accepts client_secret_post', async () => {
    const { code } = await getCode(CLIENTS.modern);
    const response = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: CLIENTS.modern.redirectUri,
      client_id: CLIENTS.modern.id,
      client_secret: CLIENTS.modern.secret,
    });
    expect(response.status).toBe(200);
  });
});

describe('authorization codes', () => {
  it('are single use: a replay fails and revokes the tokens issued for the first redemption', async () => {
    const { code } = await getCode();
    const first = await redeem(code);
    const { access_token: accessToken } = (await first.json()) as { access_token: string };
    const userinfo = () => fetch(`${h.issuer}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect((await userinfo()).status).toBe(200);
    const replay = await redeem(code);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
    const after = await userinfo();
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toMatch(/^Bearer realm="wecom-oidc-bridge", error="invalid_token"/);
  });

  it('are bound to the client and redirect URI, and a wrong request does not burn them', async () => {
    const { code } = await getCode();
    const otherClient = await token(
      { grant_type: 'authorization_code', code, redirect_uri: CLIENTS.nocobase.redirectUri },
      basic(CLIENTS.other.id, CLIENTS.other.secret),
    );
    expect(await otherClient.json()).toMatchObject({ error: 'invalid_grant' });
    expect(await (await redeem(code, { redirect_uri: `${CLIENTS.nocobase.redirectUri}/` })).json()).toMatchObject({
      error: 'invalid_grant',
    });
    const missing = await token({ grant_type: 'authorization_code', code }, NOCOBASE_AUTH);
    expect(await missing.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await redeem(code)).status).toBe(200);
  });

  it('expire after CODE_TTL', async () => {
    const { code } = await getCode();
    h.clock.advance(61);
    expect(await (await redeem(code)).json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('enforce PKCE S256 when a challenge was sent, and refuse a verifier without one', async () => {
    const verifier = 'a'.repeat(43) + 'Bcd-._~';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const withPkce = () => getCode(CLIENTS.nocobase, { code_challenge: challenge, code_challenge_method: 'S256' });
    expect(await (await redeem((await withPkce()).code)).json()).toMatchObject({ error: 'invalid_grant' });
    expect(await (await redeem((await withPkce()).code, { code_verifier: `${verifier}x` })).json()).toMatchObject({
      error: 'invalid_grant',
    });
    expect(await (await redeem((await withPkce()).code, { code_verifier: 'short' })).json()).toMatchObject({
      error: 'invalid_grant',
    });
    expect((await redeem((await withPkce()).code, { code_verifier: verifier })).status).toBe(200);
    expect(await (await redeem((await getCode()).code, { code_verifier: verifier })).json()).toMatchObject({
      error: 'invalid_grant',
    });
  });
});

describe('token endpoint requests', () => {
  it('refuses JSON bodies, GET, unknown grant types and repeated parameters', async () => {
    const json = await token({ grant_type: 'authorization_code' }, NOCOBASE_AUTH, 'application/json');
    expect(json.status).toBe(415);
    expect(await json.json()).toMatchObject({ error: 'invalid_request' });
    const get = await fetch(`${h.issuer}/token`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await (await token({ grant_type: 'password' }, NOCOBASE_AUTH)).json()).toMatchObject({
      error: 'unsupported_grant_type',
    });
    const repeated = await fetch(`${h.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: NOCOBASE_AUTH },
      body: 'grant_type=authorization_code&code=a&code=b',
    });
    expect(repeated.status).toBe(400);
    expect(await repeated.json()).toMatchObject({
      error: 'invalid_request',
      error_description: 'The code parameter is repeated',
    });
  });
});

describe('the WeCom callback is bound to the browser that started the login', () => {
  async function pendingCallback(): Promise<{ browser: TestBrowser; callbackUrl: string }> {
    const browser = h.browser('zhangsan');
    const query = new URLSearchParams({
      client_id: CLIENTS.nocobase.id,
      redirect_uri: CLIENTS.nocobase.redirectUri,
      response_type: 'code',
      scope: 'openid',
      state: 'mine',
    });
    const flow = await browser.follow(`${h.issuer}/authorize?${query}`, `${h.issuer}/wecom/callback`);
    return { browser, callbackUrl: flow.finalUrl };
  }

  it('refuses the callback URL in another browser without calling WeCom; the owner still completes', async () => {
    const { browser, callbackUrl } = await pendingCallback();
    const calls = h.sim.state.calls.getuserinfo;
    const thief = new TestBrowser();
    const stolen = await thief.request(callbackUrl);
    expect(stolen.status).toBe(400);
    expect(stolen.headers.get('location')).toBeNull();
    // The bridge stored nothing it could recognise the state by: the login lives in the owner's cookie.
    expect(await stolen.text()).toContain('login_not_found');
    expect(h.sim.state.calls.getuserinfo).toBe(calls);
    const owner = await browser.follow(callbackUrl, CLIENTS.nocobase.redirectUri);
    expect(new URL(owner.finalUrl).searchParams.get('state')).toBe('mine');
    expect(new URL(owner.finalUrl).searchParams.get('code')).toBeTruthy();
  });

  it('answers a repeated callback with the first result only in the same browser; refuses unknown or malformed states', async () => {
    const { browser, callbackUrl } = await pendingCallback();
    const first = await browser.follow(callbackUrl, CLIENTS.nocobase.redirectUri);
    // The WeCom client may load the callback twice: the same browser gets the same code, no second one.
    const again = await browser.request(callbackUrl);
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toBe(first.finalUrl);
    const elsewhere = await new TestBrowser().request(callbackUrl);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers.get('location')).toBeNull();
    for (const state of ['', 'x'.repeat(129), 'not-alnum!', 'deadbeef']) {
      const response = await browser.request(`${h.issuer}/wecom/callback?code=c&state=${encodeURIComponent(state)}`);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    }
  });

  it('sets the binding cookie HttpOnly and SameSite=Lax, without Secure on loopback http', async () => {
    const browser = h.browser();
    const response = await browser.request(
      `${h.issuer}/authorize?client_id=nocobase&redirect_uri=${encodeURIComponent(CLIENTS.nocobase.redirectUri)}&response_type=code&scope=openid`,
    );
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith('wecom-oidc-login='))!;
    expect(cookie).toMatch(/; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/);
  });
});
