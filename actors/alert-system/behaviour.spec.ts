import assert from 'node:assert/strict';

import { from, lastValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';

import { BROOKLYN, droneMessage, type MessageFixture } from '../../test/helpers/drone-messages.ts';
import { type AlarmBorough, toAlarmRaised } from '../protocol/alarm.ts';
import type { DroneMessage, ViolationMessage } from '../protocol/drone-message.ts';
import { utcTimeOf } from '../protocol/time.ts';
import { DEFAULT_HUMAN_CODES } from '../protocol/violation-codes.ts';
import { alertSystem } from './behaviour.ts';

const T0 = Date.parse('2026-11-27T18:00:00.000Z');
const UPPER_BAY = { lat: 40.65, lon: -74.05 };

/** The drones' clocks half a second before T0. */
const message = (drone: number, seq: number, extra: MessageFixture = {}): DroneMessage =>
  droneMessage(drone, seq, { time: '2026-11-27T17:59:59.500Z', ...extra });

const human = message(1, 1, { code: 40 }); // fire hydrant
const ordinary = message(1, 2, { code: 21 }); // street cleaning: a violation, no human needed
const plain = message(1, 3); // no violation at all
const fixed = { now: () => T0 };
/** The alarm the behaviour should raise. */
const alarmOf = (m: DroneMessage, at = T0, borough: AlarmBorough = 'Manhattan') =>
  toAlarmRaised(m as ViolationMessage, utcTimeOf(at), borough);

describe('AlertSystem > behaviour', () => {
  let ts: TestScheduler;
  beforeEach(() => (ts = new TestScheduler((a, e) => assert.deepEqual(a, e))));
  const alerts = alertSystem({ humanCodes: DEFAULT_HUMAN_CODES, clock: fixed });

  it('raises one alarm per message whose code needs a human, and none for the others', () =>
    ts.run(({ cold, expectObservable }) => {
      const in$ = cold('-p-o-h-|', { p: plain, o: ordinary, h: human });
      expectObservable(alerts(in$)).toBe('-----a-|', { a: alarmOf(human) });
    }));

  it('alarms for exactly the configured codes, 1 to 99', async () => {
    const all = Array.from({ length: 99 }, (_, i) => message(2, i, { code: i + 1 }));
    const codesOf = async (humanCodes: number[]) =>
      (await lastValueFrom(alertSystem({ humanCodes, clock: fixed })(from(all)).pipe(toArray())))
        .map((a) => a.violationCode)
        .sort((x, y) => x - y);
    assert.deepEqual(
      await codesOf([...DEFAULT_HUMAN_CODES]),
      [...DEFAULT_HUMAN_CODES].sort((x, y) => x - y),
    );
    assert.deepEqual(await codesOf([21, 98]), [21, 98]); // configuration replaces the defaults
    assert.deepEqual(await codesOf([]), []);
  });

  it('names the borough from the position (`unknown` over water) and takes raisedAt from the clock', () =>
    ts.run(({ cold, expectObservable }) => {
      const bay = message(3, 1, { code: 9, location: UPPER_BAY });
      const brooklyn = message(4, 1, { code: 9, location: BROOKLYN });
      const clock = { now: () => T0 + ts.now() }; // virtual time
      const in$ = cold('-w--b|', { w: bay, b: brooklyn });
      expectObservable(alertSystem({ humanCodes: [9], clock })(in$)).toBe('-w--b|', {
        w: { ...alarmOf(bay, T0 + 1), borough: 'unknown' },
        b: alarmOf(brooklyn, T0 + 4, 'Brooklyn'),
      });
    }));

  it('raises a redelivered message again with the same alarm id: the store deduplicates by id', () =>
    ts.run(({ cold, expectObservable }) => {
      const in$ = cold('h-h--h|', { h: human });
      expectObservable(alerts(in$)).toBe('a-a--a|', { a: alarmOf(human) });
    }));

  it('never drops or merges a burst: simultaneous alarms, and one drone alarming twice in a row', () =>
    ts.run(({ cold, expectObservable }) => {
      const x = message(5, 7, { code: 45 });
      const y = message(6, 7, { code: 45 }); // same code, same time, another drone
      const z = message(5, 8, { code: 45 }); // the same drone again, next message
      const in$ = cold('-(hxyoz)-|', { h: human, x, y, o: ordinary, z });
      expectObservable(alerts(in$)).toBe('-(axyz)--|', {
        a: alarmOf(human),
        x: alarmOf(x),
        y: alarmOf(y),
        z: alarmOf(z),
      });
    }));

  it('keeps every alarm of a 2,000-message burst, in order', async () => {
    const burst = Array.from({ length: 2_000 }, (_, i) =>
      message(i % 200, i, i % 2 === 0 ? { code: 96 } : {}),
    );
    const out = await lastValueFrom(alerts(from(burst)).pipe(toArray()));
    assert.equal(out.length, 1_000);
    assert.equal(new Set(out.map((a) => a.id)).size, 1_000);
    assert.deepEqual(
      out.map((a) => a.id),
      burst.filter((_, i) => i % 2 === 0).map((m) => m.id),
    );
  });

  it('completes on an empty source and passes errors through', () =>
    ts.run(({ cold, expectObservable }) => {
      expectObservable(alerts(cold('|'))).toBe('|');
      expectObservable(alerts(cold('-#'))).toBe('-#');
      expectObservable(alerts(cold('-p-#', { p: plain }))).toBe('---#');
    }));

  it('errors when the clock throws (a defect: the runtime crashes and restarts the actor)', () =>
    ts.run(({ cold, expectObservable }) => {
      const broken = alertSystem({
        humanCodes: [40],
        clock: {
          now: () => {
            throw new Error('clock broke');
          },
        },
      });
      const in$ = cold('-p-h-|', { p: plain, h: human });
      expectObservable(broken(in$)).toBe('---#', undefined, new Error('clock broke'));
    }));

  it('unsubscribes from its source when torn down', () =>
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('-h-h-h-h', { h: human });
      expectObservable(alerts(src), '^--!').toBe('-a-', { a: alarmOf(human) });
      expectSubscriptions(src.subscriptions).toBe('^--!');
    }));
});
