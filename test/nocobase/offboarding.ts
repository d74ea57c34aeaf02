/**
 * A member who leaves the company loses NocoBase within seconds (issue 30), end to end on the real
 * NocoBase: the simulator deletes or disables the member and sends WeCom's encrypted contact event
 * to the bridge, which ends the member and POSTs a logout token to the plugin, which ends every
 * NocoBase session of the bound user. Another user stays signed in.
 */
import type { Browser } from 'playwright-core';
import { expect, it } from 'vitest';
import { screenshot } from '../browser/chromium.js';
import { TestBrowser, USER_AGENTS } from '../helpers/browser.js';
import { signInToken } from './flows.js';
import { expectSignedInAdmin, newProfile, openSignIn } from './pages.js';
import type { Site } from './site.js';

/** NocoBase's answer to `auth:check` with `token`. */
async function checkStatus(site: Site, token: string): Promise<number> {
  return (await site.api.call('auth:check', { token, headers: { 'x-authenticator': 'wecom' } })).status;
}

/** A new member of the simulated corp, signed in to NocoBase through the plugin (in-client, so bound by its own sub). */
async function signedInMember(site: Site, userid: string): Promise<string> {
  site.harness.sim.state.putMember(userid, { userid, name: userid, department: [1], status: 1 });
  return (await signInToken(site, new TestBrowser(USER_AGENTS.wecom, userid, site.harness.sim.url))).token;
}

/** Milliseconds from the member's leaving until NocoBase refuses `token` (polled every 25 ms, up to 10 s). */
async function timeUntilRefused(site: Site, token: string, leave: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await leave();
  while (performance.now() - started < 10_000) {
    if ((await checkStatus(site, token)) === 401) return Math.round(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Number.POSITIVE_INFINITY;
}

/** Registers the offboarding tests. */
export function offboardingSuite(get: () => { site: Site; browser: Browser }): void {
  it('signs a person out of NocoBase in Chromium within 5 s of their member being deleted in WeCom; others stay signed in', async () => {
    const { site, browser } = get();
    site.harness.sim.state.putMember('departing', {
      userid: 'departing',
      name: 'Departing',
      department: [1],
      status: 1,
    });
    const context = await newProfile(browser, 'desktop');
    const page = await context.newPage();
    await openSignIn(page, site);
    await page.getByRole('link', { name: 'Sign in with WeCom' }).click();
    await page.waitForURL((url) => url.href.startsWith(site.harness.sim.url));
    await page
      .getByRole('link', { name: /departing|Departing/ })
      .first()
      .click();
    await expectSignedInAdmin(page, site);
    const token = (await page.evaluate(() => localStorage.getItem('NOCOBASE_TOKEN')))!;
    const other = await signedInMember(site, 'remaining');
    const answer = await site.harness.sim.state.memberLeaves('departing', 'delete');
    expect(answer?.event?.status).toBe(200);
    await expect.poll(() => checkStatus(site, token), { timeout: 5_000, interval: 50 }).toBe(401);
    expect(await checkStatus(site, other)).toBe(200);
    // Their open page finds itself signed out at its next request.
    await page.reload();
    await page.waitForURL((url) => url.pathname.endsWith('/signin'), { timeout: 60_000 });
    await screenshot(page, 'nocobase-offboarding-signed-out');
    await context.close();
  });

  it('ends the sessions of 20 leaving members (deleted or disabled) within 5 s each: median and worst', async () => {
    const { site } = get();
    const other = await signedInMember(site, 'colleague');
    const times: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const userid = `leaver${i}`;
      const token = await signedInMember(site, userid);
      expect(await checkStatus(site, token)).toBe(200);
      times.push(
        await timeUntilRefused(site, token, () =>
          site.harness.sim.state.memberLeaves(userid, i % 2 === 0 ? 'delete' : 'disable'),
        ),
      );
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `[nocobase] event → NocoBase 401, 20 members: median ${sorted[9]} ms, worst ${sorted[19]} ms (${times.join(', ')})`,
    );
    expect(sorted[19]).toBeLessThanOrEqual(5_000);
    expect(await checkStatus(site, other)).toBe(200);
  });
}
