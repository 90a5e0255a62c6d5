import assert from 'node:assert/strict';

import fc from 'fast-check';

import { Fifo } from './fifo.ts';

describe('Fifo', () => {
  it('gives back what was pushed, in order, whatever mix of push, shift and take', () =>
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('push' as const), n: fc.integer({ min: 0, max: 3_000 }) }),
            fc.record({ op: fc.constant('shift' as const), n: fc.constant(1) }),
            fc.record({ op: fc.constant('take' as const), n: fc.integer({ min: 0, max: 2_500 }) }),
          ),
          { maxLength: 40 },
        ),
        (ops) => {
          const fifo = new Fifo<number>();
          const model: number[] = [];
          let next = 0;
          for (const { op, n } of ops) {
            if (op === 'push') {
              const values = Array.from({ length: n }, () => next++);
              fifo.push(...values);
              model.push(...values);
            } else if (op === 'shift') assert.equal(fifo.shift(), model.shift());
            else assert.deepEqual(fifo.take(n), model.splice(0, n));
            assert.equal(fifo.size, model.length);
            assert.equal(fifo.peek(), model[0]);
          }
        },
      ),
      { numRuns: 80 },
    ));
});
