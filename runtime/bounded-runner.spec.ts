import assert from 'node:assert/strict';

import { Subject } from 'rxjs';

import { boundedRunner, type Holds } from './bounded-runner.ts';

/** A run the test finishes by hand. */
interface Gate {
  readonly item: number;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/** A runner fed by a Subject, whose runs wait until the test settles them. */
const gated = (concurrency: number) => {
  const source = new Subject<number>();
  const started: Gate[] = [];
  const runner = boundedRunner(source, {
    concurrency,
    run: (item) => new Promise<void>((resolve, reject) => started.push({ item, resolve, reject })),
  });
  let settled: 'resolved' | Error | undefined;
  runner.finished.then(
    () => (settled = 'resolved'),
    (e: Error) => (settled = e),
  );
  const items = () => started.map((g) => g.item);
  return { source, runner, started, items, settled: () => settled };
};

/** Lets the `then` callbacks of settled runs go (no timer: the runs settle only when the test says so). */
const flush = () => new Promise<void>((r) => setImmediate(r));

describe('Runtime > boundedRunner', () => {
  it('runs at most `concurrency` items at once, and starts the queued ones in order as runs end', async () => {
    const { source, started, items, settled } = gated(2);
    for (const i of [1, 2, 3, 4, 5]) source.next(i);
    assert.deepEqual(items(), [1, 2]);
    started[1]!.resolve();
    await flush();
    assert.deepEqual(items(), [1, 2, 3]);
    started[0]!.resolve();
    started[2]!.resolve();
    await flush();
    assert.deepEqual(items(), [1, 2, 3, 4, 5]);
    source.complete();
    started[3]!.resolve();
    await flush();
    assert.equal(settled(), undefined, 'finished must wait for the last run');
    started[4]!.resolve();
    await flush();
    assert.equal(settled(), 'resolved');
  });

  it('finishes when the source completes with nothing left, and runs what was queued first', async () => {
    const { source, started, items, settled } = gated(1);
    source.next(1);
    source.next(2);
    source.complete();
    started[0]!.resolve();
    await flush();
    assert.equal(settled(), undefined, 'the queued item still has to run');
    assert.deepEqual(items(), [1, 2]);
    started[1]!.resolve();
    await flush();
    assert.equal(settled(), 'resolved');
  });

  it('stop() drops what is queued, then finishes once what runs has ended, and only then unsubscribes', async () => {
    const { source, runner, started, items, settled } = gated(1);
    source.next(1);
    source.next(2);
    runner.stop();
    source.next(3);
    await flush();
    assert.equal(settled(), undefined, 'finished must wait for the run in flight');
    assert.equal(source.observed, true, 'the source stays subscribed until the run has ended');
    started[0]!.resolve();
    await flush();
    assert.equal(settled(), 'resolved');
    assert.equal(source.observed, false);
    assert.deepEqual(items(), [1]);
  });

  it('a rejected run fails it once: nothing more starts, and drain() waits for the others', async () => {
    const { source, runner, started, items, settled } = gated(2);
    for (const i of [1, 2, 3, 4]) source.next(i);
    started[0]!.reject(new Error('first'));
    await flush();
    assert.equal((settled() as Error).message, 'first');
    source.next(5);
    let drained = false;
    const draining = runner.drain().then(() => (drained = true));
    assert.equal(source.observed, false, 'drain() unsubscribes at once');
    await flush();
    assert.equal(drained, false, 'drain() must wait for the run still going');
    started[1]!.reject(new Error('second'));
    await draining;
    assert.equal((settled() as Error).message, 'first');
    assert.deepEqual(items(), [1, 2]);
  });

  it("rejects with the source's error", async () => {
    const { source, settled } = gated(1);
    source.error(new Error('input broke'));
    await flush();
    assert.equal((settled() as Error).message, 'input broke');
  });

  describe('holds (work a run hands on past its slot)', () => {
    /** A runner whose runs end at once, each holding its item until the test releases it. */
    const holding = (concurrency: number) => {
      const source = new Subject<number>();
      const held: number[] = [];
      let holds!: Holds;
      const runner = boundedRunner(source, {
        concurrency,
        run: (item, h) => {
          holds = h;
          h.hold();
          held.push(item);
          return Promise.resolve();
        },
      });
      let settled: 'resolved' | Error | undefined;
      runner.finished.then(
        () => (settled = 'resolved'),
        (e: Error) => (settled = e),
      );
      return { source, runner, held, holds: () => holds, settled: () => settled };
    };

    it('frees the slot: more items run than `concurrency` while earlier ones are held', async () => {
      const { source, held } = holding(1);
      for (const i of [1, 2, 3]) source.next(i);
      await flush();
      assert.deepEqual(held, [1, 2, 3]);
    });

    it('stop() and the end of the source finish only once every hold is released, then unsubscribe', async () => {
      const { source, runner, holds, settled } = holding(2);
      source.next(1);
      source.next(2);
      await flush();
      runner.stop();
      await flush();
      assert.equal(settled(), undefined, 'finished must wait for the held items');
      assert.equal(source.observed, true, 'held items are acknowledged through the subscription');
      holds().release();
      await flush();
      assert.equal(settled(), undefined, 'one is still held');
      holds().release();
      await flush();
      assert.equal(settled(), 'resolved');
      assert.equal(source.observed, false);
    });

    it('a held item that fails fails the runner, and drain() waits for the other holds', async () => {
      const { source, runner, holds, held, settled } = holding(2);
      source.next(1);
      source.next(2);
      await flush();
      holds().fail(new Error('archive down'));
      holds().release();
      await flush();
      assert.equal((settled() as Error).message, 'archive down');
      source.next(3);
      let drained = false;
      const draining = runner.drain().then(() => (drained = true));
      await flush();
      assert.equal(drained, false, 'drain() must wait for the item still held');
      holds().release();
      await draining;
      assert.deepEqual(held, [1, 2], 'nothing starts after the failure');
    });
  });
});
