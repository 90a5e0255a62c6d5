/**
 * The runtime owns the loop; actors are handlers (kafkajs `eachMessage`). `runActor` subscribes to the input,
 * runs the pure behaviour on each decoded delivery, performs the effects through ports, and acknowledges only
 * after every effect succeeded or the delivery was dead-lettered. It is supervised (`supervise.ts`, shared with
 * the transition runner): a defect (the behaviour throws, or a dead letter cannot be written) crashes the actor,
 * which restarts from its checkpoint with backoff, after the crashed incarnation's in-flight handlers have finished
 * (each incarnation owns its subscription, in-flight set and queue).
 *
 * The behaviour is applied per delivery, so every output is tied to the delivery it came from and an ack covers
 * exactly its effects. State across messages (dedup, batching) lives in ports, which are durable: an in-memory
 * `distinct` would not survive the restart that at-least-once delivery implies anyway.
 */
import { type Observable, of } from 'rxjs';

import { boundedRunner, type Holds } from './bounded-runner.ts';
import type { Delivery } from './bus/bus.ts';
import { E } from './codec.ts';
import type { EventHub } from './events.ts';
import type { BackoffPolicy } from './retry.ts';
import {
  type ActorHandle,
  createPerformer,
  type DeadLetterPort,
  Defect,
  type Incarnation,
  supervise,
} from './supervise.ts';

export type { ActorHandle, DeadLetterPort, DeadLetterRequest } from './supervise.ts';

/**
 * What acknowledges a delivery whose effect ended with a {@link LastStep}: the step calls `settle()` once it is
 * durable, or `settle(error)` once it failed for good (the port retried it already), which crashes the actor so that
 * the delivery is read again from the checkpoint.
 */
export interface Settle {
  settle(error?: unknown): void;
}

/**
 * An effect's last step, for work that settles seconds later and for many deliveries at once (an archive batch
 * written when full): it hands `done` to its port and returns, so that the delivery holds no slot, frame or promise
 * while it waits, only what the port keeps of it and its acknowledgement. Not retried by the runtime: its port retries.
 */
export type LastStep = (done: Settle) => void;

/** A behaviour: config is applied before, so this is an rxjs operator (STYLE §2). */
export type Behaviour<In, Out> = (input$: Observable<In>) => Observable<Out>;

export interface ActorSpec<In, Out> {
  readonly name: string;
  readonly events: EventHub;
  /** The input, subscribed again after each restart (so it resumes from the checkpoint). */
  readonly input: () => Observable<Delivery<In>>;
  readonly behaviour: Behaviour<In, Out>;
  /**
   * Performs one output's effects. Reject with a PortFailure; `retriable` ones are retried with backoff. May resolve
   * with a {@link LastStep}: the delivery then leaves the `concurrency` bound and is acknowledged when that step settles.
   */
  readonly effect: (out: Out, from: Delivery<In>) => Promise<void | LastStep>;
  readonly deadLetter: DeadLetterPort;
  /** Deliveries processed at once (default 32). Order across them is not kept: effects are idempotent by id. */
  readonly concurrency?: number;
  /** Retry policy for retriable effect failures (default kafkajs': 5 retries from 300 ms). */
  readonly retry?: BackoffPolicy;
  /** Restart policy after a crash (retries are unbounded; this sets the delays). */
  readonly restart?: BackoffPolicy;
  /** A delivery that crashes the actor this many times is dead-lettered as a defect (default 3). */
  readonly maxCrashesPerDelivery?: number;
  readonly random?: () => number;
}

/**
 * Every value of `o$`: an array when it completes synchronously (a behaviour of `map`s and `filter`s: no promise, no
 * `toArray`, per delivery), a promise of it otherwise; throws or rejects with its error.
 * @example collect(of(1, 2)) // [1, 2]
 */
export const collect = <A>(o$: Observable<A>): A[] | Promise<A[]> => {
  const values: A[] = [];
  // What happened before `subscribe` returned: still open, completed, or failed (with the error).
  type Sync = 'open' | 'complete' | { readonly error: unknown };
  let sync: Sync = 'open';
  let later: { resolve: (v: A[]) => void; reject: (e: unknown) => void } | undefined;
  // Methods, not arrows in properties: an arrow given a name by its property costs the tsx/esbuild build (its
  // `keepNames`) an Object.defineProperty each time it is created, and this object is made per delivery.
  o$.subscribe({
    next(v) {
      values.push(v);
    },
    error(error: unknown) {
      if (later) later.reject(error);
      else sync = { error };
    },
    complete() {
      if (later) later.resolve(values);
      else sync = 'complete';
    },
  });
  const now = sync as Sync; // set by the callbacks above, which TypeScript does not follow
  if (now === 'complete') return values;
  if (now !== 'open') throw now.error;
  return new Promise<A[]>((resolve, reject) => (later = { resolve, reject }));
};

/**
 * Runs an actor until `stop()`.
 * @example
 * const actor = runActor({ name: 'stream-to-storage', events, input: () => bus.subscribe(drones, { application: 'stream-to-storage' }),
 *   behaviour: storageWriter(cfg), effect: (command) => table.apply(command), deadLetter });
 * process.once('SIGTERM', () => void actor.stop());
 */
export const runActor = <In, Out>(spec: ActorSpec<In, Out>): ActorHandle => {
  const { recover, rejectUndecodable, crashes } = createPerformer(spec);

  // An output whose first attempt failed: its retries, then a dead letter (no last step then) or a Defect. Its
  // closures are built here, off `handle`, so that `handle` captures nothing per delivery.
  const retry = async (e: unknown, out: Out, d: Delivery<In>): Promise<void | LastStep> => {
    let last: void | LastStep = undefined;
    await recover(
      e,
      async () => void (last = await spec.effect(out, d)),
      () => d,
    );
    return last;
  };

  // Counted, and reported once per turn of the microtask queue: an archive batch's write acknowledges thousands of
  // deliveries at once, and an event per delivery (its object, the hub's subscribers, two labelled counter updates)
  // cost more than the acknowledgement itself. Reported before any timer or socket callback runs, stop included.
  let unreported = 0;
  const report = () => {
    const count = unreported;
    unreported = 0;
    spec.events.emit('actor.processed', spec.name, { count });
  };
  const processed = () => {
    if (unreported++ === 0) queueMicrotask(report);
  };

  const handle = async (d: Delivery<In>, holds: Holds): Promise<void> => {
    if (E.isLeft(d.payload)) return rejectUndecodable(d, d.payload.left);
    const parked = crashes.parkIfCrashing(d);
    if (parked) return parked;
    let outs: Out[];
    try {
      const collected = collect(of(d.payload.right).pipe(spec.behaviour));
      outs = Array.isArray(collected) ? collected : await collected;
    } catch (e) {
      throw new Defect(e, d.source);
    }
    // `perform`, with the first attempt awaited here: no thunks, no promise of its own per output unless it fails.
    let last: LastStep[] | undefined;
    for (let i = 0; i < outs.length; i++) {
      const out = outs[i]!;
      let step: void | LastStep;
      try {
        step = await spec.effect(out, d);
      } catch (e) {
        step = await retry(e, out, d);
      }
      if (step) (last ??= []).push(step);
    }
    crashes.handled(d.source);
    if (last === undefined) {
      await d.ack();
      processed();
      return;
    }
    holds.hold();
    const done = new Acknowledgement(last.length, d.ack, holds, processed);
    for (const step of last)
      try {
        step(done);
      } catch (e) {
        // A step that throws instead of settling is a bug: a defect naming the delivery, and the hold released.
        done.settle(new Defect(e, d.source));
      }
  };

  /**
   * One incarnation, with its own subscription, in-flight handlers and queue (kafkajs builds a new Runner per
   * restart), handling up to `concurrency` deliveries at once. After a crash or a stop, what waits is dropped
   * unacknowledged: redelivered to the next incarnation or worker.
   */
  const incarnation = (): Incarnation =>
    boundedRunner(spec.input(), { concurrency: spec.concurrency ?? 32, run: handle });

  return supervise({ ...spec, incarnation, onCrash: crashes.onCrash });
};

/**
 * The acknowledgement of a delivery waiting for its last steps: all of what it holds while it waits (its ack, no
 * payload), shared handlers, no closure of its own. The first failure crashes the runner; the delivery is not
 * acknowledged (read again from the checkpoint by the next incarnation).
 */
class Acknowledgement implements Settle {
  private remaining: number;

  constructor(
    steps: number,
    private readonly ack: () => Promise<void>,
    private readonly holds: Holds,
    private readonly processed: () => void,
  ) {
    this.remaining = steps;
  }

  settle(error?: unknown): void {
    if (this.remaining === 0) return;
    if (error !== undefined) {
      this.remaining = 0;
      this.fail(error);
      return;
    }
    if (--this.remaining > 0) return;
    this.ack().then(
      () => {
        this.processed();
        this.holds.release();
      },
      (e: unknown) => this.fail(e),
    );
  }

  private fail(e: unknown): void {
    this.holds.fail(e);
    this.holds.release();
  }
}
