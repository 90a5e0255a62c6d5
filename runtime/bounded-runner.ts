/**
 * Consumes a source with async work on up to `concurrency` items at once, the rest queued first in first out: the
 * delivery loop of one incarnation of both runners (`runActor` per delivery, `runTransitions` per step), written
 * once. rxjs's `mergeMap` does the same, but it keeps its inner subscriptions in an array and removes each finished
 * one with a scan: at thousands of items in flight that scan was the storage writer's and then the alert system's
 * largest cost (twice the CPU per message). A count and a {@link Fifo} do it in constant time per item.
 *
 * A run that rejects fails the runner: nothing more starts and what is queued is dropped (for a runner's
 * deliveries: not acknowledged, so redelivered to the next incarnation), as a crash in `mergeMap` would.
 */
import type { Observable, Subscription } from 'rxjs';

import { Fifo } from './fifo.ts';

export interface BoundedRunnerSpec<T> {
  /** Items run at once (at least 1). */
  readonly concurrency: number;
  /** Runs an item; its slot is free once this settles. Work it hands on past that (`holds`) keeps the runner open. */
  readonly run: (item: T, holds: Holds) => Promise<void>;
}

/**
 * Work a run handed on past its slot: an item's last step that settles seconds later (a batch written once it is
 * full), thousands at once, that should not take thousands of slots. The runner does not finish (`finished`,
 * `drain`) while some is held, and a held item that fails fails the runner as a rejected run does.
 */
export interface Holds {
  readonly hold: () => void;
  /** Ends one `hold` (after `fail`, too). */
  readonly release: () => void;
  readonly fail: (e: unknown) => void;
}

/** The shape of a supervised incarnation (`supervise.ts`), for a runner that only consumes its source. */
export interface BoundedRunner {
  /**
   * Resolves once the source has completed and every item has run, or once `stop()` was called and what ran has
   * ended; rejects with the first run that rejected, or the source's error.
   */
  readonly finished: Promise<void>;
  /**
   * Takes nothing new: drops what is queued and ignores what the source still gives; what runs goes on, and the
   * source is unsubscribed only after it ended (an item is acknowledged before its subscription goes).
   */
  readonly stop: () => void;
  /** After a failure: unsubscribes, and settles once every run it started has settled. */
  readonly drain: () => Promise<void>;
}

/**
 * @example
 * const runner = boundedRunner(spec.input(), { concurrency: 32, run: handle });
 * return { finished: runner.finished, stop: runner.stop, drain: runner.drain };
 */
export const boundedRunner = <T>(
  source$: Observable<T>,
  spec: BoundedRunnerSpec<T>,
): BoundedRunner => {
  // Runs are counted, not kept: thousands are in flight, each held until its delivery is acknowledged, and a
  // set entry plus two closures per run were that many more objects for every scavenge to copy. `drain` waits for
  // the count to reach zero instead.
  let running = 0;
  let held = 0;
  let idle: Array<() => void> = [];
  const waiting = new Fifo<T>();
  let subscription: Subscription | undefined;
  let open = true;
  let failed = false;
  let sourceDone = false;
  let settleIfIdle: () => void = () => undefined;
  let fail: (e: unknown) => void = () => undefined;

  const close = () => {
    open = false;
    waiting.clear();
  };

  const wakeIfNoneRunning = () => {
    if (running + held > 0 || idle.length === 0) return;
    const waiters = idle;
    idle = [];
    for (const wake of waiters) wake();
  };

  // One pair of handlers for every run (no closure per item).
  const ran = () => {
    running--;
    while (waiting.size > 0 && running < spec.concurrency) start(waiting.shift()!);
    settleIfIdle();
    wakeIfNoneRunning();
  };
  const failRunner = (e: unknown) => {
    close();
    wakeIfNoneRunning();
    if (failed) return;
    failed = true;
    fail(e);
  };
  const crashed = (e: unknown) => {
    running--;
    failRunner(e);
  };
  const holds: Holds = {
    hold: () => void held++,
    release: () => {
      held--;
      settleIfIdle();
      wakeIfNoneRunning();
    },
    fail: failRunner,
  };
  const start = (item: T): void => {
    running++;
    spec.run(item, holds).then(ran, crashed);
  };

  const finished = new Promise<void>((resolve, reject) => {
    fail = reject;
    settleIfIdle = () => {
      if (running + held > 0 || waiting.size > 0) return;
      if (!open) {
        subscription?.unsubscribe();
        resolve();
      } else if (sourceDone) resolve();
    };

    subscription = source$.subscribe({
      next: (item) => {
        if (!open) return;
        if (running < spec.concurrency) start(item);
        else waiting.push(item);
      },
      error: reject,
      complete: () => {
        sourceDone = true;
        settleIfIdle();
      },
    });
  });

  return {
    finished,
    stop: () => {
      close();
      settleIfIdle();
    },
    drain: async () => {
      subscription?.unsubscribe();
      while (running + held > 0) await new Promise<void>((wake) => idle.push(wake));
    },
  };
};
