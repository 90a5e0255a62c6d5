/**
 * What every runner of an actor shares (STYLE §5), written once: the supervisor (restart with backoff after a
 * crash, each incarnation built anew and drained before the next one starts, as kafkajs' `onCrash` awaits
 * `runner.stop()`), and the path of one effect (retry a retriable port failure with backoff, dead-letter what fails
 * for good, crash on a defect). `runActor` (a behaviour per delivery, `actor.ts`) and `runTransitions` (a transition
 * with state and time, `transition.ts`) differ only in how an incarnation turns deliveries into effects.
 */
import type { Delivery, Source } from './bus/bus.ts';
import {
  type DecodeFailure,
  describeError,
  isRetriablePortFailure,
  isRuntimeError,
  retriesExhausted,
} from './errors.ts';
import type { EventHub } from './events.ts';
import { backoff, type BackoffPolicy, defaultBackoff, sleep, withRetry } from './retry.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

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

/** What a dead letter keeps of the input it gives up on: where it was read and its bytes. */
export interface Parked {
  readonly source: Source;
  readonly raw: Uint8Array;
}

/** A running actor, whatever its runner. */
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

/** Thrown inside a runner to crash the actor: a defect (a bug, an unwritable dead letter), not an expected failure. */
export class Defect extends Error {
  constructor(
    override readonly cause: unknown,
    /** The delivery that caused it, when there was one. */
    readonly source?: Source,
  ) {
    super(describeError(cause).join('; '));
  }
}

/**
 * One run of an actor's loop, with all its state (subscription, in-flight effects, queue): the supervisor builds a
 * new one after each crash, so a handler that outlives a crash cannot settle, unsubscribe or miscount its successor.
 */
export interface Incarnation {
  /** Resolves on a clean stop or the input's end; rejects with the crash. */
  readonly finished: Promise<void>;
  /** Asks it to take nothing new and finish what it started; `finished` then resolves. */
  readonly stop: () => void;
  /** After a crash: unsubscribes and waits for everything it started. */
  readonly drain: () => Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// supervisor

export interface SupervisorSpec {
  readonly name: string;
  readonly events: EventHub;
  /** Builds the next incarnation (subscribing to the input again, so it resumes from the checkpoint). */
  readonly incarnation: () => Incarnation;
  /** Restart policy after a crash (retries are unbounded; this sets the delays). */
  readonly restart?: BackoffPolicy;
  readonly random?: () => number;
  /** Told of each crash before the restart (runActor counts crashes per delivery). */
  readonly onCrash?: (error: unknown) => void;
}

/**
 * Runs incarnations until `stop()`: after a crash it reports `actor.crashed`, drains the crashed incarnation, waits
 * the backoff (cut short by `stop()`), and builds a new one. `stop()` waits for every effect of every incarnation.
 * @example const handle = supervise({ name, events, incarnation: () => ({ finished, stop, drain }) });
 */
export const supervise = (spec: SupervisorSpec): ActorHandle => {
  const random = spec.random ?? Math.random;
  let stopping = false;
  let running = false;
  let current: Incarnation | undefined;
  let wakeRestart: (() => void) | undefined;

  const loop = async (): Promise<void> => {
    spec.events.emit('actor.started', spec.name, { instance: `${process.pid}` });
    for (let restarts = 0; !stopping;) {
      const incarnation = spec.incarnation();
      current = incarnation;
      running = true;
      try {
        await incarnation.finished;
        break;
      } catch (e) {
        running = false;
        restarts++;
        spec.onCrash?.(e);
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
        // Drain before restarting: stop() then waits for these too.
        await incarnation.drain();
        current = undefined;
        if (stopping) break;
        // stop() cuts the wait short and clears its timer (a process that stops need not wait it out).
        const waiting = new AbortController();
        wakeRestart = () => waiting.abort();
        await sleep(restartInMs, waiting.signal).catch(() => undefined);
      }
    }
    running = false;
    spec.events.emit('actor.stopped', spec.name, { reason: 'stop requested' });
  };

  const done = loop();
  return {
    stop: async () => {
      stopping = true;
      current?.stop();
      wakeRestart?.();
      await done;
    },
    done,
    healthy: () => running,
  };
};

// ---------------------------------------------------------------------------------------------------------------
// one effect

export interface PerformerSpec {
  readonly name: string;
  readonly events: EventHub;
  readonly deadLetter: DeadLetterPort;
  /** Retry policy for retriable effect failures (default kafkajs': 5 retries from 300 ms). */
  readonly retry?: BackoffPolicy;
  /** A delivery that crashes the actor this many times is dead-lettered as a defect (default 3). */
  readonly maxCrashesPerDelivery?: number;
  readonly random?: () => number;
}

/** The failure paths of a runner: an effect's, a bad input's, and a poison input's. */
export interface Performer {
  /**
   * Runs `effect`, retrying a retriable PortFailure with backoff; dead-letters `parked()` when it fails for good
   * (retries exhausted, or not retriable); throws a {@link Defect} for anything that is not a RuntimeError.
   */
  readonly perform: (effect: () => Promise<void>, parked: () => Parked) => Promise<void>;
  /**
   * What `perform` does once the first attempt failed with `first`: the retries, then a dead letter or a Defect. For a
   * runner that awaits the first attempt in its own frame: `try { await effect() } catch (e) { await recover(e, effect, parked) }`
   * is `await perform(effect, parked)` without the promise and closures `perform` needs per call.
   */
  readonly recover: (
    first: unknown,
    effect: () => Promise<void>,
    parked: () => Parked,
  ) => Promise<void>;
  /** Writes and reports a dead letter; rejects if the port could not (the caller crashes). */
  readonly deadLetter: (parked: Parked, error: unknown, attempts: number) => Promise<void>;
  /** Reports a delivery that did not decode, dead-letters it, then acknowledges it. */
  readonly rejectUndecodable: (d: Delivery<unknown>, failure: DecodeFailure) => Promise<void>;
  /** How often each delivery crashed the actor; parks one that crashed it too often through `deadLetter`. */
  readonly crashes: CrashTally;
}

/** A delivery's address, as the events (and their log lines) about it carry it. */
export const at = ({ stream, shardId, sequence, subSequence }: Source) => ({
  stream,
  shardId,
  sequence,
  subSequence,
});

const portOf = (e: unknown): string =>
  isRuntimeError(e) && e._tag === 'PortFailure' ? e.port : 'unknown';

/**
 * A `withRetry` `onRetry` that reports each retry as a `bus.retry` event of `actor`: the failed port, the attempt,
 * the delay and the reason (logged and counted as every other retry).
 * @example withRetry(write, { policy, isRetriable: isRetriablePortFailure, onRetry: reportRetry(events, name) })
 */
export const reportRetry =
  (events: EventHub, actor: string) =>
  (attempt: number, delayMs: number, e: unknown): void =>
    events.emit('bus.retry', actor, {
      port: portOf(e),
      attempt,
      delayMs,
      error: describeError(e).join('; '),
    });

/**
 * The one perform / dead-letter path of the runners.
 * @example
 * const { perform, crashes } = createPerformer({ name, events, deadLetter });
 * await perform(() => port.put(x), () => d);
 * supervise({ name, events, incarnation, onCrash: crashes.onCrash });
 */
export const createPerformer = (spec: PerformerSpec): Performer => {
  const random = spec.random ?? Math.random;

  const deadLetter = async (parked: Parked, error: unknown, attempts: number): Promise<void> => {
    const cause = error instanceof Defect ? error.cause : error;
    const errorTag = !(error instanceof Defect) && isRuntimeError(error) ? error._tag : 'Defect';
    const reasons = describeError(cause);
    await spec.deadLetter({
      actor: spec.name,
      error: cause,
      source: parked.source,
      errorTag,
      reasons,
      raw: parked.raw,
      attempts,
    });
    spec.events.emit('bus.dead_lettered', spec.name, {
      ...at(parked.source),
      reason: reasons.join('; '),
      errorTag,
    });
  };

  const retryOptions = {
    policy: spec.retry ?? defaultBackoff,
    random,
    isRetriable: isRetriablePortFailure,
    onRetry: reportRetry(spec.events, spec.name),
  };

  // After the first attempt failed: the retries (the first attempt's failure replayed as attempt 1, so the policy,
  // its delays and the events are those of one `withRetry` over every attempt), then a dead letter or a defect.
  const recover = async (first: unknown, effect: () => Promise<void>, parked: () => Parked) => {
    let attempts = 1;
    try {
      await withRetry((n) => {
        if (n === 1) return Promise.reject(first);
        attempts = n;
        return effect();
      }, retryOptions);
    } catch (e) {
      if (!isRuntimeError(e)) throw new Defect(e, parked().source);
      await deadLetter(
        parked(),
        isRetriablePortFailure(e) ? retriesExhausted(attempts, e) : e,
        attempts,
      );
    }
  };

  // The first attempt alone on the path every delivery takes: no retry loop is built unless it fails (or throws
  // before returning its promise, which counts as failing).
  const perform = (effect: () => Promise<void>, parked: () => Parked): Promise<void> => {
    let first: Promise<void>;
    try {
      first = effect();
    } catch (e) {
      return recover(e, effect, parked);
    }
    return first.catch((e: unknown) => recover(e, effect, parked));
  };

  const rejectUndecodable = async (d: Delivery<unknown>, failure: DecodeFailure) => {
    spec.events.emit('bus.decode_failed', spec.name, { ...at(d.source), issues: failure.issues });
    await deadLetter(d, failure, 1);
    await d.ack();
  };

  return {
    perform,
    recover,
    deadLetter,
    rejectUndecodable,
    crashes: crashTally(spec.maxCrashesPerDelivery ?? 3, deadLetter),
  };
};

// ---------------------------------------------------------------------------------------------------------------
// crashes per delivery

/** Counts how often each delivery crashed the actor, so that one poison input cannot crash it for ever. */
export interface CrashTally {
  /** The supervisor's `onCrash`: counts a {@link Defect} against the delivery that caused it. */
  readonly onCrash: (error: unknown) => void;
  /**
   * For a delivery that crashed the actor `maxCrashesPerDelivery` times: dead-letters it as a defect, then
   * acknowledges it; undefined for any other (handle it as usual).
   */
  readonly parkIfCrashing: (d: Delivery<unknown>) => Promise<void> | undefined;
  /** A delivery handled without crashing: its count is forgotten. */
  readonly handled: (source: Source) => void;
}

const positionKey = (s: Source) => `${s.stream}/${s.shardId}/${s.sequence}/${s.subSequence}`;

/** The crash count per delivery of a runner (a restart redelivers the input that crashed it). */
const crashTally = (max: number, deadLetter: Performer['deadLetter']): CrashTally => {
  const crashes = new Map<string, number>();
  return {
    onCrash: (e) => {
      if (!(e instanceof Defect) || e.source === undefined) return;
      const key = positionKey(e.source);
      crashes.set(key, (crashes.get(key) ?? 0) + 1);
    },
    parkIfCrashing: (d) => {
      if (crashes.size === 0) return undefined;
      const key = positionKey(d.source);
      const n = crashes.get(key) ?? 0;
      if (n < max) return undefined;
      return (async () => {
        // The same input crashed the actor again and again: park it with the reason instead of looping for ever.
        await deadLetter(d, new Defect(new Error('crashed the actor repeatedly')), n);
        crashes.delete(key);
        await d.ack();
      })();
    },
    // Every delivery passes here; a key is only built while some delivery has crashed the actor.
    handled: (source) => crashes.size > 0 && crashes.delete(positionKey(source)),
  };
};
