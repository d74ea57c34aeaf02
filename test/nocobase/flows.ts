/**
 * Sign-ins over real HTTP without a browser engine (the scripted TestBrowser: cookies, manual
 * redirects), for the cases a person should never meet but an administrator or attacker may cause.
 */
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
export async function startSignIn(site: Site, browser: TestBrowser, authenticator: string, suffix = ''): Promise<Response> {
  return browser.request(`${site.nocobase.url}/api/wecomBridge:signIn?authenticator=${encodeURIComponent(authenticator)}${suffix}`);
}

/** Runs a sign-in up to the provider's answer; returns the answer's URL without opening it. */
export async function answerUrl(site: Site, browser: TestBrowser, authenticator = 'wecom', suffix = ''): Promise<string> {
  const start = await startSignIn(site, browser, authenticator, suffix);
  expect(start.status).toBe(302);
  const flow = await browser.follow(new URL(start.headers.get('location')!, site.nocobase.url).href, callbackPrefix(site));
  expect(flow.finalUrl.startsWith(callbackPrefix(site)), `the flow ended at ${flow.finalUrl}: ${flow.body?.slice(0, 300)}`).toBe(true);
  return flow.finalUrl;
}

/** Opens `url` and returns the status, the failure the page names (data-failure) and its text. */
export async function openPage(browser: TestBrowser, url: string): Promise<{ status: number; failure?: string; body: string; location?: string }> {
  const response = await browser.request(url);
  const body = await response.text();
  const failure = /data-failure="([a-z_]+)"/.exec(body)?.[1];
  return { status: response.status, body, ...(failure ? { failure } : {}), ...(response.headers.get('location') ? { location: response.headers.get('location')! } : {}) };
}
