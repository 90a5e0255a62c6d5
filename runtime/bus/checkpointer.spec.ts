import assert from 'node:assert/strict';

import fc from 'fast-check';

import { type Position, ShardAckTracker } from './checkpointer.ts';

const pos = (n: number, lastInRecord = true): Position => ({
  sequence: String(n),
  subSequence: 0,
  lastInRecord,
});

describe('ShardAckTracker', () => {
  it('checkpoints only past a prefix of acknowledged deliveries, whatever the order of the acks', () =>
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 3_000 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.shuffledSubarray([...Array(n).keys()], { minLength: 0, maxLength: n }),
            ),
          ),
        ([n, order]) => {
          const tracker = new ShardAckTracker();
          const acks = Array.from({ length: n }, (_, i) => tracker.track(pos(i)));
          const acked = new Set<number>();
          for (const i of order) {
            acks[i]!();
            acks[i]!(); // a second ack of one delivery changes nothing
            acked.add(i);
            let prefix = 0;
            while (acked.has(prefix)) prefix++;
            assert.equal(
              tracker.checkpoint?.sequence,
              prefix === 0 ? undefined : String(prefix - 1),
            );
            assert.equal(tracker.inFlight, n - acked.size);
          }
        },
      ),
      { numRuns: 60 },
    ));

  it('never names a record whose later messages are still in flight', () => {
    const tracker = new ShardAckTracker();
    const first = tracker.track({ sequence: '1', subSequence: 0, lastInRecord: false });
    const second = tracker.track({ sequence: '1', subSequence: 1, lastInRecord: true });
    first();
    assert.equal(tracker.checkpoint, undefined);
    second();
    assert.equal((tracker.checkpoint as Position | undefined)?.sequence, '1');
  });

  it('acknowledges what handOut returned as track does: out of order, counted once however often', () => {
    const tracker = new ShardAckTracker();
    const a = tracker.handOut({ sequence: '1', subSequence: 0, lastInRecord: true });
    const b = tracker.handOut({ sequence: '2', subSequence: 0, lastInRecord: true });
    tracker.ack(b);
    tracker.ack(b);
    assert.equal(tracker.inFlight, 1);
    assert.equal(tracker.checkpoint, undefined);
    tracker.ack(a);
    assert.equal(tracker.inFlight, 0);
    assert.equal((tracker.checkpoint as Position | undefined)?.sequence, '2');
  });
});
