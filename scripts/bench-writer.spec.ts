import assert from 'node:assert/strict';

import { steadyRate } from './bench-writer.ts';

describe('Bench > writer > steady rate', () => {
  it('counts from 10 % to 90 % of the backlog, leaving out a slow start and a tail', () => {
    // 1,000 messages: 100 in the first 5 s (start), then 100 a second, then the last 100 over 10 s (tail).
    const samples: Array<readonly [number, number]> = [
      [0, 0],
      [5_000, 100],
    ];
    for (let s = 1; s <= 8; s++) samples.push([5_000 + s * 1_000, 100 + s * 100]);
    samples.push([23_000, 1_000]);
    assert.equal(steadyRate(samples, 1_000), 100);
  });

  it('says nothing rather than divide by no time', () => {
    assert.equal(
      steadyRate(
        [
          [0, 0],
          [10, 1_000],
        ],
        1_000,
      ),
      undefined,
    );
    assert.equal(steadyRate([], 1_000), undefined);
  });
});
