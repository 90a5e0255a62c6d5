/**
 * The page's script: its bundle, and its pure parts (`browser/reconnect.ts`, `browser/alarms.ts`) as the page runs
 * them. The reconnect plan says what the page does once its event stream closed for good, from what HEAD /events
 * answered.
 */
import assert from 'node:assert/strict';
import vm from 'node:vm';

import {
  cardParts,
  changedParts,
  clockNote,
  DECIDED_SHOWN,
  shownAlarms as shownIn,
  unmoved,
} from './browser/alarms.ts';
import { reconnectPlan } from './browser/reconnect.ts';
import type { AlarmStatus, AlarmView } from './model.ts';
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

describe('Operator console > page > cards updated in place', () => {
  const open: AlarmView = {
    id: 'drone-0001:1',
    droneId: 'drone-0001',
    violationCode: 40,
    violationImageId: 'img 1',
    location: { lat: 40.758, lon: -73.9855 },
    time: '2026-12-01T12:00:00.000Z',
    raisedAt: '2026-12-01T12:00:01.000Z',
    status: 'open',
    deliveries: 1,
  };
  const fmt = (iso: string) => `[${iso}]`;

  it('an escalation changes the class, badges and decision line, never the buttons; a duplicate changes nothing', () => {
    const before = cardParts(open, fmt);
    assert.deepEqual(before.actions, [['Acknowledge', 'acknowledge', 'ack']]);
    assert.equal(before.image, '/images/img%201');
    assert.equal(before.decision, '');
    const escalated = cardParts(
      { ...open, escalated: { at: '2026-12-01T12:05:01.000Z', level: 1, afterMs: 300_000 } },
      fmt,
    );
    assert.deepEqual(changedParts(before, escalated), ['className', 'badges', 'decision']);
    assert.equal(escalated.className, 'alarm open escalated');
    assert.deepEqual(escalated.badges, ['open', 'escalated']);
    assert.equal(
      escalated.decision,
      'escalated at [2026-12-01T12:05:01.000Z] (300 s unacknowledged)',
    );
    assert.deepEqual(changedParts(before, cardParts({ ...open, deliveries: 2 }, fmt)), []);
  });

  it('an acknowledgement changes the status and the buttons; a clock off adds a meta field', () => {
    const acked = cardParts(
      { ...open, status: 'acknowledged', acknowledged: { by: 'ofc', at: open.raisedAt } },
      fmt,
    );
    assert.deepEqual(changedParts(cardParts(open, fmt), acked), [
      'className',
      'status',
      'badges',
      'decision',
      'actions',
    ]);
    assert.deepEqual(
      acked.actions.map(([, action]) => action),
      ['confirm', 'dismiss'],
    );
    assert.deepEqual(cardParts({ ...open, status: 'confirmed' }, fmt).actions, []);
    const late = cardParts({ ...open, clockOffMs: -400_000 }, fmt);
    assert.deepEqual(late.meta[1], [
      'clock-off',
      'Clock',
      'drone clock off by 6 min 40 s (behind) (raised [2026-12-01T12:00:01.000Z])',
    ]);
  });

  it('moves only the cards out of order', () => {
    assert.deepEqual([...unmoved(['a', 'b', 'c'], ['a', 'b', 'c'])], ['c', 'b', 'a']);
    assert.deepEqual(new Set(unmoved(['a', 'b', 'c'], ['b', 'c', 'a'])), new Set(['b', 'c']));
    assert.deepEqual(new Set(unmoved(['b', 'c'], ['new', 'b', 'c'])), new Set(['b', 'c']));
    assert.deepEqual(
      new Set(unmoved(['a', 'b', 'c', 'd'], ['d', 'a', 'b', 'c'])),
      new Set(['a', 'b', 'c']),
    );
    assert.equal(unmoved(['a', 'b', 'c', 'd', 'e'], ['e', 'd', 'c', 'b', 'a']).size, 1);
    assert.deepEqual([...unmoved([], ['a'])], []);
  });
});
