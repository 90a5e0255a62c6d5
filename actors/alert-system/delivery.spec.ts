import assert from 'node:assert/strict';

import { isRuntimeError, portFailure } from '../../runtime/errors.ts';
import { violationMessage } from '../../test/helpers/drone-messages.ts';
import { type AlarmRaised, toAlarmRaised } from '../protocol/alarm.ts';
import { DroneMessage, type ViolationMessage } from '../protocol/drone-message.ts';
import { utcTimeOf } from '../protocol/time.ts';
import { createAlarmDelivery } from './delivery.ts';
import type { AlertEvent } from './delivery-step.ts';
import type { AlarmPublisher, AlarmRecordState, AlarmStore } from './ports.ts';

const messageOf = (n: number) => violationMessage(1, n, 40);
const alarm = (n: number): AlarmRaised => toAlarmRaised(messageOf(n), utcTimeOf(0), 'Manhattan');

/**
 * DynamoDB's semantics in a Map: a conditional put that never overwrites, a mark that sets publishedAt once.
 * Faults: `record`/`mark` reject that many calls (nothing written); `recordLost` writes the record but loses the
 * answer (a timeout after the write); `delayMs` answers every record call late.
 */
const memoryStore = (
  fault: { record?: number; mark?: number; recordLost?: number; delayMs?: number } = {},
) => {
  const items = new Map<string, AlarmRecordState & { publishCount: number; alarm?: AlarmRaised }>();
  const down = () => portFailure('dynamodb', 'down', true);
  const store: AlarmStore = {
    record: async (a, claim) => {
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.record && fault.record-- > 0) throw down();
      const known = items.get(a.id);
      if (!known)
        items.set(a.id, {
          claimedBy: claim.by,
          publishCount: 0,
          ...(a.messageHash === undefined ? {} : { messageHash: a.messageHash }),
          alarm: a,
        });
      if (fault.recordLost && fault.recordLost-- > 0) throw down();
      return known ? { _tag: 'known', state: known } : { _tag: 'recorded' };
    },
    stored: (id) => Promise.resolve(items.has(id) ? JSON.stringify(items.get(id)!.alarm) : null),
    markPublished: (id, p) => {
      if (fault.mark && fault.mark-- > 0) return Promise.reject(down());
      const item = items.get(id)!;
      items.set(id, {
        ...item,
        publishedAt: item.publishedAt ?? utcTimeOf(p.at),
        publishCount: item.publishCount + 1,
      });
      return Promise.resolve();
    },
  };
  return { store, items };
};

/** An SNS topic that records what it accepted; `fail` rejects that many calls after accepting them. */
const memoryTopic = (fail: { afterAccept?: number } = {}) => {
  const accepted: string[] = [];
  const publisher: AlarmPublisher = {
    publish: async (a) => {
      await new Promise((r) => setImmediate(r)); // a network call: other deliveries run meanwhile
      accepted.push(a.id);
      if (fail.afterAccept && fail.afterAccept-- > 0) throw portFailure('sns', 'timeout');
      return { messageId: `sns-${accepted.length}` };
    },
  };
  return { publisher, accepted };
};

const start = (
  store: AlarmStore,
  publisher: AlarmPublisher,
  instance = 'host-1',
  recordWaitMs = 100,
): ReturnType<typeof createAlarmDelivery> & { events: AlertEvent[] } => {
  const events: AlertEvent[] = [];
  const d = createAlarmDelivery({
    store,
    publisher,
    clock: { now: () => 1_000 },
    instance,
    emit: (e) => events.push(e),
    recordWaitMs,
  });
  return Object.assign(d, { events });
};

const counts = (
  published: number,
  republished: number,
  skipped: number,
  beforeRecord = 0,
  conflicts = 0,
) => ({
  published,
  republished,
  redeliveriesSkipped: skipped,
  publishedBeforeRecord: beforeRecord,
  conflicts,
});

/** The same id as `alarm(n)`, other content: another message reusing the id (code 9, another image). */
const reuse = (n: number): AlarmRaised => {
  const m = DroneMessage.decode({
    ...DroneMessage.encode(messageOf(n)),
    violationCode: 9,
    violationImageId: `img-other-${n}`,
  });
  if (m._tag === 'Left') throw new Error('bad fixture');
  return toAlarmRaised(m.right as ViolationMessage, utcTimeOf(0), 'Manhattan');
};

describe('AlertSystem > delivery (record, publish, mark)', () => {
  it('stores, publishes once and marks a new alarm', async () => {
    const { store, items } = memoryStore();
    const topic = memoryTopic();
    const d = start(store, topic.publisher);
    await d.deliver(alarm(1));
    assert.deepEqual(topic.accepted, ['drone-0001:1']);
    assert.equal(items.get('drone-0001:1')?.publishCount, 1);
    assert.ok(items.get('drone-0001:1')?.publishedAt);
    assert.deepEqual(d.counts, counts(1, 0, 0));
    assert.deepEqual(
      d.events.map((e) => e.type),
      ['alert.published'],
    );
  });

  it('skips a redelivery of a published alarm, in this process or the next', async () => {
    const { store } = memoryStore();
    const topic = memoryTopic();
    await start(store, topic.publisher).deliver(alarm(1));
    const next = start(store, topic.publisher, 'host-2'); // a restart: the checkpoint lagged the ack
    await next.deliver(alarm(1));
    assert.deepEqual(topic.accepted, ['drone-0001:1']);
    assert.deepEqual(next.counts, counts(0, 0, 1));
    assert.equal(next.events[0]?.type, 'alert.redelivery_skipped');
  });

  it('publishes again, same id, counted, when an earlier delivery stored it but never confirmed a publish', async () => {
    // Crash between record and publish, or between publish and mark: the record cannot tell which.
    const { store, items } = memoryStore();
    await store.record(alarm(1), { by: 'host-1', at: 0 });
    const topic = memoryTopic();
    const next = start(store, topic.publisher, 'host-2');
    await next.deliver(alarm(1));
    assert.deepEqual(topic.accepted, ['drone-0001:1']);
    assert.deepEqual(next.counts, counts(0, 1, 0));
    const e = next.events[0];
    assert.ok(e?.type === 'alert.republished');
    assert.deepEqual(
      [e.recordedBy, e.certainty, e.alarm.id],
      ['host-1', 'unconfirmed', 'drone-0001:1'],
    );
    assert.ok(items.get('drone-0001:1')?.publishedAt);
  });

  it('publishes once for duplicates of one id delivered at the same time in one process', async () => {
    const { store } = memoryStore();
    const topic = memoryTopic();
    const d = start(store, topic.publisher);
    await Promise.all([d.deliver(alarm(1)), d.deliver(alarm(1)), d.deliver(alarm(1))]);
    assert.deepEqual(topic.accepted, ['drone-0001:1']);
    assert.deepEqual(d.counts, counts(1, 0, 2));
  });

  it('never publishes twice when only the mark failed and the runtime retries', async () => {
    const { store, items } = memoryStore({ mark: 1 });
    const topic = memoryTopic();
    const d = start(store, topic.publisher);
    await assert.rejects(d.deliver(alarm(1)), { _tag: 'PortFailure', port: 'dynamodb' });
    await d.deliver(alarm(1)); // the retry
    assert.deepEqual(topic.accepted, ['drone-0001:1']);
    assert.equal(items.get('drone-0001:1')?.publishCount, 1);
    assert.deepEqual(d.counts, counts(1, 0, 0));
  });

  it('counts the retry of a publish that failed after SNS accepted it as a republish', async () => {
    const { store } = memoryStore();
    const topic = memoryTopic({ afterAccept: 1 });
    const d = start(store, topic.publisher);
    await assert.rejects(d.deliver(alarm(1)), { _tag: 'PortFailure', port: 'sns' });
    await d.deliver(alarm(1));
    assert.deepEqual(topic.accepted, ['drone-0001:1', 'drone-0001:1']); // a real duplicate, same id
    assert.deepEqual(d.counts, counts(0, 1, 0));
  });

  it('publishes at once while the store is down, records it when it is back, never twice', async () => {
    const { store, items } = memoryStore({ record: 2 });
    const topic = memoryTopic();
    const d = start(store, topic.publisher);
    await assert.rejects(d.deliver(alarm(1)), { _tag: 'PortFailure' }); // the runtime retries ...
    assert.deepEqual(topic.accepted, ['drone-0001:1']); // ... but the alarm is out already
    await assert.rejects(d.deliver(alarm(1)));
    await d.deliver(alarm(1));
    assert.deepEqual(topic.accepted, ['drone-0001:1']);
    assert.equal(items.get('drone-0001:1')?.publishCount, 1);
    assert.deepEqual(d.counts, counts(1, 0, 0, 1));
  });

  it('does not wait for a slow store longer than recordWaitMs, and classifies the publish when it answers', async () => {
    const { store, items } = memoryStore({ delayMs: 60 });
    const topic = memoryTopic();
    let publishedAfter = Infinity;
    const t0 = Date.now();
    const timed: AlarmPublisher = {
      publish: (a) => ((publishedAfter = Date.now() - t0), topic.publisher.publish(a)),
    };
    const d = start(store, timed, 'host-1', 5);
    await d.deliver(alarm(1));
    assert.ok(publishedAfter < 40, `published after ${publishedAfter} ms`);
    assert.deepEqual(d.counts, counts(1, 0, 0, 1));
    const e = d.events[0];
    assert.ok(e?.type === 'alert.published' && e.beforeRecord);
    assert.ok(items.get('drone-0001:1')?.publishedAt);
    // A redelivery meets the slow store again: published before the store can say it was, then counted.
    const next = start(store, timed, 'host-2', 5);
    await next.deliver(alarm(1));
    assert.deepEqual(topic.accepted, ['drone-0001:1', 'drone-0001:1']);
    assert.deepEqual(next.counts, counts(0, 1, 0, 1));
    const dup = next.events[0];
    assert.ok(dup?.type === 'alert.republished' && dup.certainty === 'duplicate');
  });

  it('skips a redelivery to the same process at once, without the (slow) store', async () => {
    const { store } = memoryStore({ delayMs: 60 });
    const topic = memoryTopic();
    const d = start(store, topic.publisher, 'host-1', 5);
    await d.deliver(alarm(1));
    const t0 = Date.now();
    await d.deliver(alarm(1));
    assert.ok(Date.now() - t0 < 30, 'the store was not asked');
    assert.deepEqual(topic.accepted, ['drone-0001:1']);
    assert.deepEqual(d.counts, counts(1, 0, 1, 1));
  });

  it('counts its own record as first when only the answer to it was lost', async () => {
    const { store } = memoryStore({ recordLost: 1 });
    const topic = memoryTopic();
    const d = start(store, topic.publisher);
    await assert.rejects(d.deliver(alarm(1)));
    await d.deliver(alarm(1));
    assert.deepEqual(topic.accepted, ['drone-0001:1']);
    assert.deepEqual(d.counts, counts(1, 0, 0, 1));
  });

  it('with recordWaitMs Infinity, publishes nothing until the store answers', async () => {
    const { store } = memoryStore({ record: 2 });
    const topic = memoryTopic();
    const d = start(store, topic.publisher, 'host-1', Infinity);
    await assert.rejects(d.deliver(alarm(1)));
    await assert.rejects(d.deliver(alarm(1)));
    assert.deepEqual(topic.accepted, []);
    await d.deliver(alarm(1));
    assert.deepEqual(topic.accepted, ['drone-0001:1']);
    assert.deepEqual(d.counts, counts(1, 0, 0));
  });

  it('publishes every one of a burst of distinct alarms, none merged', async () => {
    const { store } = memoryStore();
    const topic = memoryTopic();
    const d = start(store, topic.publisher);
    await Promise.all(Array.from({ length: 500 }, (_, n) => d.deliver(alarm(n))));
    assert.equal(topic.accepted.length, 500);
    assert.equal(new Set(topic.accepted).size, 500);
    assert.equal(d.counts.published, 500);
  });

  it('remembers at most rememberIds ids, and keeps nothing pending once every alarm is marked', async () => {
    const { store } = memoryStore({ mark: 3 });
    const topic = memoryTopic();
    const d = createAlarmDelivery({
      store,
      publisher: topic.publisher,
      clock: { now: () => 1_000 },
      instance: 'host-1',
      emit: () => undefined,
      rememberIds: 16,
    });
    const retrying = async (n: number) => {
      for (;;)
        if (
          await d.deliver(alarm(n)).then(
            () => true,
            () => false,
          )
        )
          return;
    };
    await Promise.all(Array.from({ length: 200 }, (_, n) => retrying(n)));
    assert.ok(d.state().marked.size <= 16, `${d.state().marked.size} remembered`);
    assert.ok(d.state().marked.size >= 16 - d.state().marked.perGeneration);
    assert.equal(d.state().pending.size, 0);
    assert.equal(d.counts.published, 200);
    assert.equal(topic.accepted.length, 200, 'a failed mark never publishes again');
  });

  describe('conflicts (the same id, other content)', () => {
    const rejection = async (p: Promise<unknown>) =>
      p.then(
        () => assert.fail('expected the delivery to fail'),
        (e: unknown) => e,
      );

    it('raises the conflicting alarm under <id>#<hash8>, keeps the stored one, and fails with both versions', async () => {
      const { store, items } = memoryStore();
      const topic = memoryTopic();
      const d = start(store, topic.publisher);
      const first = alarm(1);
      const other = reuse(1);
      await d.deliver(first);
      const e = await rejection(d.deliver(other));
      const conflictId = `${first.id}#${other.messageHash!.slice(0, 8)}`;
      assert.deepEqual(topic.accepted, [first.id, conflictId]);
      assert.equal(items.get(first.id)!.messageHash, first.messageHash, 'never overwritten');
      assert.equal(items.get(conflictId)!.alarm!.conflict, true);
      assert.ok(isRuntimeError(e) && e._tag === 'IdConflict', String(e));
      assert.equal(e.storedHash, first.messageHash);
      assert.equal(e.hash, other.messageHash);
      assert.equal((JSON.parse(e.stored) as AlarmRaised).violationImageId, first.violationImageId);
      assert.deepEqual({ ...d.counts }, counts(2, 0, 0, 0, 1));
      assert.deepEqual(
        d.events.filter((x) => x.type === 'alert.conflict').map((x) => x.conflictAlarmId),
        [conflictId],
      );
    });

    it('a conflict is never skipped as a redelivery, in this process or the next', async () => {
      const { store } = memoryStore();
      const topic = memoryTopic();
      const d = start(store, topic.publisher);
      await d.deliver(alarm(2));
      await rejection(d.deliver(reuse(2))); // same process: the remembered id does not hide it
      const next = start(store, topic.publisher, 'host-2');
      await rejection(next.deliver(reuse(2))); // next process: the conflict alarm is a redelivery there
      await next.deliver(alarm(2));
      assert.equal(topic.accepted.length, 2, 'the first alarm and its conflict alarm, once each');
      assert.deepEqual({ ...next.counts }, counts(0, 0, 2, 0, 1));
    });

    it('a conflict found after an early publish (slow store) still raises the conflict alarm', async () => {
      const { store, items } = memoryStore({ delayMs: 30 });
      const topic = memoryTopic();
      const d = start(store, topic.publisher, 'host-1', 5);
      await d.deliver(alarm(3));
      await rejection(d.deliver(reuse(3)));
      const conflictId = `${alarm(3).id}#${reuse(3).messageHash!.slice(0, 8)}`;
      assert.ok(topic.accepted.includes(conflictId));
      assert.equal(items.get(alarm(3).id)!.messageHash, alarm(3).messageHash);
      assert.equal(d.counts.conflicts, 1);
    });

    it('a record from before content hashes is taken as a redelivery', async () => {
      const { store, items } = memoryStore();
      const topic = memoryTopic();
      const d = start(store, topic.publisher);
      const { messageHash: _h, ...old } = alarm(4);
      await d.deliver(old);
      assert.equal(items.get(old.id)!.messageHash, undefined);
      const next = start(store, topic.publisher, 'host-2');
      await next.deliver(reuse(4));
      assert.deepEqual({ ...next.counts }, counts(0, 0, 1));
    });
  });
});
