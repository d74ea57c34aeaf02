/**
 * Headless Chromium for browser tests: Debian's `chromium` (installed by `.ci/run`, never a
 * downloaded browser build) driven by playwright-core. Screenshots go to `test-results/`
 * (git-ignored; kept by CI as artifacts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium; `CHROMIUM_PATH` overrides it (another distribution, a local install). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots are written. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/browser', import.meta.url));

/** Launches headless Chromium with nothing running in the background (no updates, no sync). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      // Containers and CI runners usually lack the user namespaces the sandbox needs.
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Saves a full-page screenshot as `test-results/browser/<name>.png`; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
