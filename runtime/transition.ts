/**
 * The behaviour shape of an actor that needs state and time: a pure transition `(state, input) -> [state,
 * commands]` (xstate's `transition()`), where an input is a message or a clock tick. The runner owns everything
 * else (STYLE §2): it reads the time from the rxjs scheduler (so marble tests run it in virtual time), folds the
 * state with `scan`, performs each step's commands through the `effect` port in order, and acknowledges a delivery
 * only after the commands it caused were performed (or dead-lettered). The state lives in memory, one per
 * incarnation: a restart begins again from `initial` (what the watchdog's README says it costs).
 */
import {
  asyncScheduler,
  concatMap,
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

import type { DeadLetterPort } from './actor.ts';
import type { Delivery, Source } from './bus/bus.ts';
import { E } from './codec.ts';
import { describeError, isRuntimeError, retriesExhausted } from './errors.ts';
import type { EventHub } from './events.ts';
import { backoff, type BackoffPolicy, defaultBackoff, sleep, withRetry } from './retry.ts';

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
  readonly random?: () => number;
  readonly scheduler?: SchedulerLike;
}

/** A running transition actor. */
export interface TransitionActor {
  /** Stops reading, performs (and acknowledges) what was already stepped, then ends. */
  readonly stop: () => Promise<void>;
  readonly healthy: () => boolean;
}

class Defect extends Error {
  constructor(override readonly cause: unknown) {
    super(describeError(cause).join('; '));
  }
}

/**
 * Runs a transition actor until `stop()`: decode failures are dead-lettered and acknowledged, a command whose port
 * keeps failing is dead-lettered (its delivery's bytes, or the command's own for a tick), a throwing transition
 * or an unwritable dead letter crashes it, and it restarts with backoff from `initial` and its checkpoint.
 * @example const actor = runTransitions({ name, events, input, initial, step, tickMs: 1_000, effect, deadLetter, encodeCommand });
 */
export const runTransitions = <S, M, C>(spec: TransitionActorSpec<S, M, C>): TransitionActor => {
  const random = spec.random ?? Math.random;
  let running = false;
  let stopRequested: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (stopRequested = r));
  let stopping = false;
  let wakeRestart: (() => void) | undefined;
  let ticks = 0;

  const deadLetter = async (
    source: Source,
    raw: Uint8Array,
    error: unknown,
    attempts: number,
  ): Promise<void> => {
    const errorTag = isRuntimeError(error) ? error._tag : 'Defect';
    const reasons = describeError(error);
    await spec.deadLetter({ actor: spec.name, source, error, errorTag, reasons, raw, attempts });
    spec.events.emit('bus.dead_lettered', spec.name, {
      ...source,
      reason: reasons.join('; '),
      errorTag,
    });
  };

  const perform = async (command: C, cause: Delivery<M> | undefined): Promise<void> => {
    let attempts = 0;
    try {
      await withRetry(
        () => {
          attempts++;
          return spec.effect(command);
        },
        {
          policy: spec.retry ?? defaultBackoff,
          random,
          isRetriable: (e) => isRuntimeError(e) && e._tag === 'PortFailure' && e.retriable,
          onRetry: (attempt, delayMs, e) =>
            spec.events.emit('bus.retry', spec.name, {
              port: isRuntimeError(e) && e._tag === 'PortFailure' ? e.port : 'unknown',
              attempt,
              delayMs,
              error: describeError(e).join('; '),
            }),
        },
      );
    } catch (e) {
      if (!isRuntimeError(e)) throw new Defect(e);
      const err = e._tag === 'PortFailure' && e.retriable ? retriesExhausted(attempts, e) : e;
      const source: Source = cause?.source ?? {
        stream: `${spec.name}/tick`,
        shardId: 'tick',
        sequence: String(++ticks),
        subSequence: 0,
      };
      await deadLetter(source, cause?.raw ?? spec.encodeCommand(command), err, attempts);
    }
  };

  const incarnation = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      running = true;
      const decoded$ = spec.input().pipe(
        takeUntil(from(stopped)),
        concatMap((d) => {
          if (E.isRight(d.payload)) return of({ d, message: d.payload.right });
          const failure = d.payload.left;
          spec.events.emit('bus.decode_failed', spec.name, { ...d.source, issues: failure.issues });
          return from(deadLetter(d.source, d.raw, failure, 1).then(() => d.ack())).pipe(
            ignoreElements(),
          );
        }),
      );
      decoded$
        .pipe(
          stepThrough(
            spec.initial,
            spec.step,
            { tickMs: spec.tickMs, ...(spec.scheduler ? { scheduler: spec.scheduler } : {}) },
            (x) => x.message,
          ),
          concatMap(async ({ commands, cause }) => {
            for (const c of commands) await perform(c, cause?.d);
            if (cause) {
              await cause.d.ack();
              spec.events.emit('actor.processed', spec.name, { count: 1 });
            }
          }),
        )
        .subscribe({ error: reject, complete: resolve });
    });

  const loop = async (): Promise<void> => {
    spec.events.emit('actor.started', spec.name, { instance: `${process.pid}` });
    for (let restarts = 0; !stopping;) {
      try {
        await incarnation();
        break;
      } catch (e) {
        running = false;
        restarts++;
        const restartInMs = backoff(
          restarts,
          spec.restart ?? { ...defaultBackoff, retries: Infinity },
          random,
        );
        spec.events.emit('actor.crashed', spec.name, {
          error: describeError(e instanceof Defect ? e.cause : e),
          restartInMs,
          restarts,
        });
        if (stopping) break;
        await new Promise<void>((r) => {
          wakeRestart = r;
          void sleep(restartInMs).then(r);
        });
      }
    }
    running = false;
    spec.events.emit('actor.stopped', spec.name, { reason: 'stop requested' });
  };

  const done = loop();
  return {
    stop: async () => {
      stopping = true;
      stopRequested();
      wakeRestart?.();
      await done;
    },
    healthy: () => running,
  };
};
