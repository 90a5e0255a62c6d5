import assert from 'node:assert/strict';

import fc from 'fast-check';

import { AWS_SHARD_RATE, ShardRateLimiter } from './kinesis-rate-limit.ts';

/** Admits as many records of `bytes` as the shard takes at `now`, commits, and returns the count. */
const drain = (limiter: ShardRateLimiter, now: number, bytes: number, max = 100_000): number => {
  const budget = limiter.budget(now);
  let n = 0;
  while (n < max && budget.admit('s0', bytes)) n++;
  budget.commit();
  return n;
};

describe('Bus > kinesis rate limit', () => {
  it('admits a second of records at once, then refuses until it refills', () => {
    const limiter = new ShardRateLimiter(AWS_SHARD_RATE);
    assert.equal(drain(limiter, 0, 10), 1_000);
    assert.equal(drain(limiter, 0, 10), 0);
    assert.equal(drain(limiter, 500, 10), 500);
  });

  it('limits bytes: a 1 MB/s shard takes ten 100 kB records per second', () => {
    const limiter = new ShardRateLimiter(AWS_SHARD_RATE);
    assert.equal(drain(limiter, 0, 100_000), 10);
    assert.equal(drain(limiter, 100, 100_000), 1);
  });

  it('charges nothing for a budget that is not committed', () => {
    const limiter = new ShardRateLimiter(AWS_SHARD_RATE);
    const budget = limiter.budget(0);
    for (let i = 0; i < 1_000; i++) budget.admit('s0', 10);
    assert.equal(drain(limiter, 0, 10), 1_000);
  });

  it('keeps shards apart', () => {
    const limiter = new ShardRateLimiter(AWS_SHARD_RATE);
    drain(limiter, 0, 10);
    const budget = limiter.budget(0);
    assert.ok(!budget.admit('s0', 10));
    assert.ok(budget.admit('s1', 10));
  });

  it('says when a refused shard is worth trying again (a tenth of a second of budget)', () => {
    const limiter = new ShardRateLimiter(AWS_SHARD_RATE);
    drain(limiter, 0, 10);
    const budget = limiter.budget(0);
    assert.ok(!budget.admit('s0', 10));
    assert.equal(budget.wakeAt(), 100);
    assert.equal(limiter.budget(0).wakeAt(), undefined);
  });

  it('refunds bytes saved by compression', () => {
    const limiter = new ShardRateLimiter(AWS_SHARD_RATE);
    assert.equal(drain(limiter, 0, 200_000), 5);
    limiter.adjust('s0', -500_000, 0);
    assert.equal(drain(limiter, 0, 200_000), 3);
  });

  it('never lets more than the rate (plus one second of burst) through, whatever the timing', () =>
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 50_000 })), {
          minLength: 1,
          maxLength: 200,
        }),
        (steps) => {
          const limiter = new ShardRateLimiter(AWS_SHARD_RATE);
          let now = 0;
          let records = 0;
          let bytes = 0;
          for (const [dt, size] of steps) {
            now += dt;
            const n = drain(limiter, now, size, 50);
            records += n;
            bytes += n * size;
          }
          const seconds = now / 1000 + 1;
          assert.ok(records <= seconds * 1_000 + 1, `${records} records in ${now} ms`);
          // Debt may exceed the balance by one record at most.
          assert.ok(bytes <= seconds * 1_000_000 + 50_000, `${bytes} bytes in ${now} ms`);
        },
      ),
    ));
});
