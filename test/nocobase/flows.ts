/**
 * Sign-ins over real HTTP without a browser engine (the scripted TestBrowser: cookies, manual
 * redirects), for the cases a person should never meet but an administrator or attacker may cause.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { TestBrowser, USER_AGENTS } from '../helpers/browser.js';
import type { Site } from './site.js';

/** A fresh scripted browser the simulator logs in as `member`. */
export function scriptedBrowser(site: Site, member = 'zhangsan'): TestBrowser {
  return new TestBrowser(USER_AGENTS.desktop, member, site.harness.sim.url);
}

/** NocoBase's redirect route, where the provider's answers arrive. */
export function callbackPrefix(site: Site): string {
  return `${site.nocobase.url}/api/wecomBridge:redirect`;
}

/** `GET /api/wecomBridge:signIn` for `authenticator` (plus a raw query suffix). */
export async function startSignIn(
  site: Site,
  browser: TestBrowser,
  authenticator: string,
  suffix = '',
): Promise<Response> {
  return browser.request(
    `${site.nocobase.url}/api/wecomBridge:signIn?authenticator=${encodeURIComponent(authenticator)}${suffix}`,
  );
}

/** Runs a sign-in up to the provider's answer; returns the answer's URL without opening it. */
export async function answerUrl(
  site: Site,
  browser: TestBrowser,
  authenticator = 'wecom',
  suffix = '',
): Promise<string> {
  const start = await startSignIn(site, browser, authenticator, suffix);
  expect(start.status).toBe(302);
  const flow = await browser.follow(
    new URL(start.headers.get('location')!, site.nocobase.url).href,
    callbackPrefix(site),
  );
  expect(
    flow.finalUrl.startsWith(callbackPrefix(site)),
    `the flow ended at ${flow.finalUrl}: ${flow.body?.slice(0, 300)}`,
  ).toBe(true);
  return flow.finalUrl;
}

/** Opens `url` and returns the status, the failure the page names (data-failure) and its text. */
export async function openPage(
  browser: TestBrowser,
  url: string,
): Promise<{ status: number; failure?: string; body: string; location?: string }> {
  const response = await browser.request(url);
  const body = await response.text();
  const failure = /data-failure="([a-z_]+)"/.exec(body)?.[1];
  return {
    status: response.status,
    body,
    ...(failure ? { failure } : {}),
    ...(response.headers.get('location') ? { location: response.headers.get('location')! } : {}),
  };
}

/** A provider whose discovery document names an issuer other than its own address. */
export async function startForeignDiscovery(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(
      JSON.stringify({
        issuer: 'https://someone-else.example',
        authorization_endpoint: 'https://someone-else.example/authorize',
        token_endpoint: 'https://someone-else.example/token',
        jwks_uri: 'https://someone-else.example/jwks',
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The landing page's hand-off: POSTs the URL's `wecomBridgeHandOff` with the browser's cookies. */
export async function claimHandOff(
  site: Site,
  browser: TestBrowser,
  landing: string,
): Promise<{ status: number; body: any }> {
  const value = new URL(landing, site.nocobase.url).searchParams.get('wecomBridgeHandOff');
  const response = await browser.request(`${site.nocobase.url}/api/wecomBridge:handOff`, {
    method: 'POST',
    body: JSON.stringify({ value }),
    headers: { 'content-type': 'application/json', accept: 'application/json' },
  });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

/** A whole sign-in of `browser` at `authenticator`; returns the landing Location and the NocoBase token it hands off. */
export async function signInToken(
  site: Site,
  browser: TestBrowser,
  authenticator = 'wecom',
  suffix = '',
): Promise<{ location: string; token: string }> {
  const done = await openPage(browser, await answerUrl(site, browser, authenticator, suffix));
  expect(done.status, done.body.slice(0, 300)).toBe(302);
  const claimed = await claimHandOff(site, browser, done.location!);
  expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
  expect(claimed.body.data.authenticator).toBe(authenticator);
  return { location: done.location!, token: claimed.body.data.token as string };
}
