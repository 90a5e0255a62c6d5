import assert from 'node:assert/strict';

import { TestScheduler } from 'rxjs/testing';

import { type EscalationInput, escalations } from './escalation.ts';

describe('escalations', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = new TestScheduler((actual, expected) => assert.deepStrictEqual(actual, expected));
  });
  const clock = () => ({ now: () => ts.now() });
  const shown = (alarmId: string, raisedAtMs: number): EscalationInput => ({
    type: 'shown',
    alarmId,
    raisedAtMs,
  });
  const settled = (alarmId: string): EscalationInput => ({ type: 'settled', alarmId });

  it('escalates an alarm nobody settles, afterMs after its raise', () =>
    ts.run(({ hot, expectObservable }) => {
      const inputs = hot('a------', { a: shown('x', 0) });
      expectObservable(inputs.pipe(escalations({ afterMs: 5, clock: clock() }))).toBe('-----e-', {
        e: { alarmId: 'x', afterMs: 5 },
      });
    }));

  it('does not escalate an alarm settled in time, and others still escalate', () =>
    ts.run(({ hot, expectObservable }) => {
      const inputs = hot('ab-s----', { a: shown('x', 0), b: shown('y', 1), s: settled('x') });
      expectObservable(inputs.pipe(escalations({ afterMs: 5, clock: clock() }))).toBe('------e-', {
        e: { alarmId: 'y', afterMs: 5 },
      });
    }));

  it('escalates at once an alarm shown after its deadline (a restart, a late delivery)', () =>
    ts.run(({ hot, expectObservable }) => {
      const inputs = hot('--a---', { a: shown('x', -100) });
      expectObservable(inputs.pipe(escalations({ afterMs: 5, clock: clock() }))).toBe('--e---', {
        e: { alarmId: 'x', afterMs: 102 },
      });
    }));

  it('ignores a settle of another alarm, and completes with its source once timers are done', () =>
    ts.run(({ cold, expectObservable }) => {
      const inputs = cold('a-s|', { a: shown('x', 0), s: settled('y') });
      expectObservable(inputs.pipe(escalations({ afterMs: 4, clock: clock() }))).toBe('----(e|)', {
        e: { alarmId: 'x', afterMs: 4 },
      });
    }));

  it('passes a source error on', () =>
    ts.run(({ cold, expectObservable }) => {
      expectObservable(
        cold<EscalationInput>('-#').pipe(escalations({ afterMs: 4, clock: clock() })),
      ).toBe('-#');
    }));

  it('unsubscribes from its source', () =>
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const inputs = cold<EscalationInput>('a-----', { a: shown('x', 0) });
      expectObservable(inputs.pipe(escalations({ afterMs: 10, clock: clock() })), '^--!').toBe(
        '----',
      );
      expectSubscriptions(inputs.subscriptions).toBe('^--!');
    }));
});
