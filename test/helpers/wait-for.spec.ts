import assert from 'node:assert/strict';

import { waitFor } from './wait-for.ts';

describe('test helpers > waitFor', () => {
  it('resolves with the first value that holds, probing again until then', async () => {
    let n = 0;
    const seen = await waitFor(
      'three probes',
      () => ++n,
      1_000,
      (v) => v >= 3,
    );
    assert.equal(seen, 3);
  });

  it('awaits an async probe and, by default, waits for a truthy value', async () => {
    let n = 0;
    const item = await waitFor(
      'an item',
      () => Promise.resolve(++n < 3 ? undefined : { n }),
      1_000,
    );
    assert.deepEqual(item, { n: 3 });
  });

  it('fails after the deadline naming what was awaited and the last observed value', async () => {
    let n = 0;
    const started = Date.now();
    await assert.rejects(
      waitFor(
        'a count of 1000',
        () => ({ count: ++n }),
        50,
        (v) => v.count >= 1_000,
      ),
      (err: Error) => {
        assert.match(
          err.message,
          /^timed out after 50 ms waiting for a count of 1000; last observed: /,
        );
        assert.ok(err.message.endsWith(`{ count: ${n} }`), err.message);
        return true;
      },
    );
    assert.ok(Date.now() - started < 1_000);
  });

  it('fails at once when the probe throws: a broken probe is not "not yet"', async () => {
    let calls = 0;
    await assert.rejects(
      waitFor(
        'anything',
        () => {
          calls++;
          throw new Error('boom');
        },
        10_000,
      ),
      /boom/,
    );
    assert.equal(calls, 1);
  });
});
