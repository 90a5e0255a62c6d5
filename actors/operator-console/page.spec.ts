/**
 * The page's script: its bundle, and its pure parts (`browser/reconnect.ts`, `browser/alarms.ts`) as the page runs
 * them. The reconnect plan says what the page does once its event stream closed for good, from what HEAD /events
 * answered.
 */
import assert from 'node:assert/strict';
import vm from 'node:vm';

import { clockNote, DECIDED_SHOWN, shownAlarms as shownIn } from './browser/alarms.ts';
import { reconnectPlan } from './browser/reconnect.ts';
import type { AlarmStatus } from './model.ts';
import { pageHtml, pageJs } from './page.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('Operator console > page > script', () => {
  it('is browser/main.ts bundled once into one classic script, with its imports inlined', async () => {
    const js = await pageJs();
    assert.equal(await pageJs(), js);
    assert.doesNotThrow(() => new vm.Script(js, { filename: 'app.js' })); // no import or export left
    for (const name of ['reconnectPlan', 'shownAlarms', 'clockNote', 'needsHumanNote', 'project'])
      assert.match(js, new RegExp(`\\b${name}\\b`), name);
    assert.ok(js.length < 40_000, `${js.length} bytes: the borough outlines stay on the server`);
    assert.match(pageHtml(), /<script src="\/app\.js" defer><\/script>/);
  });
});

describe('Operator console > page > reconnect plan', () => {
  it('after a 503, says "console busy" and retries with backoff, never sooner than Retry-After', () => {
    const busy = reconnectPlan(503, null, 1, 0, NOW);
    assert.deepEqual(busy, {
      retry: true,
      delayMs: 1_000,
      state: 'busy',
      text: 'console busy: retrying in 1 s',
    });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 9].map((n) => reconnectPlan(503, null, n, 0, NOW).delayMs),
      [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000],
    );
    assert.equal(reconnectPlan(503, '7', 1, 0, NOW).delayMs, 7_000);
    assert.equal(reconnectPlan(503, ' 7 ', 5, 0, NOW).delayMs, 16_000); // the backoff is longer
    const date = new Date(NOW + 20_000).toUTCString();
    assert.equal(reconnectPlan(503, date, 1, 0, NOW).delayMs, 20_000);
    assert.equal(reconnectPlan(503, 'soon', 1, 0, NOW).delayMs, 1_000);
    assert.equal(reconnectPlan(503, '999999999', 1, 0, NOW).delayMs, 3_600_000); // capped at an hour
  });

  it('adds up to 50 % jitter, upwards only', () => {
    assert.equal(reconnectPlan(503, '7', 1, 0.999, NOW).delayMs, 10_497);
    for (const r of [0, 0.25, 0.5, 0.75, 0.999]) {
      const d = reconnectPlan(503, '4', 2, r, NOW).delayMs;
      assert.ok(d >= 4_000 && d < 6_000, String(d));
    }
  });

  it('after a 401, stops and says the session expired and how to reopen it', () => {
    const plan = reconnectPlan(401, null, 1, 0.5, NOW);
    assert.equal(plan.retry, false);
    assert.equal(plan.state, 'expired');
    assert.match(plan.text, /session expired: open \/\?token=<your token> again/);
    assert.deepEqual(reconnectPlan(400, null, 1, 0.5, NOW), plan); // a cookie that is no session
  });

  it('retries at once when a slot is free, then backs off; any other answer backs off', () => {
    assert.equal(reconnectPlan(200, null, 1, 0.5, NOW).delayMs, 0);
    assert.equal(reconnectPlan(200, null, 3, 0, NOW).delayMs, 4_000);
    assert.deepEqual(reconnectPlan(0, null, 2, 0, NOW), {
      retry: true,
      delayMs: 2_000,
      state: 'offline',
      text: 'offline: retrying in 2 s',
    });
    assert.equal(reconnectPlan(502, null, 1, 0, NOW).text, 'error 502: retrying in 1 s');
  });
});

describe('Operator console > page > which alarms are listed', () => {
  type View = { id: string; status: AlarmStatus; raisedAt: string; time: string };
  const shownAlarms = (list: View[], cap: number) => shownIn(list, cap).map((v) => v.id);
  const at = (s: number) => new Date(Date.parse('2026-11-27T18:00:00Z') + s * 1_000).toISOString();

  it('says the decided cap on the page', () => {
    assert.ok(pageHtml().includes(`then the ${DECIDED_SHOWN} newest decided`));
  });

  it('lists an open alarm from a drone a year behind beside 300 newer decided ones, and every undecided one', () => {
    const decided = Array.from({ length: 300 }, (_, n): View => ({
      id: `d${n}`,
      status: n % 2 ? 'confirmed' : 'dismissed',
      raisedAt: at(n),
      time: at(n),
    }));
    const late: View = {
      id: 'late',
      status: 'open',
      raisedAt: at(1),
      time: '2025-11-27T18:00:00.000Z',
    };
    const shown = shownAlarms([...decided, late], DECIDED_SHOWN);
    assert.equal(shown.length, 301);
    assert.equal(shown[0], 'late');

    const undecided = Array.from({ length: 400 }, (_, n): View => ({
      id: `o${n}`,
      status: n % 3 ? 'open' : 'acknowledged',
      raisedAt: at(n),
      time: '0001-01-01T00:00:00.000Z',
    }));
    const all = shownAlarms([...decided, ...undecided], 10);
    assert.equal(all.length, 410);
    assert.deepEqual(all.slice(0, 3), ['o399', 'o398', 'o397']); // newest raised first
    assert.deepEqual(all.slice(400, 402), ['d299', 'd298']);
  });
});

describe('Operator console > page > drone clock note', () => {
  it('says how far the drone clock was off, and which way', () => {
    assert.equal(clockNote(-365 * 86_400_000), 'drone clock off by 1.0 years (behind)');
    assert.equal(
      clockNote(-(2 * 86_400_000 + 3 * 3_600_000)),
      'drone clock off by 2 d 3 h (behind)',
    );
    assert.equal(clockNote(400_000), 'drone clock off by 6 min 40 s (ahead)');
    assert.equal(clockNote(undefined), '');
  });
});
