// The web console in headless Chromium (Debian's, driven by playwright-core),
// with every console error and uncaught exception of the page collected, and
// screenshots kept under test-artifacts/console/ (git-ignored). The page's
// time zone is UTC, so a time typed into a form is the ISO time of a test:
//
//   describe('console', skipUnless(chromium), () => {
//     test('...', async (t) => {
//       const browser = await openConsole(t, api.base);
//       await browser.visit('/topics');
//       assert.deepEqual(browser.errors, []);
//     });
//   });

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Page, chromium as playwright } from 'playwright-core';
import { CHROMIUM } from './interop-tools.js';

/** test-artifacts/console/ at the repository's root (this file runs from dist/test/helpers/). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../test-artifacts/console/', import.meta.url));

/** Without the network flags Chromium keeps trying to reach Google's hosts, which a closed network refuses. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface ConsoleBrowser {
  page: Page;
  /** Console errors and uncaught exceptions of the page, as Chromium reported them. */
  errors: string[];
  /** Opens the console at a route (`/topics`) and waits until the page has loaded. */
  visit(route: string): Promise<void>;
  /** Saves a full-page PNG as test-artifacts/console/<name>.png. */
  screenshot(name: string): Promise<void>;
}

interface CleanupScope {
  after(fn: () => Promise<void>): void;
}

/** `httpCredentials`: what the browser answers an HTTP Basic challenge with, as a user would in its login dialog. */
export async function openConsole(scope: CleanupScope, base: string, httpCredentials?: { username: string; password: string }): Promise<ConsoleBrowser> {
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-chromium-'));
  const context = await playwright.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    timezoneId: 'UTC',
    httpCredentials,
  });
  scope.after(async () => {
    await context.close();
    await fs.rm(profile, { recursive: true, force: true });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  return {
    page,
    errors,
    async visit(route) {
      await page.goto(`${base}/#${route}`, { waitUntil: 'load' });
    },
    async screenshot(name) {
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
    },
  };
}
