import assert from 'node:assert/strict';

import { TestScheduler } from 'rxjs/testing';

import { transitions } from '../../runtime/transition.ts';
import { droneMessage } from '../../test/helpers/drone-messages.ts';
import type { DroneMessage } from '../protocol/drone-message.ts';
import { toDroneBack, toDroneSilent } from '../protocol/drone-watch.ts';
import { droneIdOf } from '../protocol/primitives.ts';
import { utcTimeOf } from '../protocol/time.ts';
import { initialWatch, type WatchCommand, watchdog } from './behaviour.ts';

/** The drone's own clock, far off: the watchdog goes by the runner's time only. */
const message = (drone: number, seq: number) =>
  droneMessage(drone, seq, { time: '2001-01-01T00:00:00.000Z' });

const silent = (drone: number, lastSeenAt: number, at: number) =>
  toDroneSilent({
    droneId: droneIdOf(drone),
    lastSeenAt: utcTimeOf(lastSeenAt),
    silentAfterMs: 5,
    raisedAt: utcTimeOf(at),
  });
const publish = (event: ReturnType<typeof silent> | ReturnType<typeof toDroneBack>) =>
  ({ kind: 'publish', event }) as const satisfies WatchCommand;

/** Silent after 5 virtual ms, ticks every ms. */
const watch = (maxDrones = 100) =>
  transitions(initialWatch(maxDrones), watchdog({ silentAfterMs: 5, maxDrones }), { tickMs: 1 });

describe('DroneWatchdog > behaviour (virtual time)', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = new TestScheduler((actual, expected) => assert.deepStrictEqual(actual, expected));
  });

  it('reports nothing while a drone speaks more often than the silence limit', () =>
    ts.run(({ cold, expectObservable }) => {
      const a = message(1, 1);
      const messages = cold('a 3ms a 3ms a 3ms a 3ms |', { a });
      expectObservable(messages.pipe(watch())).toBe('16ms |');
    }));

  it('raises drone.silent once after the limit, and drone.back when it speaks again', () =>
    ts.run(({ cold, expectObservable }) => {
      const messages = cold('a 9ms b 9ms |', { a: message(1, 1), b: message(1, 2) });
      const s1 = silent(1, 0, 5);
      const s2 = silent(1, 10, 15);
      expectObservable(messages.pipe(watch())).toBe('5ms s 4ms b 4ms t 4ms |', {
        s: publish(s1),
        b: publish(toDroneBack(s1, utcTimeOf(10), 10)),
        t: publish(s2),
      });
    }));

  it('watches each drone apart', () =>
    ts.run(({ cold, expectObservable }) => {
      const messages = cold('a 2ms b 2ms b 2ms b |', { a: message(1, 1), b: message(2, 1) });
      expectObservable(messages.pipe(watch())).toBe('5ms s 4ms |', { s: publish(silent(1, 0, 5)) });
    }));

  it('counts a drone beyond maxDrones as untracked, never silently', () =>
    ts.run(({ cold, expectObservable }) => {
      const messages = cold('a b a |', { a: message(1, 1), b: message(2, 1) });
      expectObservable(messages.pipe(watch(1))).toBe('-u-|', {
        u: { kind: 'untracked', droneId: droneIdOf(2) },
      });
    }));

  it('ends with its source (no tick outlives it), and fails with it', () =>
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold<DroneMessage>('|').pipe(watch())).toBe('|');
      expectObservable(cold<DroneMessage>('-#').pipe(watch())).toBe('-#');
    }));

  it('fails when the transition throws (a defect: the runner crashes and restarts)', () =>
    ts.run(({ cold, expectObservable }) => {
      const boom = transitions(
        initialWatch(100),
        () => {
          throw new Error('bug');
        },
        { tickMs: 1 },
      );
      expectObservable(cold('--a', { a: message(1, 1) }).pipe(boom)).toBe(
        '-#',
        undefined,
        new Error('bug'),
      );
    }));

  it('unsubscribes from its source when unsubscribed', () =>
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const messages = cold('a------', { a: message(1, 1) });
      expectObservable(messages.pipe(watch()), '^--!').toBe('---');
      expectSubscriptions(messages.subscriptions).toBe('^--!');
    }));
});
