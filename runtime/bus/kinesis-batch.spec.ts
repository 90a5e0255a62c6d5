import assert from 'node:assert/strict';

import fc from 'fast-check';

import {
  fitsInPack,
  mergeBySeq,
  type Pending,
  PUT_RECORDS_MAX_BYTES,
  PUT_RECORDS_MAX_RECORDS,
  selectBatch,
  wireSize,
} from './kinesis-batch.ts';
import { RECORD_MAX_BYTES } from './kinesis-packing.ts';

let seq = 0;
const rec = (key: string, size = 10, extra: Partial<Pending<number>> = {}): Pending<number> => ({
  seq: seq++,
  partitionKey: key,
  keyBytes: key.length,
  keys: new Set([key]),
  parts: [new Uint8Array(size)],
  owners: [0],
  payloadBytes: size,
  open: false,
  attempts: 0,
  notBefore: 0,
  enqueuedAt: 0,
  ...extra,
});

const base = {
  now: 1_000,
  busyKeys: new Set<string>(),
  maxRecords: PUT_RECORDS_MAX_RECORDS,
  maxBytes: PUT_RECORDS_MAX_BYTES,
  strictOrder: false,
};

const keysOf = (rs: ReadonlyArray<Pending<number>>) => rs.map((r) => r.partitionKey);

describe('Bus > kinesis batching', () => {
  it('takes at most 500 records per request', () => {
    const queue = Array.from({ length: 1_234 }, (_, i) => rec(`k${i}`));
    const sel = selectBatch(queue, base);
    assert.equal(sel.batch.length, 500);
    assert.equal(sel.rest.length, 734);
    assert.ok(sel.full);
  });

  it('stays within 5 MiB including partition keys', () => {
    const big = RECORD_MAX_BYTES - 100;
    const queue = Array.from({ length: 8 }, (_, i) => rec(`key-${i}`, big));
    const sel = selectBatch(queue, base);
    const bytes = sel.batch.reduce((n, r) => n + wireSize(r), 0);
    assert.equal(sel.batch.length, 5);
    assert.ok(bytes <= PUT_RECORDS_MAX_BYTES, `${bytes}`);
  });

  it('lets a small record of another key fill the room a large one left', () => {
    const queue = [
      ...Array.from({ length: 4 }, (_, i) => rec(`big${i}`, 1_200_000)),
      rec('huge', 1_000_000),
      rec('small', 100),
    ];
    const sel = selectBatch(queue, base);
    assert.deepEqual(keysOf(sel.batch), ['big0', 'big1', 'big2', 'big3', 'small']);
  });

  it('holds back every record of a key that is in flight', () => {
    const queue = [rec('a'), rec('b'), rec('a'), rec('c')];
    const sel = selectBatch(queue, { ...base, busyKeys: new Set(['a']) });
    assert.deepEqual(keysOf(sel.batch), ['b', 'c']);
    assert.deepEqual(keysOf(sel.rest), ['a', 'a']);
  });

  it('keeps a key behind its record that waits for a retry, and says when to look again', () => {
    const queue = [rec('a', 10, { notBefore: 1_500 }), rec('b'), rec('a')];
    const sel = selectBatch(queue, base);
    assert.deepEqual(keysOf(sel.batch), ['b']);
    assert.equal(sel.wakeAt, 1_500);
  });

  it('keeps a key behind its record refused by the rate limit', () => {
    const queue = [rec('a'), rec('b'), rec('a')];
    let refusedOnce = false;
    const sel = selectBatch(queue, {
      ...base,
      admit: (r) => {
        if (r.partitionKey !== 'a' || refusedOnce) return true;
        refusedOnce = true;
        return false;
      },
    });
    assert.deepEqual(keysOf(sel.batch), ['b']);
  });

  it('holds back every key of a shard-wide pack that waits', () => {
    const pack = rec('a', 10, { keys: new Set(['a', 'b']) });
    const sel = selectBatch([pack, rec('b'), rec('c'), rec('a')], {
      ...base,
      busyKeys: new Set(['b']),
    });
    assert.deepEqual(keysOf(sel.batch), ['c']);
  });

  it('sends one record per key per request in strict order mode', () => {
    const queue = [rec('a'), rec('a'), rec('b'), rec('a')];
    const sel = selectBatch(queue, { ...base, strictOrder: true });
    assert.deepEqual(keysOf(sel.batch), ['a', 'b']);
  });

  it('never takes a record holding a key after one holding that key it held back (any queue)', () =>
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            keys: fc.subarray(['a', 'b', 'c', 'd'], { minLength: 1 }),
            size: fc.integer({ min: 1, max: 2_000_000 }),
            late: fc.boolean(),
          }),
          { maxLength: 60 },
        ),
        fc.subarray(['a', 'b', 'c', 'd']),
        fc.boolean(),
        (specs, busy, strictOrder) => {
          const queue = specs.map((s) =>
            rec(s.keys[0]!, s.size, { keys: new Set(s.keys), notBefore: s.late ? 2_000 : 0 }),
          );
          const sel = selectBatch(queue, {
            ...base,
            busyKeys: new Set(busy),
            maxBytes: 4_000_000,
            strictOrder,
          });
          const taken = new Set(sel.batch);
          const heldKeys = new Set<string>(busy);
          for (const r of queue) {
            if (taken.has(r))
              assert.ok(!heldKeys.has(r.partitionKey), `order of ${r.partitionKey}`);
            else heldKeys.add(r.partitionKey);
          }
          assert.equal(sel.batch.length + sel.rest.length, queue.length);
          assert.ok(sel.batch.reduce((n, r) => n + wireSize(r), 0) <= 4_000_000);
        },
      ),
    ));

  it('puts failed records back in enqueue order', () => {
    const [a, b, c, d, e] = [rec('a'), rec('b'), rec('c'), rec('d'), rec('e')];
    assert.deepEqual(mergeBySeq([b, d], [e, a, c]), [a, b, c, d, e]);
    assert.deepEqual(mergeBySeq([], [c, a]), [a, c]);
  });

  it('fills a pack up to the record limit and the message count', () => {
    const pack = rec('k', 100, { open: true });
    assert.ok(fitsInPack(pack, 100, { maxRecordBytes: 1_000, maxMessages: 10 }));
    assert.ok(!fitsInPack(pack, 900, { maxRecordBytes: 1_000, maxMessages: 10 }));
    assert.ok(!fitsInPack(pack, 1, { maxRecordBytes: 1_000, maxMessages: 1 }));
    assert.ok(!fitsInPack({ ...pack, open: false }, 1, { maxRecordBytes: 1_000, maxMessages: 10 }));
  });
});
