import assert from 'node:assert/strict';

import fc from 'fast-check';

import { SORT_IN_PLACE_UP_TO, sortSmall } from './sort-small.ts';

const byValue = (a: number, b: number) => a - b;

describe('Runtime > sortSmall', () => {
  it('sorts as Array.prototype.sort does, short arrays (by insertion) and long ones', () =>
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: SORT_IN_PLACE_UP_TO }),
          fc.array(fc.integer(), { minLength: SORT_IN_PLACE_UP_TO + 1, maxLength: 60 }),
        ),
        (xs) => {
          const mine = [...xs];
          sortSmall(mine, byValue);
          assert.deepEqual(mine, [...xs].sort(byValue));
        },
      ),
      { numRuns: 500 },
    ));
});
