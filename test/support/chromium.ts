import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** Debian's chromium (.ci/run installs it); playwright-core drives it and downloads no browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export function hasChromium(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * One headless browser for a test file. Playwright gives each launch a fresh temporary profile
 * (user-data-dir); the flags keep the browser from reaching the network on its own (component
 * updates, sync, QUIC probes), so every request seen comes from the page.
 */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    timeout: 60_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
