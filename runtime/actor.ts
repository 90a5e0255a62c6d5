/**
 * The runtime owns the loop; actors are handlers (kafkajs `eachMessage`). `runActor` subscribes to the input,
 * runs the pure behaviour on each decoded delivery, performs the effects through ports, and acknowledges only
 * after every effect succeeded or the delivery was dead-lettered. It supervises: a defect (the behaviour throws,
 * or a dead letter cannot be written) crashes the actor, which restarts from its checkpoint with backoff, after the
 * crashed incarnation's in-flight handlers have finished (each incarnation owns its subscription and counter).
 *
 * The behaviour is applied per delivery, so every output is tied to the delivery it came from and an ack covers
 * exactly its effects. State across messages (dedup, batching) lives in ports, which are durable: an in-memory
 * `distinct` would not survive the restart that at-least-once delivery implies anyway.
 */
import { lastValueFrom, type Observable, of, type Subscription, toArray } from 'rxjs';

import type { Delivery, Source } from './bus/bus.ts';
import { E } from './codec.ts';
import { describeError, isRuntimeError, retriesExhausted, type RuntimeError } from './errors.ts';
import type { EventHub } from './events.ts';
import { Fifo } from './fifo.ts';
import { backoff, type BackoffPolicy, defaultBackoff, sleep, withRetry } from './retry.ts';

/** A behaviour: config is applied before, so this is an rxjs operator (STYLE §2). */
export type Behaviour<In, Out> = (input$: Observable<In>) => Observable<Out>;

/** What the runtime hands to the dead-letter port. */
export interface DeadLetterRequest {
  readonly actor: string;
  readonly source: Source;
  /** The failure itself (a RuntimeError, or what a defect threw), for `toDeadLetter`. */
  readonly error: unknown;
  /** `_tag` of a RuntimeError, `Defect` otherwise. */
  readonly errorTag: string;
  readonly reasons: ReadonlyArray<string>;
  readonly raw: Uint8Array;
  readonly attempts: number;
}

/** Writes a dead letter durably; rejects if it could not (the actor then crashes and the input is redelivered). */
export type DeadLetterPort = (letter: DeadLetterRequest) => Promise<void>;

export interface ActorSpec<In, Out> {
  readonly name: string;
  readonly events: EventHub;
  /** The input, subscribed again after each restart (so it resumes from the checkpoint). */
  readonly input: () => Observable<Delivery<In>>;
  readonly behaviour: Behaviour<In, Out>;
  /** Performs one output's effects. Reject with a PortFailure; `retriable` ones are retried with backoff. */
  readonly effect: (out: Out, from: Delivery<In>) => Promise<void>;
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

export interface ActorHandle {
  /**
   * Stops taking deliveries, lets in-flight ones finish (effects + ack), then unsubscribes. Also waits for the
   * effects a crashed incarnation still runs: a restart drains them first.
   */
  readonly stop: () => Promise<void>;
  /** Settles when the actor has stopped. */
  readonly done: Promise<void>;
  /** Whether the actor is running (false while waiting to restart after a crash). */
  readonly healthy: () => boolean;
}

/** A delivery's address, as the events (and their log lines) about it carry it. */
const at = ({ stream, shardId, sequence, subSequence }: Source) => ({
  stream,
  shardId,
  sequence,
  subSequence,
});

const positionKey = (s: Source) => `${s.stream}/${s.shardId}/${s.sequence}/${s.subSequence}`;

/** Thrown inside the loop to crash the actor: a defect, not an expected failure. */
class Defect extends Error {
  constructor(
    readonly delivery: Delivery<unknown>,
    override readonly cause: unknown,
  ) {
    super(describeError(cause).join('; '));
  }
}

/**
 * Runs an actor until `stop()`.
 * @example
 * const actor = runActor({ name: 'alert-system', events, input: () => bus.subscribe(drones, { application: 'alert-system' }),
 *   behaviour: alertSystem(cfg), effect: (alarm) => alarms.publish(alarm), deadLetter });
 * process.once('SIGTERM', () => void actor.stop());
 */
export const runActor = <In, Out>(spec: ActorSpec<In, Out>): ActorHandle => {
  const random = spec.random ?? Math.random;
  const crashes = new Map<string, number>();
  let stopping = false;
  let running = false;
  let wakeIdle: (() => void) | undefined;
  let wakeRestart: (() => void) | undefined;

  const deadLetter = async (d: Delivery<In>, error: RuntimeError | Defect, attempts: number) => {
    const cause = error instanceof Defect ? error.cause : error;
    const errorTag = error instanceof Defect ? 'Defect' : error._tag;
    const reasons = describeError(cause);
    await spec.deadLetter({
      actor: spec.name,
      error: cause,
      source: d.source,
      errorTag,
      reasons,
      raw: d.raw,
      attempts,
    });
    spec.events.emit('bus.dead_lettered', spec.name, {
      ...at(d.source),
      reason: reasons.join('; '),
      errorTag,
    });
  };

  const perform = async (out: Out, d: Delivery<In>): Promise<void> => {
    let attempts = 0;
    try {
      await withRetry(
        () => {
          attempts++;
          return spec.effect(out, d);
        },
        {
          policy: spec.retry ?? defaultBackoff,
          random,
          isRetriable: (e) => isRuntimeError(e) && e._tag === 'PortFailure' && e.retriable,
          onRetry: (attempt, delayMs, e) =>
            spec.events.emit('bus.retry', spec.name, {
              port: portOf(e),
              attempt,
              delayMs,
              error: describeError(e).join('; '),
            }),
        },
      );
    } catch (e) {
      if (!isRuntimeError(e)) throw new Defect(d, e);
      const err = e._tag === 'PortFailure' && e.retriable ? retriesExhausted(attempts, e) : e;
      await deadLetter(d, err, attempts);
    }
  };

  const handle = async (d: Delivery<In>): Promise<void> => {
    if (E.isLeft(d.payload)) {
      spec.events.emit('bus.decode_failed', spec.name, {
        ...at(d.source),
        issues: d.payload.left.issues,
      });
      await deadLetter(d, d.payload.left, 1);
      return d.ack();
    }
    const key = positionKey(d.source);
    if ((crashes.get(key) ?? 0) >= (spec.maxCrashesPerDelivery ?? 3)) {
      // The same input crashed the actor again and again: park it with the reason instead of looping for ever.
      await deadLetter(
        d,
        new Defect(d, new Error('crashed the actor repeatedly')),
        crashes.get(key)!,
      );
      crashes.delete(key);
      return d.ack();
    }
    let outs: Out[];
    try {
      outs = await lastValueFrom(of(d.payload.right).pipe(spec.behaviour, toArray()));
    } catch (e) {
      throw new Defect(d, e);
    }
    for (const out of outs) await perform(out, d);
    crashes.delete(key);
    await d.ack();
    spec.events.emit('actor.processed', spec.name, { count: 1 });
  };

  /**
   * One incarnation, with its own subscription and in-flight handlers (kafkajs builds a new Runner per restart):
   * nothing of it is shared with the next one, so a handler that outlives a crash cannot settle, unsubscribe or
   * miscount its successor. `finished` resolves on a clean stop or the input's end and rejects with the crash;
   * `drain` unsubscribes and waits for every handler it started.
   */
  const incarnation = () => {
    const inFlight = new Set<Promise<void>>();
    let subscription: Subscription | undefined;
    const finished = new Promise<void>((resolve, reject) => {
      running = true;
      let inputDone = false;
      const settleIfIdle = () => {
        if (inFlight.size > 0) return;
        if (stopping) {
          subscription?.unsubscribe();
          resolve();
        } else if (inputDone && queued() === 0) resolve();
      };
      wakeIdle = settleIfIdle;
      // rxjs's mergeMap would do this, but it keeps its inner subscriptions in an array and removes each finished
      // one with a scan: at thousands of deliveries in flight that scan was the writer's largest cost. A Set and a
      // queue with a moving head do the same in constant time per delivery.
      const concurrency = spec.concurrency ?? 32;
      const waiting = new Fifo<Delivery<In>>();
      const queued = () => waiting.size;
      let crashed = false;
      const start = (d: Delivery<In>): void => {
        // Not acknowledged: redelivered to the next incarnation or worker (after a crash too, as mergeMap would).
        if (stopping || crashed) return;
        const handled: Promise<void> = handle(d).then(
          () => {
            inFlight.delete(handled);
            while (queued() > 0 && inFlight.size < concurrency) start(waiting.shift()!);
            settleIfIdle();
          },
          (e: unknown) => {
            inFlight.delete(handled);
            crashed = true;
            reject(e);
          },
        );
        inFlight.add(handled);
      };
      subscription = spec.input().subscribe({
        next: (d) => (inFlight.size < concurrency ? start(d) : void waiting.push(d)),
        error: reject,
        complete: () => {
          inputDone = true;
          settleIfIdle();
        },
      });
    });
    const drain = async (): Promise<void> => {
      subscription?.unsubscribe();
      // Their failures are this incarnation's, already reported by the crash being handled.
      await Promise.allSettled([...inFlight]);
    };
    return { finished, drain };
  };

  const loop = async (): Promise<void> => {
    spec.events.emit('actor.started', spec.name, { instance: `${process.pid}` });
    for (let restarts = 0; !stopping;) {
      const current = incarnation();
      try {
        await current.finished;
        break;
      } catch (e) {
        running = false;
        restarts++;
        if (e instanceof Defect)
          crashes.set(
            positionKey(e.delivery.source),
            (crashes.get(positionKey(e.delivery.source)) ?? 0) + 1,
          );
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
        // Drain before restarting (kafkajs `onCrash` awaits `runner.stop()`): stop() then waits for these too.
        await current.drain();
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
      wakeIdle?.();
      wakeRestart?.();
      await done;
    },
    done,
    healthy: () => running,
  };
};

const portOf = (e: unknown): string =>
  isRuntimeError(e) && e._tag === 'PortFailure' ? e.port : 'unknown';
