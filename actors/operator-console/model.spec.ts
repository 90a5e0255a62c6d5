import assert from 'node:assert/strict';

import fc from 'fast-check';

import type { t } from '../../runtime/codec.ts';
import { arbAlarmRaised } from '../protocol/alarm.arb.ts';
import {
  type AlarmRaised,
  toAlarmEscalated,
  toAlarmResolved,
  toConflictAlarm,
} from '../protocol/alarm.ts';
import { createConsoleState } from './model.ts';

describe('OperatorConsole > model > conflict alarms', () => {
  it('shows a conflict alarm beside the first alarm of its id, marked as a conflict', () =>
    fc.assert(
      fc.property(arbAlarmRaised, (a) => {
        const state = createConsoleState(() => 'FIRE HYDRANT');
        const conflict = toConflictAlarm(a)!;
        state.raised(a, 'store');
        const { view, isNew } = state.raised(conflict, 'queue');
        assert.ok(isNew);
        assert.equal(state.list().length, 2);
        assert.equal(view.conflictOf, a.messageId);
        assert.match(view.description!, /^ID CONFLICT: .* FIRE HYDRANT$/);
        assert.equal(state.get(a.id)!.conflictOf, undefined);
        assert.equal(state.get(a.id)!.description, 'FIRE HYDRANT');
      }),
      { numRuns: 50 },
    ));
});

/** Alarm number `n` of drone 1, raised at `raisedAt` for a drone time `time`. */
const raised = (n: number, time: string, raisedAt: string): AlarmRaised =>
  ({
    type: 'alarm.raised',
    v: 1,
    id: `drone-0001:${n}`,
    messageId: `drone-0001:${n}`,
    droneId: 'drone-0001',
    violationCode: 40,
    violationImageId: `img-${n}`,
    location: { lat: 40.7, lon: -73.9 },
    time,
    raisedAt,
  }) as AlarmRaised;

describe('OperatorConsole > model > order', () => {
  it('lists undecided alarms first, newest raised first, whatever the drone clock said', () => {
    const state = createConsoleState(() => undefined);
    for (let n = 0; n < 5; n++) {
      const t = `2026-11-27T18:00:0${n}.000Z`;
      state.raised(raised(n, t, t), 'queue');
      state.resolved(
        toAlarmResolved({
          alarmId: `drone-0001:${n}` as never,
          decision: 'dismissed',
          by: 'op',
          at: t as never,
        }),
      );
    }
    state.raised(
      {
        ...raised(9, '2025-11-27T18:00:00.000Z', '2026-11-27T17:00:00.000Z'),
        clockOffMs: -1 as t.Int,
      },
      'queue',
    );
    state.raised(raised(8, '9999-01-01T00:00:00.000Z', '2026-11-27T17:30:00.000Z'), 'queue');
    assert.deepEqual(
      state.list().map((v) => v.id),
      ['drone-0001:8', 'drone-0001:9', ...[4, 3, 2, 1, 0].map((n) => `drone-0001:${n}`)],
    );
    assert.equal(state.get('drone-0001:9')!.clockOffMs, -1);
  });
});

describe('OperatorConsole > model > counts', () => {
  // Alarms of a few ids, raised (from the store or the queue), decided and escalated in any order: the counts kept
  // as things change must always equal a count of the views themselves.
  const event = fc.oneof(
    fc.record({
      kind: fc.constant('raised' as const),
      n: fc.integer({ min: 0, max: 4 }),
      via: fc.constantFrom('store' as const, 'queue' as const),
    }),
    fc.record({
      kind: fc.constant('resolved' as const),
      n: fc.integer({ min: 0, max: 4 }),
      decision: fc.constantFrom(
        'acknowledged' as const,
        'confirmed' as const,
        'dismissed' as const,
      ),
    }),
    fc.record({
      kind: fc.constant('escalated' as const),
      n: fc.integer({ min: 0, max: 4 }),
      level: fc.integer({ min: 1, max: 3 }),
      via: fc.constantFrom('store' as const, 'self' as const, 'queue' as const),
    }),
  );
  const alarm = (n: number) => raised(n, '2026-11-27T18:00:00.000Z', `2026-11-27T18:00:0${n}.000Z`);

  it('keeps every count equal to a count of the alarms shown, whatever the order of events', () =>
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const state = createConsoleState(() => undefined);
        for (const e of events) {
          const alarmId = `drone-0001:${e.n}` as never;
          if (e.kind === 'raised') state.raised(alarm(e.n), e.via);
          else if (e.kind === 'resolved')
            state.resolved(
              toAlarmResolved({
                alarmId,
                decision: e.decision,
                by: 'op',
                at: '2026-11-27T18:01:00.000Z' as never,
              }),
            );
          else
            state.escalated(
              toAlarmEscalated({
                alarmId,
                level: e.level,
                reason: 'unacknowledged',
                afterMs: 60_000,
                escalatedAt: '2026-11-27T18:02:00.000Z' as never,
              }),
              e.via,
            );
          const views = state.list();
          const count = (s: string) => views.filter((v) => v.status === s).length;
          const c = state.counts();
          assert.equal(c.alarms, views.length);
          assert.equal(c.unacknowledged, count('open'));
          assert.equal(c.acknowledged, count('acknowledged'));
          assert.equal(c.open, count('open') + count('acknowledged'));
          assert.equal(c.confirmed, count('confirmed'));
          assert.equal(c.dismissed, count('dismissed'));
          assert.equal(c.escalated, views.filter((v) => v.escalated).length);
        }
      }),
      { numRuns: 300 },
    ));
});
