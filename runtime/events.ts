/**
 * The runtime's inspection stream (STYLE §7, after xstate `inspect` and kafkajs instrumentation): every part of
 * the runtime reports what it does here, and logs, metrics, the status line and tests subscribe.
 */
import type { Observable } from 'rxjs';
import { Subject } from 'rxjs';

/**
 * Where a delivery came from, on the events (and so the log lines) about it: the bus's `Source`, so a dead letter's
 * log line names the same record as its S3 object (`subSequence` is the index inside a packed record, 0 otherwise).
 */
interface DeliveryAt {
  readonly stream: string;
  readonly shardId: string;
  readonly sequence: string;
  readonly subSequence: number;
}

interface EventPayloads {
  'actor.started': { readonly instance: string };
  'actor.stopped': { readonly reason: string };
  'actor.crashed': {
    readonly error: ReadonlyArray<string>;
    readonly restartInMs: number;
    readonly restarts: number;
  };
  'actor.processed': { readonly count: number };
  'bus.published': { readonly stream: string; readonly records: number; readonly bytes: number };
  'bus.publish_retry': {
    readonly stream: string;
    readonly failed: number;
    readonly attempt: number;
    readonly delayMs: number;
  };
  'bus.decode_failed': DeliveryAt & { readonly issues: ReadonlyArray<string> };
  'bus.dead_lettered': DeliveryAt & { readonly reason: string; readonly errorTag: string };
  'bus.retry': {
    readonly port: string;
    readonly attempt: number;
    readonly delayMs: number;
    readonly error: string;
  };
  'bus.checkpointed': {
    readonly stream: string;
    readonly shardId: string;
    readonly sequence: string;
  };
  'bus.lag': { readonly stream: string; readonly shardId: string; readonly millisBehind: number };
  'bus.lease_acquired': {
    readonly stream: string;
    readonly shardId: string;
    readonly owner: string;
  };
  'bus.lease_lost': {
    readonly stream: string;
    readonly shardId: string;
    readonly owner: string;
    readonly reason: string;
  };
  'bus.shard_ended': { readonly stream: string; readonly shardId: string };
  'port.failed': { readonly port: string; readonly retriable: boolean; readonly error: string };
}

/** Every event type the runtime emits. */
export type RuntimeEventType = keyof EventPayloads;

/** One event: `{ type, at, actor, payload }` with a payload typed by `type`. */
export type RuntimeEvent = {
  [K in RuntimeEventType]: {
    readonly type: K;
    readonly at: number;
    readonly actor: string;
    readonly payload: EventPayloads[K];
  };
}[RuntimeEventType];

/** Payload of one event type. */
export type PayloadOf<K extends RuntimeEventType> = EventPayloads[K];

/** A place to emit events to and subscribe from. One per process, passed to every runtime part. */
export interface EventHub {
  readonly events$: Observable<RuntimeEvent>;
  readonly emit: <K extends RuntimeEventType>(
    type: K,
    actor: string,
    payload: EventPayloads[K],
  ) => void;
}

/**
 * Creates a hub. `now` is injected so tests control time.
 * @example
 * const hub = createEventHub();
 * hub.events$.subscribe((e) => log.debug(e));
 * hub.emit('actor.started', 'alert-system', { instance: 'host-1' });
 */
export const createEventHub = (now: () => number = Date.now): EventHub => {
  // A Subject is the right tool here: the hub is a multicast point, outside any actor (STYLE §10).
  const subject = new Subject<RuntimeEvent>();
  return {
    events$: subject.asObservable(),
    emit: (type, actor, payload) =>
      subject.next({ type, at: now(), actor, payload } as RuntimeEvent),
  };
};
