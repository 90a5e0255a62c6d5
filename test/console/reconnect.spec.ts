/**
 * The page's connection in real headless Chromium, on in-memory ports (no stack needed): a page turned away by a
 * full console (503) says "console busy" and comes back by itself once a slot frees; a page whose session ended
 * (401) says so and how to reopen it; with per-operator tokens the page shows whose session it is.
 * `npm run test:console`.
 */
import assert from 'node:assert/strict';

import type { Browser, Page } from 'playwright-core';

import { memoryConsoleDeps } from '../../actors/operator-console/memory.ts';
import {
  type ConsoleAccess,
  type OperatorConsole,
  startOperatorConsole,
} from '../../actors/operator-console/service.ts';
import { launchChromium } from '../helpers/chromium.ts';

const RIVERA = 'rivera-token-0123456789';

const startConsole = (access: ConsoleAccess): Promise<OperatorConsole> =>
  startOperatorConsole({
    ...memoryConsoleDeps(3_600_000),
    access,
  });

/** The connection badge: its state (`live`, `busy`, `expired`, ...) and text. */
const connection = async (page: Page) => ({
  state: await page.locator('#connection').getAttribute('data-state'),
  text: await page.locator('#connection').innerText(),
});
const waitForState = (page: Page, state: string, timeout: number) =>
  page.locator(`#connection[data-state="${state}"]`).waitFor({ timeout });

describe('Operator console > reconnects in headless Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  const consoles: OperatorConsole[] = [];

  before(async () => {
    browser = await launchChromium();
  });
  afterEach(async () => {
    await Promise.all(consoles.splice(0).map((c) => c.stop()));
  });
  after(async () => {
    await browser.close();
  });

  it('says "console busy" while the streams are full, and goes live by itself once a slot frees', async () => {
    const c = await startConsole({ maxStreams: 1, retryAfterSeconds: 1 });
    consoles.push(c);
    const first = await browser.newPage();
    await first.goto(c.url);
    await waitForState(first, 'live', 10_000);
    const second = await browser.newPage();
    await second.goto(c.url);
    await waitForState(second, 'busy', 10_000);
    assert.match((await connection(second)).text, /^console busy: retrying in \d+ s$/);
    // Still busy a second later: it retried (after Retry-After) and was turned away again.
    await new Promise((r) => setTimeout(r, 2_500));
    assert.equal((await connection(second)).state, 'busy');
    await first.close();
    await waitForState(second, 'live', 15_000);
    await second.close();
  });

  it('says the session expired and how to reopen it, and stops retrying', async () => {
    const c = await startConsole({
      operators: [{ name: 'sgt.rivera', token: RIVERA }],
      sessionTtlMs: 2_000,
    });
    consoles.push(c);
    const page = await browser.newPage();
    let probes = 0;
    page.on('request', (req) => {
      if (req.method() === 'HEAD') probes++;
    });
    await page.goto(`${c.url}?token=${RIVERA}`);
    await waitForState(page, 'live', 10_000);
    // Per-operator tokens: the name is the session's, shown and not editable.
    await page.waitForFunction("document.getElementById('operator').readOnly === true");
    assert.equal(await page.locator('#operator').inputValue(), 'sgt.rivera');
    await waitForState(page, 'expired', 20_000);
    assert.match(
      (await connection(page)).text,
      /^session expired: open \/\?token=<your token> again$/,
    );
    const asked = probes;
    await new Promise((r) => setTimeout(r, 2_500));
    assert.equal(probes, asked, 'no retry after a 401');
    await page.close();
  });
});
