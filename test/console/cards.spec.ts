/**
 * The page's cards in real headless Chromium, on in-memory ports (no stack needed): a card is updated in place when
 * its alarm changes (an escalation, a duplicate delivery, another alarm listed above it), so a button the operator
 * is pressing stays the same element and the click is not lost. `npm run test:console`.
 */
import assert from 'node:assert/strict';

import type { Browser, ElementHandle, Page } from 'playwright-core';

import { createMemoryFeed, memoryConsoleDeps } from '../../actors/operator-console/memory.ts';
import {
  type OperatorConsole,
  startOperatorConsole,
} from '../../actors/operator-console/service.ts';
import type { AlarmRaised } from '../../actors/protocol/alarm.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { alarmRaised } from '../helpers/messages.ts';

/** Unacknowledged this long after its raise, an alarm is escalated. */
const ESCALATE_MS = 3_000;

const raised = (id: string, at: number): AlarmRaised =>
  alarmRaised(id, at, { violationImageId: `img-${id.split(':')[0]}`, borough: undefined });

describe('Operator console > cards in headless Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let page: Page;
  let console_: OperatorConsole;
  const feed = createMemoryFeed();

  before(async () => {
    console_ = await startOperatorConsole({
      ...memoryConsoleDeps(ESCALATE_MS),
      feed,
    });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(console_.url);
  });
  after(async () => {
    await browser.close();
    await console_.stop();
  });

  const card = (id: string) => page.locator(`#alarms li[data-id="${id}"]`);
  const connected = (h: ElementHandle) =>
    h.evaluate((e: { isConnected: boolean }) => e.isConnected);

  it('keeps a card and its button through an escalation, a duplicate and a newer alarm: the click acknowledges', async () => {
    const id = 'drone-0001:1';
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 10_000 });
    feed.push({ _tag: 'event', event: raised(id, Date.now()) });
    await card(id).waitFor({ timeout: 5_000 });
    const ack = await card(id).locator('button[data-action="acknowledge"]').elementHandle();
    assert.ok(ack);
    const li = await card(id).elementHandle();
    assert.ok(li);
    assert.equal(await card(id).locator('.badge.escalated').count(), 0, 'not escalated yet');
    // The escalation changes the card (class, badge, decision line): the same elements stay.
    await card(id)
      .locator('.badge.escalated')
      .waitFor({ timeout: ESCALATE_MS + 5_000 });
    assert.equal(await connected(ack), true, 'the Acknowledge button survives the escalation');
    // A duplicate delivery (deliveries: 2), then a newer alarm listed above: still the same elements.
    const before = await alarm(id);
    feed.push({ _tag: 'event', event: raised(id, Date.parse(before.raisedAt)) });
    feed.push({ _tag: 'event', event: raised('drone-0002:1', Date.now()) });
    await card('drone-0002:1').waitFor({ timeout: 5_000 });
    assert.equal((await alarm(id)).deliveries, before.deliveries + 1);
    assert.equal(await page.locator('#alarms li').first().getAttribute('data-id'), 'drone-0002:1');
    assert.equal(await connected(ack), true, 'the Acknowledge button survives a duplicate');
    assert.equal(await connected(li), true, 'the card is the same element, second in the list');
    assert.equal(await page.locator('#alarms li').nth(1).getAttribute('data-id'), id);
    await ack.click();
    await page.locator(`#alarms li[data-id="${id}"][data-status="acknowledged"]`).waitFor();
    assert.equal(await connected(li), true, 'the card stays once acknowledged');
    assert.equal(await card(id).locator('.badge.escalated').count(), 1);
    assert.equal(await card(id).locator('button').count(), 2); // Confirm, Dismiss
    assert.match(await card(id).innerText(), /acknowledged by operator at .* · escalated at /);
  });

  /** The alarm as the console's API has it. */
  const alarm = async (id: string) => {
    const { alarms } = (await (await fetch(`${console_.url}api/alarms`)).json()) as {
      alarms: Array<{ id: string; raisedAt: string; deliveries: number }>;
    };
    const found = alarms.find((a) => a.id === id);
    if (!found) throw new Error(`no alarm ${id}`);
    return found;
  };
});
