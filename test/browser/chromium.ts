/**
 * Headless Chromium for browser tests: Debian's `chromium` (installed by `.ci/run`, never a
 * downloaded browser build) driven by playwright-core. Screenshots go to `test-results/`
 * (git-ignored; kept by CI as artifacts).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium; `CHROMIUM_PATH` overrides it (another distribution, a local install). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether the browser tests can run. On a developer's machine without Chromium they are skipped
 * with a warning (`npm test` must pass on a fresh machine); in CI (`CI=true`, set by `.ci/run`,
 * which installs Chromium) or with `REQUIRE_CHROMIUM=1` a missing Chromium fails the run instead.
 */
export function chromiumAvailable(what: string): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI === 'true' || process.env.REQUIRE_CHROMIUM === '1') {
    throw new Error(`Chromium is required for ${what} but ${CHROMIUM_PATH} does not exist (apt-get install chromium)`);
  }
  console.warn(
    `\n[tests] ${CHROMIUM_PATH} not found: ${what} SKIPPED (apt-get install chromium, or set CHROMIUM_PATH)\n`,
  );
  return false;
}

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
