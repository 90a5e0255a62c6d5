import assert from 'node:assert/strict';

import fc from 'fast-check';

import { backoff, defaultBackoff, withRetry } from './retry.ts';

describe('Runtime > backoff', () => {
  it('starts at 300 ms and doubles, without jitter at the midpoint', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => backoff(n, defaultBackoff, () => 0.5)),
      [300, 600, 1200, 2400],
    );
  });

  it('stays within ±20 % and under the cap, for any attempt and random value', () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, r) => {
          const d = backoff(n, defaultBackoff, () => r);
          const base = Math.min(30_000, 300 * 2 ** (n - 1));
          assert.ok(
            d >= Math.floor(base * 0.8) && d <= Math.min(30_000, Math.ceil(base * 1.2)),
            `${n}: ${d}`,
          );
        },
      ),
    ));

  it('withRetry stops at once on a non-retriable error', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(() => (calls++, Promise.reject(new Error('no'))), { isRetriable: () => false }),
      /no/,
    );
    assert.equal(calls, 1);
  });

  it('withRetry retries up to the policy, then rethrows the last error', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(() => Promise.reject(new Error(`fail ${++calls}`)), {
        isRetriable: () => true,
        policy: { ...defaultBackoff, initialMs: 1, retries: 2 },
      }),
      /fail 3/,
    );
  });
});
