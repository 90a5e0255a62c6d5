import assert from 'node:assert/strict';

import type { Bus } from '../../runtime/bus/bus.ts';
import { portFailure } from '../../runtime/errors.ts';
import { createEventHub } from '../../runtime/events.ts';
import type { FleetConfig } from './behaviour.ts';
import {
  DROPPED_EXIT,
  droppedReport,
  exitCodeOf,
  type FleetCounts,
  startDroneFleet,
} from './service.ts';

const cfg: FleetConfig = {
  drones: 4,
  intervalMs: 20,
  alarmRate: 0.01,
  violationRate: 0.2,
  humanCodes: [40],
  codeWeights: [{ code: 21, weight: 1 }],
  seed: 1,
  speedMps: 8,
};

/** A bus whose publishes take `delayMs` and whose `fail`-th ones (1-based) are refused after "retries". */
const slowBus = (delayMs: number, fail: (n: number) => boolean): Bus => {
  let n = 0;
  return {
    publish: () => {
      const mine = ++n;
      return new Promise<void>((resolve, reject) =>
        setTimeout(
          () =>
            fail(mine) ? reject(portFailure('kinesis', 'retries exhausted', false)) : resolve(),
          delayMs,
        ),
      );
    },
  } as unknown as Bus;
};

const run = async (bus: Bus, ms: number, maxPending: number) => {
  const fleet = startDroneFleet({
    bus,
    events: createEventHub(),
    stream: 'drones',
    fleet: cfg,
    clock: { now: Date.now },
    maxPending,
  });
  await new Promise((r) => setTimeout(r, ms));
  await fleet.stop();
  return fleet.counts;
};

describe('DroneSimulator > service > drops', () => {
  it('a stop drains what the fleet made: nothing dropped, nothing to report', async () => {
    // Publishes slower than the fleet makes messages: many wait in the fleet's buffer when the stop comes.
    const counts = await run(
      slowBus(30, () => false),
      150,
      2,
    );
    assert.ok(counts.made > 4);
    assert.equal(counts.sent, counts.made);
    assert.equal(droppedReport(counts), undefined);
  });

  it('counts messages the stream refused, and says what and why', async () => {
    const counts = await run(
      slowBus(1, (n) => n % 3 === 0),
      100,
      10,
    );
    assert.ok(counts.failed > 0);
    assert.equal(counts.sent + counts.failed, counts.made);
    assert.match(
      droppedReport(counts)!,
      new RegExp(
        `dropped ${counts.failed} of ${counts.made} messages: ${counts.failed} refused by the drone stream`,
      ),
    );
  });

  it('reports messages made but never published', () => {
    const c: FleetCounts = {
      sent: 5,
      violations: 0,
      alarms: 0,
      failed: 0,
      images: 0,
      imagesFailed: 0,
      made: 7,
    };
    assert.match(droppedReport(c)!, /dropped 2 of 7 messages: 2 made but never published/);
    assert.equal(droppedReport({ ...c, made: 5 }), undefined);
  });

  it('exits non-zero after dropping anything, saying what and why; 0 otherwise', () => {
    const lines: string[] = [];
    const c: FleetCounts = {
      sent: 9,
      violations: 0,
      alarms: 0,
      failed: 1,
      images: 0,
      imagesFailed: 0,
      made: 10,
    };
    assert.equal(
      exitCodeOf(c, (l) => lines.push(l)),
      DROPPED_EXIT,
    );
    assert.notEqual(DROPPED_EXIT, 0);
    assert.deepEqual(lines, [`${droppedReport(c)!}\n`]);
    assert.equal(
      exitCodeOf({ ...c, sent: 10, failed: 0 }, (l) => lines.push(l)),
      0,
    );
    assert.equal(lines.length, 1);
  });
});
