/**
 * The bus port: what actors and the runtime know of the stream. Two adapters implement it, `memory.ts` (tests,
 * single process) and `kinesis.ts` (local emulator or AWS), and both pass `bus.contract.ts`.
 *
 * Delivery is at least once. A consumer acknowledges each delivery after its effects succeeded (or after it was
 * dead-lettered); the adapter advances the checkpoint of a shard only to the newest sequence before which every
 * delivery was acknowledged, so an unacknowledged delivery is redelivered after a restart.
 */
import type { Observable } from 'rxjs';

import type { E, t } from '../codec.ts';
import type { DecodeFailure } from '../errors.ts';
import type { Encoded } from './encoded.ts';

/** A typed stream: the physical stream name (from config, never hard-coded), its codec and partitioning. */
export interface Topic<A> {
  /** Physical stream name, e.g. `prestacop-drones`. */
  readonly stream: string;
  /** Codec applied at the edge: published values are encoded with it, deliveries decoded. */
  readonly codec: t.Type<A, unknown, unknown>;
  /** Partition key: all messages with one key land on one shard, in order (per drone, per source file). */
  readonly partitionKey: (a: A) => string;
}

/** Where a delivery came from: enough to find it again, and to name it in a dead letter. */
export interface Source {
  readonly stream: string;
  readonly shardId: string;
  /** Sequence number of the record (Kinesis) or offset (memory). */
  readonly sequence: string;
  /** Position inside a packed record (0 when the record holds one message). */
  readonly subSequence: number;
}

/** One message as received: decoded or not, never thrown. */
export interface Delivery<A> {
  readonly payload: E.Either<DecodeFailure, A>;
  readonly source: Source;
  /** The message's own bytes (for dead letters). */
  readonly raw: Uint8Array;
  /** When the stream accepted the record (epoch ms): lag = now - arrivedAt. */
  readonly arrivedAt: number;
  /**
   * Marks the delivery done. Call it only after the effects succeeded or the delivery was dead-lettered. Resolves
   * when the acknowledgement is recorded (the checkpoint itself may be written later, in batches).
   */
  readonly ack: () => Promise<void>;
}

/** How a consumer application reads a topic. */
export interface SubscribeOptions {
  /** Consumer application: each application has its own checkpoints and leases (e.g. `stream-to-storage`). */
  readonly application: string;
  /** Where an application with no checkpoint starts. Default `trim_horizon` (everything retained). */
  readonly initialPosition?: 'trim_horizon' | 'latest';
  /** Deliveries handed out but not yet acknowledged, per shard, before the adapter stops reading (backpressure). */
  readonly maxInFlightPerShard?: number;
}

/** The port. Adapters are created by `createMemoryBus` or `createKinesisBus`. */
export interface Bus {
  /**
   * Deliveries of a topic for one consumer application, from its checkpoints. Unsubscribing stops reading and
   * releases leases; deliveries not acknowledged by then are redelivered to the next subscriber.
   */
  readonly subscribe: <A>(topic: Topic<A>, options: SubscribeOptions) => Observable<Delivery<A>>;
  /**
   * Publishes messages; resolves when every one of them is accepted by the stream (a partial failure is retried
   * for the failed entries only); rejects with a PortFailure after retries are exhausted.
   */
  readonly publish: <A>(topic: Topic<A>, messages: ReadonlyArray<A>) => Promise<void>;
  /**
   * {@link publish} for messages encoded ahead (`encoded.ts`: by the topic's codec or by a fast encoding proven
   * equal to it), so a producer of many messages can encode them where and when it likes. Same acceptance and
   * failures as `publish`.
   */
  readonly publishEncoded: <A>(
    topic: Topic<A>,
    records: ReadonlyArray<Encoded<A>>,
  ) => Promise<void>;
  /** Publishes bytes as they are, bypassing the codec: for tests of poison input and for replays. */
  readonly publishRaw: (stream: string, records: ReadonlyArray<RawRecord>) => Promise<void>;
  /** Flushes pending publishes and checkpoints, then stops every subscription. */
  readonly close: () => Promise<void>;
}

export interface RawRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/** Builds a topic. @example `const drones = topic('prestacop-drones', DroneMessage, (m) => m.droneId)` */
export const topic = <A>(
  stream: string,
  codec: t.Type<A, unknown, unknown>,
  partitionKey: (a: A) => string,
): Topic<A> => ({ stream, codec, partitionKey });
