import assert from 'node:assert/strict';

import fc from 'fast-check';

import type { t } from '../../runtime/codec.ts';
import { arbAlarmRaised } from '../protocol/alarm.arb.ts';
import { type AlarmRaised, toAlarmResolved, toConflictAlarm } from '../protocol/alarm.ts';
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

describe('OperatorConsole > model > order', () => {
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
