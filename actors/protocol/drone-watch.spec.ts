import assert from 'node:assert/strict';

import { E } from '../../runtime/codec.ts';
import { AlarmEvent } from './alarm.ts';
import {
  DroneBack,
  DroneSilent,
  DroneWatchEvent,
  toDroneBack,
  toDroneSilent,
} from './drone-watch.ts';
import { droneIdOf } from './primitives.ts';
import { utcTimeOf } from './time.ts';

const silent = toDroneSilent({
  droneId: droneIdOf(7),
  lastSeenAt: utcTimeOf(1_000),
  silentAfterMs: 30_000,
  raisedAt: utcTimeOf(31_000),
});

describe('Protocol > drone watch events', () => {
  it('round-trips drone.silent and drone.back through JSON, ids derived', () => {
    const back = toDroneBack(silent, utcTimeOf(40_000), 39_000);
    assert.equal(silent.id, 'drone-0007:silent:1970-01-01T00:00:01.000Z');
    assert.equal(back.id, `${silent.id}:back`);
    for (const e of [silent, back])
      assert.deepEqual(DroneWatchEvent.decode(JSON.parse(JSON.stringify(e))), E.right(e));
  });

  it('refuses an id that is not the derived one', () => {
    assert.ok(E.isLeft(DroneSilent.decode({ ...silent, id: 'drone-0007:silent:other' })));
    const back = toDroneBack(silent, utcTimeOf(40_000), 39_000);
    assert.ok(E.isLeft(DroneBack.decode({ ...back, id: 'x' })));
  });

  it('is not an alarm event: alarm readers do not take it for one', () => {
    assert.ok(E.isLeft(AlarmEvent.decode(silent)));
  });
});
