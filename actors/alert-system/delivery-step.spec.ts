import assert from 'node:assert/strict';

import fc from 'fast-check';
import { TestScheduler } from 'rxjs/testing';

import { transitions } from '../../runtime/transition.ts';
import { violationMessage } from '../../test/helpers/drone-messages.ts';
import { type AlarmRaised, toAlarmRaised } from '../protocol/alarm.ts';
import { utcTimeOf } from '../protocol/time.ts';
import { recall } from './bounded-memory.ts';
import {
  type AlertEvent,
  type DeliveryCommand,
  type DeliveryEvent,
  type DeliveryState,
  deliveryStep,
  initialDelivery,
  type Publish,
} from './delivery-step.ts';
import type { AlarmRecordState, ClaimOutcome } from './ports.ts';

const alarm = (n: number): AlarmRaised =>
  toAlarmRaised(violationMessage(1, n, 40), utcTimeOf(0), 'Manhattan');
const step = deliveryStep({ recordWaitMs: 100, instance: 'host-1' });
const emit = (event: AlertEvent): DeliveryCommand => ({ kind: 'emit', event });

describe('AlertSystem > delivery step (virtual time)', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = new TestScheduler((actual, expected) => assert.deepStrictEqual(actual, expected));
  });

  it('records, publishes and marks a new alarm, then skips its redelivery, stamped with the scheduler time', () =>
    ts.run(({ cold, expectObservable }) => {
      const a = alarm(1);
      const publish: Publish = { at: 4, messageId: 'sns-1', beforeRecord: false };
      const recorded: ClaimOutcome = { _tag: 'recorded' };
      const events = cold<DeliveryEvent>('a-r-p-m-a|', {
        a: { kind: 'attempt', alarm: a },
        r: { kind: 'record-early', alarm: a, outcome: recorded },
        p: { kind: 'published', alarm: a, messageId: 'sns-1', known: recorded },
        m: { kind: 'marked', alarm: a, publish: { ...publish, outcome: recorded } },
      });
      // Each command drawn on the frame of the event that caused it; the mark causes nothing.
      expectObservable(events.pipe(transitions(initialDelivery(10), step, { tickMs: 1_000 }))).toBe(
        'a-b-(cd)e|',
        {
          a: { kind: 'record', alarm: a, waitMs: 100 },
          b: { kind: 'publish', alarm: a, known: recorded },
          c: emit({
            type: 'alert.published',
            at: 4,
            alarm: a,
            messageId: 'sns-1',
            beforeRecord: false,
          }),
          d: { kind: 'mark', alarm: a, publish: { ...publish, outcome: recorded } },
          e: emit({
            type: 'alert.redelivery_skipped',
            at: 8,
            alarmId: a.id,
            publishedAt: new Date(4).toISOString(),
          }),
        },
      );
    }));

  it('publishes before a late store, awaits the record after, and counts it', () =>
    ts.run(({ cold, expectObservable }) => {
      const a = alarm(2);
      // The publish is stamped when the topic accepted it: the `published` event's frame.
      const publish: Publish = { at: 102, messageId: 'sns-1', beforeRecord: true };
      const recorded: ClaimOutcome = { _tag: 'recorded' };
      const events = cold<DeliveryEvent>('a 99ms l-p-r', {
        a: { kind: 'attempt', alarm: a },
        l: { kind: 'record-early', alarm: a },
        p: { kind: 'published', alarm: a, messageId: 'sns-1' },
        r: { kind: 'recorded', alarm: a, outcome: recorded, publish, retry: false },
      });
      expectObservable(
        events.pipe(transitions(initialDelivery(10), step, { tickMs: 1_000 })),
        '^ 200ms !',
      ).toBe('a 99ms b-c-(de)', {
        a: { kind: 'record', alarm: a, waitMs: 100 },
        b: { kind: 'publish', alarm: a },
        c: { kind: 'await-record', alarm: a, publish },
        d: emit({
          type: 'alert.published',
          at: 102,
          alarm: a,
          messageId: 'sns-1',
          beforeRecord: true,
        }),
        e: { kind: 'mark', alarm: a, publish: { ...publish, outcome: recorded } },
      });
    }));
});

// ---------------------------------------------------------------------------------------------------------------
// the step driven against a model store and topic, with faults

/** What goes wrong in one attempt (each at most once). */
interface Faults {
  readonly record?: 'fails' | 'loses-answer' | 'late';
  readonly publish?: 'fails' | 'fails-after-accept';
  readonly mark?: 'fails';
}

const faults: fc.Arbitrary<Faults> = fc.record(
  {
    record: fc.constantFrom('fails', 'loses-answer', 'late'),
    publish: fc.constantFrom('fails', 'fails-after-accept'),
    mark: fc.constant('fails'),
  },
  { requiredKeys: [] },
);

/** DynamoDB and SNS as the protocol sees them. */
interface World {
  readonly items: Map<string, AlarmRecordState>;
  readonly accepted: string[];
  readonly emitted: AlertEvent[];
  state: DeliveryState;
  /** Record calls the store answered or failed. */
  asked: number;
  now: number;
}

/**
 * One attempt, as `delivery.ts` runs it, performed synchronously against the model: true if it succeeded (a port
 * that failed ends it, like a rejection).
 */
const attempt = (w: World, a: AlarmRaised, f: Faults): boolean => {
  const record = (): ClaimOutcome => {
    w.asked++;
    const known = w.items.get(a.id);
    if (!known) w.items.set(a.id, { claimedBy: 'host-1', messageHash: a.messageHash! });
    return known ? { _tag: 'known', state: known } : { _tag: 'recorded' };
  };
  let late: ClaimOutcome | 'failed' | undefined;
  let commands = feed(w, { kind: 'attempt', alarm: a });
  while (commands.length > 0) {
    let next: DeliveryEvent | undefined;
    for (const c of commands) {
      switch (c.kind) {
        case 'emit':
          w.emitted.push(c.event);
          break;
        case 'record':
          if (f.record === 'fails') {
            w.asked++;
            late = 'failed';
          } else if (f.record === 'loses-answer') {
            record();
            late = 'failed';
          } else if (f.record === 'late') late = record();
          next = {
            kind: 'record-early',
            alarm: a,
            ...(f.record === undefined ? { outcome: record() } : {}),
          };
          break;
        case 'await-record':
          if (late === undefined || late === 'failed') return false;
          next = { kind: 'recorded', alarm: a, outcome: late, publish: c.publish, retry: false };
          break;
        case 'record-again':
          if (f.record === 'fails') {
            w.asked++;
            return false;
          }
          next = { kind: 'recorded', alarm: a, outcome: record(), publish: c.publish, retry: true };
          if (f.record === 'loses-answer') return false;
          break;
        case 'publish':
          if (f.publish === 'fails') return false;
          w.accepted.push(a.id);
          if (f.publish === 'fails-after-accept') return false;
          next = {
            kind: 'published',
            alarm: a,
            messageId: `sns-${w.accepted.length}`,
            ...(c.known ? { known: c.known } : {}),
          };
          break;
        case 'mark': {
          if (f.mark === 'fails') return false;
          const item = w.items.get(a.id)!;
          w.items.set(a.id, { ...item, publishedAt: item.publishedAt ?? utcTimeOf(c.publish.at) });
          next = { kind: 'marked', alarm: a, publish: c.publish };
          break;
        }
        case 'deliver-conflict':
        case 'fail-conflict':
          throw new Error('no conflicts in this model: every alarm has its own id');
      }
    }
    commands = next === undefined ? [] : feed(w, next);
  }
  return true;
};

const world = (rememberIds: number): World => ({
  items: new Map(),
  accepted: [],
  emitted: [],
  state: initialDelivery(rememberIds),
  now: 0,
  asked: 0,
});

const feed = (w: World, e: DeliveryEvent): ReadonlyArray<DeliveryCommand> => {
  const [state, commands] = step(w.state, { kind: 'message', message: e, at: w.now++ });
  w.state = state;
  return commands;
};

describe('AlertSystem > delivery step (properties)', () => {
  it('every alarm ends published and marked, first-published once, counted, whatever fails on the way', () =>
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            n: fc.integer({ min: 1, max: 30 }),
            faults: fc.array(faults, { maxLength: 4 }),
          }),
          { maxLength: 60 },
        ),
        fc.integer({ min: 1, max: 8 }),
        (deliveries, rememberIds) => {
          const w: World = world(rememberIds);
          for (const d of deliveries) {
            // The runtime's retries: an attempt per fault list entry, then one that nothing fails.
            for (const f of d.faults) if (attempt(w, alarm(d.n), f)) break;
            assert.ok(attempt(w, alarm(d.n), {}), 'an attempt without faults succeeds');
            assert.ok(w.state.marked.size <= rememberIds && w.state.pending.size <= rememberIds);
          }
          const ids = new Set(deliveries.map((d) => alarm(d.n).id));
          for (const id of ids) {
            assert.ok(w.items.get(id)?.publishedAt, `${id} marked`);
            assert.ok(w.accepted.includes(id), `${id} published`);
          }
          const firsts = w.emitted
            .filter((e) => e.type === 'alert.published')
            .map((e) => e.alarm.id);
          assert.equal(new Set(firsts).size, firsts.length, 'one first publish per id');
          const c = w.state.counts;
          assert.equal(c.published, firsts.length);
          assert.equal(
            c.published + c.republished,
            w.emitted.filter((e) => e.type !== 'alert.redelivery_skipped').length,
          );
          assert.ok(
            c.published + c.republished <= w.accepted.length,
            'every counted publish happened',
          );
          assert.equal(c.conflicts, 0);
        },
      ),
    ));

  it('without faults, publishes each id once and skips every redelivery without the store', () =>
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 80 }), (ns) => {
        const w: World = world(100);
        for (const n of ns) assert.ok(attempt(w, alarm(n), {}));
        const ids = new Set(ns);
        assert.equal(w.accepted.length, ids.size);
        assert.deepEqual(w.state.counts, {
          published: ids.size,
          republished: 0,
          redeliveriesSkipped: ns.length - ids.size,
          publishedBeforeRecord: 0,
          conflicts: 0,
        });
        assert.equal(w.state.pending.size, 0, 'nothing left pending');
        assert.equal(w.asked, ids.size, 'a redelivery to this process never asks the store');
      }),
    ));

  it('counts a publish as a possible duplicate when an earlier call may have reached the topic', () => {
    const w: World = world(10);
    // The store fails and the topic accepts but the answer is lost; then the record's answer is lost after the
    // publish; then the retry finds its own record: two publish calls, so not "the first" on its word.
    assert.equal(attempt(w, alarm(1), { record: 'fails', publish: 'fails-after-accept' }), false);
    assert.equal(attempt(w, alarm(1), { record: 'loses-answer' }), false);
    assert.ok(attempt(w, alarm(1), {}));
    assert.equal(w.accepted.length, 2);
    assert.deepEqual(w.state.counts, {
      published: 0,
      republished: 1,
      redeliveriesSkipped: 0,
      publishedBeforeRecord: 1,
      conflicts: 0,
    });
  });

  it('forgets the oldest ids beyond rememberIds: their redelivery goes to the store, still published once', () => {
    const w: World = world(4);
    for (let n = 1; n <= 10; n++) assert.ok(attempt(w, alarm(n), {}));
    assert.ok(w.state.marked.size <= 4);
    assert.equal(recall(w.state.marked, alarm(1).id), undefined, 'forgotten here');
    assert.ok(attempt(w, alarm(1), {}));
    assert.equal(w.accepted.length, 10);
    assert.equal(w.state.counts.redeliveriesSkipped, 1);
  });
});
