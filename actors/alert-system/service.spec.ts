import assert from 'node:assert/strict';

import type { DeadLetterRequest } from '../../runtime/actor.ts';
import { topic } from '../../runtime/bus/bus.ts';
import { createMemoryBackend, createMemoryBus } from '../../runtime/bus/memory.ts';
import { portFailure } from '../../runtime/errors.ts';
import { createEventHub } from '../../runtime/events.ts';
import { MetricsRegistry } from '../../runtime/metrics.ts';
import { BROOKLYN, droneMessage } from '../../test/helpers/drone-messages.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';
import { AlarmRaised } from '../protocol/alarm.ts';
import { DroneMessage } from '../protocol/drone-message.ts';
import type { AlertEvent } from './delivery-step.ts';
import type { NeedsHumanNote } from './needs-human.ts';
import type { AlarmPublisher, AlarmStore } from './ports.ts';
import { startAlertSystem } from './service.ts';

const drones = topic('drones', DroneMessage, (m) => m.droneId);
const message = (n: number, code?: number): DroneMessage =>
  droneMessage(1, n, { location: BROOKLYN, ...(code === undefined ? {} : { code }) });

/** A store that fails its first `failures` calls (retriable), then behaves like DynamoDB. */
const flakyStore = (failures: number) => {
  const ids = new Map<string, string | undefined>();
  const store: AlarmStore = {
    record: (a) => {
      if (failures-- > 0) return Promise.reject(portFailure('dynamodb', 'throttled', true));
      if (ids.has(a.id)) {
        const publishedAt = ids.get(a.id);
        return Promise.resolve({
          _tag: 'known',
          state: { claimedBy: 'x', ...(publishedAt ? { publishedAt } : {}) },
        });
      }
      ids.set(a.id, undefined);
      return Promise.resolve({ _tag: 'recorded' });
    },
    markPublished: (id) => (ids.set(id, 'now'), Promise.resolve()),
    stored: () => Promise.resolve(null),
  };
  return store;
};

describe('AlertSystem > service on the memory bus', () => {
  it('publishes each alarm once, acks everything, retries a failing store, dead-letters poison', async () => {
    const bus = createMemoryBus(createMemoryBackend({ shardsPerStream: 2 }));
    const events = createEventHub();
    const metrics = new MetricsRegistry();
    const published: AlarmRaised[] = [];
    const publisher: AlarmPublisher = {
      publish: (a) => (published.push(a), Promise.resolve({ messageId: `m${published.length}` })),
    };
    const letters: DeadLetterRequest[] = [];
    const notes: NeedsHumanNote[] = [];
    const alerts = startAlertSystem({
      bus,
      events,
      store: flakyStore(3),
      publisher,
      deadLetter: (l) => (letters.push(l), Promise.resolve()),
      needsHuman: { put: (n) => (notes.push(n), Promise.resolve()) },
      stream: 'drones',
      humanCodes: [40, 96],
      metrics,
      retry: { initialMs: 1, factor: 1, jitter: 0, maxMs: 1, retries: 10 },
    });
    const seen: AlertEvent[] = [];
    alerts.alerts$.subscribe((e) => seen.push(e));
    let processed = 0;
    events.events$.subscribe((e) => e.type === 'actor.processed' && (processed += e.payload.count));

    const messages = Array.from({ length: 200 }, (_, n) =>
      message(n, n % 10 === 0 ? 40 : n % 10 === 5 ? 21 : undefined),
    );
    await bus.publish(drones, messages);
    await bus.publish(drones, messages.slice(0, 50)); // duplicates in the stream
    await bus.publishRaw('drones', [
      { partitionKey: 'x', data: Buffer.from('{"nope":1}') },
      // Poison that carried a code needing a human (no valid drone), and bytes nobody can read.
      { partitionKey: 'x', data: Buffer.from('{"droneId":"?","violationCode":40}') },
      { partitionKey: 'x', data: Buffer.from('\u0000\u0001') },
    ]);
    await waitFor(
      '250 processed and 3 dead letters',
      () => ({ processed, letters: letters.length }),
      5_000,
      (s) => s.processed === 250 && s.letters === 3,
    );
    await alerts.stop();

    assert.equal(published.length, 20);
    assert.equal(new Set(published.map((a) => a.id)).size, 20);
    assert.ok(published.every((a) => a.borough === 'Brooklyn' && a.violationCode === 40));
    assert.deepEqual(
      { ...alerts.counts },
      {
        raised: 25,
        published: 20,
        republished: 0,
        redeliveriesSkipped: 5,
        publishedBeforeRecord: 3, // the store failed 3 times: those alarms went out first
        conflicts: 0,
        deadLettered: 3,
        deadLetteredNeedingHuman: 1,
        deadLetteredUnreadable: 1,
      },
    );
    assert.deepEqual(
      notes.map((n) => [n.verdict, n.code]),
      [
        ['code', 40],
        ['unreadable', undefined],
      ],
    );
    assert.equal(metrics.total('prestacop_dead_letters_needing_human_total'), 2);
    assert.equal(seen.filter((e) => e.type === 'alert.published').length, 20);
    assert.equal(metrics.total('prestacop_alarms_published_total'), 20);
    assert.equal(metrics.total('prestacop_alarm_redeliveries_skipped_total'), 5);
    assert.equal(letters[0]?.errorTag, 'DecodeFailure');
    assert.equal(alerts.healthy(), false);
  });
});

describe('AlertSystem > service > drone clocks', () => {
  it('raises the alarm of a drone whose clock is off, marked with how far, judged on the arrival time', async () => {
    const arrival = Date.parse('2026-11-27T18:00:00.000Z');
    const bus = createMemoryBus(createMemoryBackend({ now: () => arrival }));
    const published: AlarmRaised[] = [];
    const metrics = new MetricsRegistry();
    const alerts = startAlertSystem({
      bus,
      events: createEventHub(),
      metrics,
      store: flakyStore(0),
      publisher: { publish: (a) => (published.push(a), Promise.resolve({ messageId: 'm' })) },
      deadLetter: () => Promise.resolve(),
      stream: 'drones',
      humanCodes: [40],
      clock: { now: () => arrival + 50 },
      clockWindow: { behindMs: 86_400_000, aheadMs: 300_000 },
    });
    const at = (n: number, time: string) => ({ ...message(n, 40), time }) as DroneMessage;
    await bus.publish(drones, [
      at(1, '2026-11-27T18:00:00.000Z'), // on time
      at(2, '2025-11-27T18:00:00.000Z'), // a year behind
      at(3, '2026-11-26T18:00:00.000Z'), // 24 h behind: still believed
      at(4, '2026-11-27T18:05:00.001Z'), // just over 5 min ahead
      at(5, '0001-01-01T00:00:00.000Z'),
    ]);
    await waitFor(
      '5 alarms published',
      () => published.length,
      5_000,
      (n) => n === 5,
    );
    await alerts.stop();

    const off = new Map(published.map((a) => [a.messageId, a.clockOffMs]));
    assert.equal(off.get('drone-0001:1' as never), undefined);
    assert.equal(off.get('drone-0001:2' as never), -365 * 86_400_000);
    assert.equal(off.get('drone-0001:3' as never), undefined);
    assert.equal(off.get('drone-0001:4' as never), 300_001);
    assert.equal(
      off.get('drone-0001:5' as never),
      Date.parse('0001-01-01T00:00:00.000Z') - arrival,
    );
    assert.ok(published.every((a) => AlarmRaised.is(a)));
    // The publish latency runs from the stream's arrival time (50 ms here), never from the drone's clock: a
    // year-behind drone is not a year of latency.
    const latency = metrics.render();
    assert.match(latency, /prestacop_alarm_publish_latency_ms_count 5\b/);
    assert.match(latency, /prestacop_alarm_publish_latency_ms_sum 250\b/);
  });
});
