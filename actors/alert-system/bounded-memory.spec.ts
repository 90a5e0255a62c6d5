import assert from 'node:assert/strict';

import fc from 'fast-check';

import { emptyMemory, forget, recall, remember } from './bounded-memory.ts';

/** A set (a key and value) or a forget, on a few keys so that keys come back. */
const op = fc.oneof(
  fc.record({ set: fc.integer({ min: 0, max: 40 }), value: fc.integer() }),
  fc.record({ forget: fc.integer({ min: 0, max: 40 }) }),
);

describe('AlertSystem > bounded memory', () => {
  it('never holds more than its limit, and recalls the most recent keys as a Map would', () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(op, { maxLength: 400 }),
        (limit, ops) => {
          let m = emptyMemory<number>(limit);
          /** The model: a Map in order of the last set. */
          const model = new Map<string, number>();
          for (const o of ops) {
            const before = m;
            if ('set' in o) {
              m = remember(m, String(o.set), o.value);
              model.delete(String(o.set));
              model.set(String(o.set), o.value);
            } else {
              m = forget(m, String(o.forget));
              model.delete(String(o.forget));
            }
            assert.ok(m.size <= limit, `size ${m.size} over ${limit}`);
            assert.equal(
              m.size,
              m.generations.reduce((n, g) => n + g.size, 0),
            );
            assert.ok(before.generations.every((g) => g.size > 0)); // no empty generation kept
            // Never more forgotten than one generation's worth beyond the limit.
            const keys = [...model.keys()];
            const kept = keys.slice(Math.max(0, keys.length - (limit - m.perGeneration)));
            for (const k of kept) assert.equal(recall(m, k), model.get(k));
            // Nothing it recalls is stale or forgotten.
            for (const g of m.generations) for (const [k, v] of g) assert.equal(model.get(k), v);
          }
        },
      ),
    ));

  it('leaves an earlier value as it was (immutable)', () => {
    const a = remember(emptyMemory<number>(2), 'x', 1);
    const b = remember(a, 'x', 2);
    const c = forget(b, 'x');
    assert.deepEqual([recall(a, 'x'), recall(b, 'x'), recall(c, 'x')], [1, 2, undefined]);
    assert.equal(a.size, 1);
  });

  it('holds 10,000 keys at most when given 25,000, in about √10,000 generations', () => {
    let m = emptyMemory<true>(10_000);
    for (let i = 0; i < 25_000; i++) m = remember(m, `drone-0001:${i}`, true);
    assert.ok(m.size <= 10_000 && m.size >= 10_000 - m.perGeneration, `${m.size}`);
    assert.equal(recall(m, 'drone-0001:24999'), true);
    assert.equal(recall(m, 'drone-0001:0'), undefined);
    assert.ok(m.generations.length <= 101, `${m.generations.length}`);
  });

  it('refuses a limit that is not a positive integer', () => {
    for (const limit of [0, -1, 1.5, NaN]) assert.throws(() => emptyMemory(limit), RangeError);
  });
});
