/**
 * The behaviour shape of an actor that needs state and time: a pure transition `(state, input) -> [state,
 * commands]` (xstate's `transition()`), where an input is a message or a clock tick. The runner owns everything
 * else (STYLE §2): it reads the time from the rxjs scheduler (so marble tests run it in virtual time), folds the
 * state with `scan`, performs each step's commands through the `effect` port in order, and acknowledges a delivery
 * only after the commands it caused were performed (or dead-lettered). The state lives in memory, one per
 * incarnation: a restart begins again from `initial` (what the watchdog's README says it costs).
 *
 * Steps always run one at a time, in input order; the commands of up to `concurrency` steps are performed at once
 * (default 1: in order). An input that crashed the actor `maxCrashesPerDelivery` times (its step threw, or its
 * command failed with a defect) is dead-lettered as a defect instead of crashing it for ever, as `runActor` does.
 */
import {
  asyncScheduler,
  defer,
  endWith,
  from,
  ignoreElements,
  interval,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  scan,
  type SchedulerLike,
  share,
  takeUntil,
} from 'rxjs';

import { boundedRunner } from './bounded-runner.ts';
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
  type Parked,
  supervise,
} from './supervise.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** What a transition is given: a message read at `at`, or a clock tick at `at` (epoch ms, the scheduler's). */
export type Input<M> =
  | { readonly kind: 'message'; readonly message: M; readonly at: number }
  | { readonly kind: 'tick'; readonly at: number };

/** A pure transition: no clock, no randomness, no I/O; commands are data the runner performs. */
export type Transition<S, M, C> = (state: S, input: Input<M>) => readonly [S, ReadonlyArray<C>];

/** One step's commands, and the source value (a delivery) that caused it; none for a tick. */
export interface Stepped<C, V> {
  readonly commands: ReadonlyArray<C>;
  readonly cause?: V;
}

export interface StepOptions {
  /** Tick period. */
  readonly tickMs: number;
  /** Where time comes from (default `asyncScheduler`, which `TestScheduler.run` makes virtual). */
  readonly scheduler?: SchedulerLike;
}

// ---------------------------------------------------------------------------------------------------------------
// operators

/**
 * Folds the source through the transition, with a tick every `tickMs` until the source ends. Each source value is
 * one message (`messageOf`); each step emits its commands with the value that caused it.
 * @example deliveries$.pipe(stepThrough(initial, step, { tickMs: 1_000 }, (d) => d.message))
 */
export const stepThrough =
  <S, M, C, V>(
    initial: S,
    step: Transition<S, M, C>,
    options: StepOptions,
    messageOf: (v: V) => M,
  ) =>
  (source$: Observable<V>): Observable<Stepped<C, V>> =>
    defer(() => {
      const scheduler = options.scheduler ?? asyncScheduler;
      const values$ = source$.pipe(share());
      const ended$ = values$.pipe(ignoreElements(), endWith(true));
      const inputs$ = merge(
        values$.pipe(
          map((v) => ({
            input: { kind: 'message', message: messageOf(v), at: scheduler.now() } as const,
            v,
          })),
        ),
        interval(options.tickMs, scheduler).pipe(
          takeUntil(ended$),
          map(() => ({ input: { kind: 'tick', at: scheduler.now() } as const, v: undefined })),
        ),
      );
      return inputs$.pipe(
        scan(
          (acc: { state: S; out: Stepped<C, V> }, { input, v }) => {
            const [state, commands] = step(acc.state, input);
            return { state, out: v === undefined ? { commands } : { commands, cause: v } };
          },
          { state: initial, out: { commands: [] } },
        ),
        map((acc) => acc.out),
      );
    });

/**
 * The transition as a stream of commands: what marble tests draw.
 * @example expectObservable(messages$.pipe(transitions(initial, step, { tickMs: 1_000 }))).toBe('---s', { s })
 */
export const transitions =
  <S, M, C>(initial: S, step: Transition<S, M, C>, options: StepOptions) =>
  (messages$: Observable<M>): Observable<C> =>
    messages$.pipe(
      stepThrough(initial, step, options, (m: M) => m),
      mergeMap((s) => from(s.commands)),
    );

// ---------------------------------------------------------------------------------------------------------------
// runner

export interface TransitionActorSpec<S, M, C> {
  readonly name: string;
  readonly events: EventHub;
  /** The input, subscribed again after each restart. */
  readonly input: () => Observable<Delivery<M>>;
  readonly initial: S;
  readonly step: Transition<S, M, C>;
  readonly tickMs: number;
  /** Performs one command. Reject with a PortFailure; `retriable` ones are retried with backoff. */
  readonly effect: (command: C) => Promise<void>;
  readonly deadLetter: DeadLetterPort;
  /** The bytes of a dead letter for a command a tick caused (there is no delivery to keep). */
  readonly encodeCommand: (command: C) => Uint8Array;
  readonly retry?: BackoffPolicy;
  readonly restart?: BackoffPolicy;
  /**
   * Steps whose commands are performed at once (default 1: one after the other). Above 1, a slow command (a port
   * retrying) holds back neither the steps after it nor their acks; acks then come out of order, as `runActor`'s.
   */
  readonly concurrency?: number;
  /** An input that crashed the actor this many times is dead-lettered as a defect (default 3). */
  readonly maxCrashesPerDelivery?: number;
  readonly random?: () => number;
  readonly scheduler?: SchedulerLike;
}

/**
 * Runs a transition actor until `stop()` (supervised by `supervise.ts`, like `runActor`): decode failures are
 * dead-lettered and acknowledged, a command whose port keeps failing is dead-lettered (its delivery's bytes, or the
 * command's own for a tick), a throwing transition or an unwritable dead letter crashes it, and it restarts with
 * backoff from `initial` and its checkpoint, after the crashed incarnation's effects have finished.
 * `stop()` stops reading, performs (and acknowledges) what was already stepped, then ends.
 * @example const actor = runTransitions({ name, events, input, initial, step, tickMs: 1_000, effect, deadLetter, encodeCommand });
 */
export const runTransitions = <S, M, C>(spec: TransitionActorSpec<S, M, C>): ActorHandle => {
  const { perform, rejectUndecodable, crashes } = createPerformer(spec);
  let ticks = 0;
  /** A command a tick caused has no delivery: its dead letter keeps the command, at a position of its own. */
  const parkedTick = (command: C): Parked => ({
    source: {
      stream: `${spec.name}/tick`,
      shardId: 'tick',
      sequence: String(++ticks),
      subSequence: 0,
    },
    raw: spec.encodeCommand(command),
  });

  /** The step, with a message's delivery: a throw is a defect of that delivery (counted by `onCrash`). */
  const step: Transition<S, { readonly d: Delivery<M>; readonly message: M }, C> = (
    state,
    input,
  ) => {
    if (input.kind === 'tick') return spec.step(state, input);
    try {
      return spec.step(state, { ...input, message: input.message.message });
    } catch (e) {
      throw new Defect(e, input.message.d.source);
    }
  };

  /** One step's commands performed in order, then its delivery acknowledged. */
  const perform1 = async ({ commands, cause }: Stepped<C, { readonly d: Delivery<M> }>) => {
    for (const c of commands)
      await perform(
        () => spec.effect(c),
        () => cause?.d ?? parkedTick(c),
      );
    if (cause) {
      crashes.handled(cause.d.source);
      await cause.d.ack();
      spec.events.emit('actor.processed', spec.name, { count: 1 });
    }
  };

  /** One incarnation: its own state (from `initial`), subscription, stop signal and in-flight work. */
  const incarnation = (): Incarnation => {
    /** Dead letters being written for inputs that are not stepped (undecodable, or crashing too often). */
    const deadLettering = new Set<Promise<unknown>>();
    const track = <A>(p: Promise<A>): Promise<A> => {
      deadLettering.add(p);
      const forget = () => deadLettering.delete(p);
      p.then(forget, forget);
      return p;
    };
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((r) => (stop = r));
    const decoded$ = spec.input().pipe(
      takeUntil(from(stopped)),
      // Dead letters of bad input are written `concurrency` at a time too, so that poison never holds back the rest.
      mergeMap((d) => {
        if (E.isLeft(d.payload))
          return from(track(rejectUndecodable(d, d.payload.left))).pipe(ignoreElements());
        const parked = crashes.parkIfCrashing(d);
        return parked
          ? from(track(parked)).pipe(ignoreElements())
          : of({ d, message: d.payload.right });
      }, spec.concurrency ?? 1),
    );
    // Up to `concurrency` steps performed at once, the rest queued in step order. After a crash nothing new
    // starts: what waits is not acknowledged, so it comes again.
    const runner = boundedRunner(
      decoded$.pipe(
        stepThrough(
          spec.initial,
          step,
          { tickMs: spec.tickMs, ...(spec.scheduler ? { scheduler: spec.scheduler } : {}) },
          (x) => x,
        ),
      ),
      { concurrency: spec.concurrency ?? 1, run: perform1 },
    );
    return {
      finished: runner.finished,
      // Ends the input rather than stopping the runner: what was stepped is still performed and acknowledged.
      stop,
      drain: async () => {
        await Promise.allSettled([runner.drain(), ...deadLettering]);
      },
    };
  };

  return supervise({ ...spec, incarnation, onCrash: crashes.onCrash });
};
