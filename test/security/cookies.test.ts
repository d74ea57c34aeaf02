/**
 * The bridge's cookies (browser binding, the sealed login, session) follow PUBLIC_URL: behind https they are
 * `__Host-` cookies (Secure, Path=/, no Domain); on plain http they carry neither the prefix nor
 * Secure (a browser would drop a Secure cookie set over http). Both are always HttpOnly and
 * SameSite=Lax. The bridge is built for a public https URL and driven with `app.inject` (nothing
 * listens on that name); the WeCom leg runs on the simulator over real HTTP.
 */

import type { LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWeComSimulator, type WeComSimulator } from '../../sim/server.js';
import { type BuiltApp, buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { MemoryStore } from '../../src/store/memory.js';
import { TestBrowser } from '../helpers/browser.js';
import { CLIENTS, harnessEnv } from '../helpers/harness.js';

let sim: WeComSimulator;

beforeAll(async () => {
  sim = await startWeComSimulator({ trustedDomains: ['sso.example.com', '127.0.0.1:18080'] });
});

afterAll(async () => {
  await sim.close();
});

/** One Set-Cookie line, parsed: name, value and its attributes (names lower-cased). */
interface SetCookie {
  readonly name: string;
  readonly value: string;
  readonly attributes: Map<string, string>;
}

function setCookies(response: LightMyRequestResponse): SetCookie[] {
  const lines = ([] as string[]).concat((response.headers['set-cookie'] as string | string[] | undefined) ?? []);
  return lines.map((line) => {
    const [pair, ...rest] = line.split(';');
    const eq = pair!.indexOf('=');
    const attributes = new Map(
      rest.map((part) => {
        const [key, ...value] = part.trim().split('=');
        return [key!.toLowerCase(), value.join('=')] as const;
      }),
    );
    return { name: pair!.slice(0, eq).trim(), value: pair!.slice(eq + 1).trim(), attributes };
  });
}

function only(cookies: SetCookie[], name: string): SetCookie {
  const found = cookies.filter((cookie) => cookie.name === name);
  expect(
    found.map((cookie) => cookie.name),
    `Set-Cookie ${name}`,
  ).toEqual([name]);
  return found[0]!;
}

/** The attributes every cookie of the bridge has, and Secure exactly when PUBLIC_URL is https. */
function expectAttributes(cookie: SetCookie, secure: boolean): void {
  expect(cookie.attributes.get('path')).toBe('/');
  expect(cookie.attributes.has('httponly')).toBe(true);
  expect(cookie.attributes.get('samesite')).toBe('Lax');
  expect(cookie.attributes.has('secure')).toBe(secure);
  // __Host- forbids Domain; without it the cookie stays on the bridge's exact host either way.
  expect(cookie.attributes.has('domain')).toBe(false);
}

describe.each([
  ['https', 'https://sso.example.com', '__Host-', true],
  ['http', 'http://127.0.0.1:18080', '', false],
])('cookies when PUBLIC_URL is %s', (_scheme, publicUrl, prefix, secure) => {
  let built: BuiltApp;
  const binding = `${prefix}wecom-oidc-login`;
  const session = `${prefix}wecom-oidc-session`;

  beforeAll(async () => {
    const config = loadConfig(harnessEnv(18080, sim.url, { PUBLIC_URL: publicUrl }));
    built = await buildApp(config, {
      store: new MemoryStore({ sweepIntervalMs: 0 }),
      logger: pino({ level: 'silent' }),
    });
  });

  afterAll(async () => {
    await built.app.close();
  });

  const authorizeUrl = (extra: Record<string, string> = {}) =>
    `/authorize?${new URLSearchParams({ client_id: CLIENTS.nocobase.id, redirect_uri: CLIENTS.nocobase.redirectUri, response_type: 'code', scope: 'openid', state: 'st', ...extra })}`;

  it(`names both cookies ${prefix ? 'with the __Host- prefix, Secure' : 'without a prefix, not Secure'}, HttpOnly, SameSite=Lax, Path=/; the session cookie is read back under that name`, async () => {
    // /authorize: the binding cookie, then on to WeCom.
    const start = await built.app.inject({ method: 'GET', url: authorizeUrl() });
    expect(start.statusCode).toBe(302);
    const bindingCookie = only(setCookies(start), binding);
    expectAttributes(bindingCookie, secure);
    expect(bindingCookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(setCookies(start).some((cookie) => cookie.name.startsWith(secure ? 'wecom-oidc' : '__Host-'))).toBe(false);

    // The simulator signs zhangsan in and sends the browser back to the bridge's callback.
    const browser = new TestBrowser(undefined, 'zhangsan', sim.url);
    const wecom = await browser.follow(String(start.headers.location), `${publicUrl}/wecom/callback`);
    const callback = new URL(wecom.finalUrl);
    expect(callback.origin + callback.pathname).toBe(`${publicUrl}/wecom/callback`);

    // The login's own cookie, sealed, with the same attributes, for LOGIN_TTL.
    const loginCookie = setCookies(start).find((cookie) => cookie.name.startsWith(`${binding}-`))!;
    expectAttributes(loginCookie, secure);
    expect(Number(loginCookie.attributes.get('max-age'))).toBe(built.context.config.ttl.login);

    // The callback, with both cookies under their names: a code for the RP and the session cookie.
    const cookie = `${binding}=${bindingCookie.value}; ${loginCookie.name}=${loginCookie.value}`;
    const back = await built.app.inject({
      method: 'GET',
      url: `${callback.pathname}${callback.search}`,
      headers: { cookie },
    });
    expect(back.statusCode).toBe(302);
    expect(String(back.headers.location)).toMatch(
      /^http:\/\/127\.0\.0\.1:13000\/api\/oidc:redirect\?code=[A-Za-z0-9_-]{43}&state=st$/,
    );
    const sessionCookie = only(setCookies(back), session);
    expectAttributes(sessionCookie, secure);
    expect(sessionCookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Number(sessionCookie.attributes.get('max-age'))).toBe(built.context.config.ttl.session);

    // prompt=none with that cookie is answered from the session; the unprefixed name is not read.
    const silent = await built.app.inject({
      method: 'GET',
      url: authorizeUrl({ prompt: 'none' }),
      headers: { cookie: `${session}=${sessionCookie.value}` },
    });
    expect(String(silent.headers.location)).toMatch(/\?code=[A-Za-z0-9_-]{43}&state=st$/);
    const other = secure ? 'wecom-oidc-session' : '__Host-wecom-oidc-session';
    const wrongName = await built.app.inject({
      method: 'GET',
      url: authorizeUrl({ prompt: 'none' }),
      headers: { cookie: `${other}=${sessionCookie.value}` },
    });
    expect(new URL(String(wrongName.headers.location)).searchParams.get('error')).toBe('login_required');

    // Sign-out expires the session cookie with the same attributes (a browser ignores a __Host-
    // cookie's deletion without Secure and Path=/).
    const cookies = `${binding}=${bindingCookie.value}; ${session}=${sessionCookie.value}`;
    const ask = await built.app.inject({ method: 'GET', url: '/logout', headers: { cookie: cookies } });
    const handle = /name="logout_confirm" value="([^"]+)"/.exec(ask.body)![1]!;
    const logout = await built.app.inject({
      method: 'POST',
      url: '/logout',
      headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `logout_confirm=${handle}`,
    });
    expect(logout.statusCode).toBeLessThan(400);
    const cleared = only(setCookies(logout), session);
    expect(cleared.value).toBe('');
    expectAttributes(cleared, secure);
  });
});
