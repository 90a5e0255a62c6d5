import assert from 'node:assert/strict';

import { from, lastValueFrom, map, type Observable, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';

import { transitions } from '../../runtime/transition.ts';
import { BROOKLYN, droneMessage, type MessageFixture } from '../../test/helpers/drone-messages.ts';
import { type AlarmBorough, toAlarmRaised } from '../protocol/alarm.ts';
import type { DroneMessage, ViolationMessage } from '../protocol/drone-message.ts';
import { utcTimeOf } from '../protocol/time.ts';
import { DEFAULT_HUMAN_CODES } from '../protocol/violation-codes.ts';
import { type AlertConfig, alertStep, initialAlert, type RaiseAlarm } from './behaviour.ts';

const T0 = Date.parse('2026-11-27T18:00:00.000Z');
const UPPER_BAY = { lat: 40.65, lon: -74.05 };

/** The drones' clocks half a second before T0. */
const message = (drone: number, seq: number, extra: MessageFixture = {}): DroneMessage =>
  droneMessage(drone, seq, { time: '2026-11-27T17:59:59.500Z', ...extra });

const human = message(1, 1, { code: 40 }); // fire hydrant
const ordinary = message(1, 2, { code: 21 }); // street cleaning: a violation, no human needed
const plain = message(1, 3); // no violation at all
/** The alarm the step should raise at virtual frame `at` (its `raisedAt`: virtual time begins at epoch 0). */
const alarmOf = (m: DroneMessage, at = 0, borough: AlarmBorough = 'Manhattan') =>
  toAlarmRaised(m as ViolationMessage, utcTimeOf(at), borough);
/** Every message arrives on the stream at T0 (the drones' clocks are half a second behind: believed). */
const raise = (m: DroneMessage, at = 0, borough: AlarmBorough = 'Manhattan'): RaiseAlarm => ({
  kind: 'raise',
  alarm: alarmOf(m, at, borough),
  arrivedAt: T0,
});

/** The step as its runner drives it, in virtual time (ticks every minute: the step ignores them), commands out. */
const run =
  (cfg: AlertConfig = { humanCodes: DEFAULT_HUMAN_CODES }) =>
  (messages$: Observable<DroneMessage>) =>
    messages$.pipe(
      map((message) => ({ message, arrivedAt: T0 })),
      transitions(initialAlert, alertStep(cfg), { tickMs: 60_000 }),
    );

describe('AlertSystem > behaviour', () => {
  let ts: TestScheduler;
  beforeEach(() => (ts = new TestScheduler((a, e) => assert.deepEqual(a, e))));
  const alerts = run();

  it('raises one alarm per message whose code needs a human, and none for the others', () =>
    ts.run(({ cold, expectObservable }) => {
      const in$ = cold('-p-o-h-|', { p: plain, o: ordinary, h: human });
      expectObservable(alerts(in$)).toBe('-----a-|', { a: raise(human, 5) });
    }));

  it('alarms for exactly the configured codes, 1 to 99', async () => {
    const all = Array.from({ length: 99 }, (_, i) => message(2, i, { code: i + 1 }));
    const codesOf = async (humanCodes: number[]) =>
      (await lastValueFrom(run({ humanCodes })(from(all)).pipe(toArray())))
        .map((c) => c.alarm.violationCode)
        .sort((x, y) => x - y);
    assert.deepEqual(
      await codesOf([...DEFAULT_HUMAN_CODES]),
      [...DEFAULT_HUMAN_CODES].sort((x, y) => x - y),
    );
    assert.deepEqual(await codesOf([21, 98]), [21, 98]); // configuration replaces the defaults
    assert.deepEqual(await codesOf([]), []);
  });

  it('names the borough from the position (`unknown` over water) and takes raisedAt from the runner time', () =>
    ts.run(({ cold, expectObservable }) => {
      const bay = message(3, 1, { code: 9, location: UPPER_BAY });
      const brooklyn = message(4, 1, { code: 9, location: BROOKLYN });
      const in$ = cold('-w--b|', { w: bay, b: brooklyn });
      expectObservable(run({ humanCodes: [9] })(in$)).toBe('-w--b|', {
        w: raise(bay, 1, 'unknown'),
        b: raise(brooklyn, 4, 'Brooklyn'),
      });
    }));

  it('marks the alarm of a drone whose clock is off against the arrival, and raises it all the same', () =>
    ts.run(({ cold, expectObservable }) => {
      const behind = message(7, 1, { code: 40, time: '2026-11-26T17:59:59.000Z' }); // 24 h and 1 s behind
      expectObservable(run()(cold('h|', { h: behind }))).toBe('h|', {
        h: { ...raise(behind), alarm: { ...alarmOf(behind), clockOffMs: -86_401_000 } },
      });
    }));

  it('raises a redelivered message again with the same alarm id: the store deduplicates by id', () =>
    ts.run(({ cold, expectObservable }) => {
      const in$ = cold('h-h--h|', { h: human });
      expectObservable(alerts(in$)).toBe('a-b--c|', {
        a: raise(human, 0),
        b: raise(human, 2),
        c: raise(human, 5),
      });
    }));

  it('never drops or merges a burst: simultaneous alarms, and one drone alarming twice in a row', () =>
    ts.run(({ cold, expectObservable }) => {
      const x = message(5, 7, { code: 45 });
      const y = message(6, 7, { code: 45 }); // same code, same time, another drone
      const z = message(5, 8, { code: 45 }); // the same drone again, next message
      const in$ = cold('-(hxyoz)-|', { h: human, x, y, o: ordinary, z });
      expectObservable(alerts(in$)).toBe('-(axyz)--|', {
        a: raise(human, 1),
        x: raise(x, 1),
        y: raise(y, 1),
        z: raise(z, 1),
      });
    }));

  it('keeps every alarm of a 2,000-message burst, in order', async () => {
    const burst = Array.from({ length: 2_000 }, (_, i) =>
      message(i % 200, i, i % 2 === 0 ? { code: 96 } : {}),
    );
    const out = await lastValueFrom(alerts(from(burst)).pipe(toArray()));
    assert.equal(out.length, 1_000);
    assert.equal(new Set(out.map((c) => c.alarm.id)).size, 1_000);
    assert.deepEqual(
      out.map((c) => c.alarm.id),
      burst.filter((_, i) => i % 2 === 0).map((m) => m.id),
    );
  });

  it('completes on an empty source and passes errors through', () =>
    ts.run(({ cold, expectObservable }) => {
      expectObservable(alerts(cold('|'))).toBe('|');
      expectObservable(alerts(cold('-#'))).toBe('-#');
      expectObservable(alerts(cold('-p-#', { p: plain }))).toBe('---#');
    }));

  it('does nothing on a tick, and keeps no state', () =>
    ts.run(({ cold, expectObservable }) => {
      const ticking = (messages$: Observable<DroneMessage>) =>
        messages$.pipe(
          map((message) => ({ message, arrivedAt: T0 })),
          transitions(initialAlert, alertStep({ humanCodes: [40] }), { tickMs: 1 }),
        );
      expectObservable(ticking(cold('-----h|', { h: human }))).toBe('-----a|', {
        a: raise(human, 5),
      });
      const [state, commands] = alertStep({ humanCodes: [40] })(initialAlert, {
        kind: 'tick',
        at: T0,
      });
      assert.equal(state, initialAlert);
      assert.deepEqual(commands, []);
    }));

  it('unsubscribes from its source when torn down', () =>
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('-h-h-h-h', { h: human });
      expectObservable(alerts(src), '^--!').toBe('-a-', { a: raise(human, 1) });
      expectSubscriptions(src.subscriptions).toBe('^--!');
    }));
});
