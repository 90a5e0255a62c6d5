import assert from 'node:assert/strict';

import fc from 'fast-check';

import { type DroneTable, emptyTable, entries, lookup, set, setAll } from './drone-table.ts';

const asMap = <V>(t: DroneTable<V>) => new Map(entries(t));

describe('DroneWatchdog > drone table', () => {
  it('holds what a Map holds after any updates, and never changes a table it was given', () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.integer()), { maxLength: 5 }), {
          maxLength: 60,
        }),
        (capacity, steps) => {
          let table = emptyTable<number>(capacity);
          const model = new Map<string, number>();
          for (const updates of steps) {
            const before = table;
            const snapshot = asMap(before);
            table = updates.length === 1 ? set(table, ...updates[0]!) : setAll(table, updates);
            for (const [id, v] of updates) model.set(id, v);
            // The old table is untouched: a pure transition's previous state stays what it was.
            assert.deepEqual(asMap(before), snapshot);
            assert.equal(before.size, snapshot.size);
          }
          assert.deepEqual(asMap(table), model);
          assert.equal(table.size, model.size);
          for (const [id, v] of model) assert.equal(lookup(table, id), v);
          assert.equal(lookup(table, '\u0000absent'), undefined);
        },
      ),
    ));

  it('copies one bucket of about √capacity drones per update, not every drone', () => {
    let table = emptyTable<number>(10_000);
    for (let d = 0; d < 10_000; d++) table = set(table, `drone-${d}`, d);
    assert.equal(table.buckets.length, 100);
    const next = set(table, 'drone-42', -1);
    const changed = next.buckets.filter((b, i) => b !== table.buckets[i]);
    // One bucket copied, every other shared with the previous table.
    assert.equal(changed.length, 1);
    assert.ok(changed[0]!.size < 200, `a bucket of ${changed[0]!.size} drones`);
  });
});
