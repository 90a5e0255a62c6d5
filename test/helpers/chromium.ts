/**
 * Headless Chromium for the console's browser tests and `npm run screenshot`: Debian's `chromium` package
 * (installed by scripts/ci-deps.sh) driven by playwright-core, which downloads no browser of its own.
 * `PRESTACOP_CHROMIUM` points at another binary.
 */
import { existsSync } from 'node:fs';

import { type Browser, chromium } from 'playwright-core';

/** Where the browser is. */
export const chromiumPath = (): string => {
  const path = process.env.PRESTACOP_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(path))
    throw new Error(`no Chromium at ${path}: run scripts/ci-deps.sh (apt-get install chromium)`);
  return path;
};

/**
 * Launches it headless, with everything that talks to the network on its own turned off.
 * @example const browser = await launchChromium(); ...; await browser.close();
 */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
