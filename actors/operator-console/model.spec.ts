import assert from 'node:assert/strict';

import fc from 'fast-check';

import { arbAlarmRaised } from '../protocol/alarm.arb.ts';
import { toConflictAlarm } from '../protocol/alarm.ts';
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
