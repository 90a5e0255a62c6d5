import assert from 'node:assert/strict';

import { map, type Observable, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';

import { E } from '../../runtime/codec.ts';
import { DroneMessage, hasViolation } from '../protocol/drone-message.ts';
import { boroughAt } from '../protocol/nyc.ts';
import { droneFleet, type FleetConfig } from './behaviour.ts';

const cfg: FleetConfig = {
  drones: 2,
  intervalMs: 20,
  alarmRate: 0.01,
  violationRate: 0.2,
  humanCodes: [40, 98],
  codeWeights: [
    { code: 21, weight: 17 },
    { code: 14, weight: 9 },
    { code: 40, weight: 3 },
    { code: 38, weight: 8 },
  ],
  seed: 42,
  speedMps: 8,
};

const newScheduler = () => new TestScheduler((a, e) => assert.deepEqual(a, e));

/** Runs the fleet in virtual time and returns its first `n` messages. */
const firstN = (c: FleetConfig, n: number): DroneMessage[] => {
  const out: DroneMessage[] = [];
  const ts = newScheduler();
  ts.run(({ flush }) => {
    droneFleet(c, { now: () => ts.now() + Date.UTC(2026, 10, 27) })
      .pipe(take(n))
      .subscribe((m) => out.push(m));
    flush();
  });
  return out;
};

/** The ids of the fleet's first `n` messages, on the clock `now`; marbles name them by {@link ID}. */
const firstIds = (now: () => number, n: number): Observable<string> =>
  droneFleet(cfg, { now }).pipe(
    map((m) => m.id),
    take(n),
  );
const ID = {
  a: 'drone-0001:0',
  b: 'drone-0002:0',
  c: 'drone-0001:1',
  d: 'drone-0002:1',
  e: 'drone-0001:2',
};

describe('DroneSimulator > fleet', () => {
  it('spreads the fleet over the interval: one drone per phase, each every intervalMs', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      expectObservable(firstIds(() => ts.now(), 5)).toBe('a 9ms b 9ms c 9ms d 9ms (e|)', ID);
    });
  });

  it('follows the clock when ticks fire late: every phase due is spoken for, at most one interval made up', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      // The clock runs twice as fast as the timer: each tick finds two phases due (seq = drone 1, 2, 1, 2, ...).
      expectObservable(firstIds(() => ts.now() * 2, 5)).toBe('a 9ms (bc) 6ms (de|)', ID);
    });
    const stalled = newScheduler();
    stalled.run(({ expectObservable }) => {
      // A 1-second stall at the second tick (50 intervals): each drone speaks once, then the pace is normal.
      const ids$ = firstIds(() => stalled.now() + (stalled.now() >= 10 ? 1_000 : 0), 4);
      expectObservable(ids$).toBe('a 9ms (cb) 6ms (e|)', ID);
    });
  });

  it('stamps each message with the clock, in UTC', () => {
    const [first, second] = firstN(cfg, 2);
    assert.equal(first!.time, '2026-11-27T00:00:00.000Z');
    assert.equal(second!.time, '2026-11-27T00:00:00.010Z');
  });

  it('only emits messages the contract accepts, over New York City', () => {
    for (const m of firstN({ ...cfg, drones: 50, intervalMs: 1_000 }, 2_000)) {
      assert.ok(E.isRight(DroneMessage.decode(DroneMessage.encode(m))), JSON.stringify(m));
      assert.ok(
        boroughAt(m.location.lat, m.location.lon),
        `over land: ${JSON.stringify(m.location)}`,
      );
    }
  });

  it('gives the same messages for the same seed, others for another seed', () => {
    assert.deepEqual(firstN(cfg, 300), firstN(cfg, 300));
    assert.notDeepEqual(firstN(cfg, 300), firstN({ ...cfg, seed: 43 }, 300));
  });

  it('flies: consecutive positions of a drone are a few metres apart', () => {
    const ms = firstN({ ...cfg, drones: 1, intervalMs: 1_000 }, 50);
    for (let i = 1; i < ms.length; i++) {
      const dLat = (ms[i]!.location.lat - ms[i - 1]!.location.lat) * 111_320;
      const dLon = (ms[i]!.location.lon - ms[i - 1]!.location.lon) * 84_000;
      assert.ok(Math.hypot(dLat, dLon) <= 8.5, `step ${i}: ${Math.hypot(dLat, dLon)} m`);
    }
  });

  it('raises alarms at --alarm-rate and violations at --violation-rate (statistically)', () => {
    const n = 40_000;
    const ms = firstN({ ...cfg, drones: 400, intervalMs: 1_000 }, n);
    const human = new Set(cfg.humanCodes);
    const alarms = ms.filter((m) => hasViolation(m) && human.has(m.violationCode)).length;
    const violations = ms.filter(hasViolation).length;
    // Within 4 standard deviations of a binomial: a false failure about once in 15,000 runs (but seeded: never).
    const within = (count: number, p: number) =>
      Math.abs(count / n - p) <= 4 * Math.sqrt((p * (1 - p)) / n);
    assert.ok(within(alarms, 0.01), `alarm share ${alarms / n}`);
    assert.ok(within(violations, 0.2), `violation share ${violations / n}`);
    const ordinary = ms.filter((m) => hasViolation(m) && !human.has(m.violationCode));
    const c21 = ordinary.filter((m) => m.violationCode === 21).length / ordinary.length;
    assert.ok(Math.abs(c21 - 17 / 34) < 0.03, `code 21 share among ordinary: ${c21}`);
  });

  it('stops its timer when unsubscribed', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const ids$ = droneFleet({ ...cfg, drones: 1 }, { now: () => ts.now() }).pipe(
        map((m) => m.seq),
      );
      expectObservable(ids$, '^ 50ms !').toBe('a 19ms b 19ms c', { a: 0, b: 1, c: 2 });
    });
  });
});
