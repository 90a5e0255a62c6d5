import assert from 'node:assert/strict';

import { topic } from '../../runtime/bus/bus.ts';
import { createMemoryBackend, createMemoryBus } from '../../runtime/bus/memory.ts';
import { createEventHub } from '../../runtime/events.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';
import { DroneMessage } from '../protocol/drone-message.ts';
import type { HotItem } from './dynamo-table.ts';
import { startStorageWriter } from './service.ts';

const drones = topic('drones', DroneMessage, (m) => m.droneId);
const message = (n: number, time: string): DroneMessage =>
  ({
    type: 'drone.message',
    v: 1,
    id: `drone-0001:${n}`,
    droneId: 'drone-0001',
    seq: n,
    time,
    location: { lat: 40.6782, lon: -73.9442 },
  }) as unknown as DroneMessage;

describe('StreamToStorage > service > drone clocks', () => {
  it('stores a message whose drone time is far from its arrival, marked timeSuspect with how far in the table and the archive', async () => {
    const arrival = Date.parse('2026-11-27T18:00:00.000Z');
    const bus = createMemoryBus(createMemoryBackend({ now: () => arrival }));
    const items: HotItem[] = [];
    const archived: string[] = [];
    const writer = startStorageWriter({
      bus,
      events: createEventHub(),
      table: { put: (i) => (items.push(i), Promise.resolve()), flush: () => Promise.resolve() },
      archive: {
        append: (_type, json) => (archived.push(json), Promise.resolve()),
        appendSettled: (_type, json, _source, _at, done) => (archived.push(json), done.settle()),
        flush: () => Promise.resolve(),
        written: () => 0,
      },
      deadLetter: () => Promise.resolve(),
      streams: { drones: 'drones' },
      retentionSeconds: 3_600,
    });
    await bus.publish(drones, [
      message(1, '2026-11-27T17:59:59.000Z'),
      message(2, '2025-11-27T18:00:00.000Z'),
    ]);
    await waitFor(
      '2 archive lines',
      () => archived.length,
      5_000,
      (n) => n >= 2,
    );
    await writer.stop();

    const byId = new Map(items.map((i) => [i.id, i as Record<string, unknown>]));
    assert.equal(byId.get('drone-0001:1')?.timeSuspect, undefined);
    assert.equal(byId.get('drone-0001:2')?.timeSuspect, true);
    assert.equal(byId.get('drone-0001:2')?.clockOffMs, -365 * 86_400_000);
    assert.equal(archived.length, 2); // stored everywhere, never dropped
    // ...and marked everywhere: the archive line agrees with the table.
    const lines = new Map(
      archived.map((l) => JSON.parse(l) as Record<string, unknown>).map((j) => [j.id, j]),
    );
    assert.equal(lines.get('drone-0001:1')?.timeSuspect, undefined);
    assert.equal(lines.get('drone-0001:2')?.timeSuspect, true);
    assert.equal(lines.get('drone-0001:2')?.clockOffMs, -365 * 86_400_000);
    // Both times as columns: the drone's own, and when it was ingested (the table's `ingestedAt`, the same).
    assert.equal(lines.get('drone-0001:2')?.time, '2025-11-27T18:00:00.000Z');
    assert.equal(lines.get('drone-0001:2')?.ingestedAt, '2026-11-27T18:00:00.000Z');
    assert.equal(byId.get('drone-0001:2')?.ingestedAt, '2026-11-27T18:00:00.000Z');
  });
});
