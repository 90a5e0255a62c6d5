/**
 * The in-memory bus: the same port as Kinesis, inside one process. For behaviour tests, the contract suite and
 * single-process demos. It keeps shards, per-application checkpoints and at-least-once redelivery, so what passes
 * here exercises the same acknowledgement rules as the Kinesis adapter; it does not share shards between two
 * live subscribers of one application (no leases), so each of them sees every shard.
 */
import { Observable } from 'rxjs';

import { decodeJson, encodeJson } from '../codec.ts';
import type { Bus, Delivery, RawRecord, SubscribeOptions, Topic } from './bus.ts';
import { ShardAckTracker } from './checkpointer.ts';
import type { Encoded } from './encoded.ts';

interface StoredRecord {
  readonly sequence: number;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly arrivedAt: number;
}

/** The storage behind one or more memory buses: reopening a bus on the same backend is a process restart. */
export interface MemoryBackend {
  readonly shardsPerStream: number;
  readonly streams: Map<string, StoredRecord[][]>;
  /** application → stream → shard index → last checkpointed sequence. */
  readonly checkpoints: Map<string, Map<string, Map<number, number>>>;
  readonly listeners: Set<() => void>;
  readonly now: () => number;
}

/** Creates the storage; `shardsPerStream` mirrors the Kinesis stream layout (default 4). */
export const createMemoryBackend = (
  options: { shardsPerStream?: number; now?: () => number } = {},
): MemoryBackend => ({
  shardsPerStream: options.shardsPerStream ?? 4,
  streams: new Map(),
  checkpoints: new Map(),
  listeners: new Set(),
  now: options.now ?? Date.now,
});

/** A stable hash of the partition key to a shard, as Kinesis hashes keys into shard ranges. */
const shardOf = (key: string, shards: number): number => {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return (h >>> 0) % shards;
};

const shardsOf = (backend: MemoryBackend, stream: string): StoredRecord[][] => {
  let shards = backend.streams.get(stream);
  if (!shards) {
    shards = Array.from({ length: backend.shardsPerStream }, () => []);
    backend.streams.set(stream, shards);
  }
  return shards;
};

const checkpointsOf = (
  backend: MemoryBackend,
  app: string,
  stream: string,
): Map<number, number> => {
  let byStream = backend.checkpoints.get(app);
  if (!byStream) backend.checkpoints.set(app, (byStream = new Map<string, Map<number, number>>()));
  let byShard = byStream.get(stream);
  if (!byShard) byStream.set(stream, (byShard = new Map<number, number>()));
  return byShard;
};

/**
 * Creates a memory bus on a backend (a new one by default).
 * @example
 * const backend = createMemoryBackend();
 * const bus = createMemoryBus(backend);
 * await bus.publish(drones, [msg]);
 * bus.subscribe(drones, { application: 'alert-system' }).subscribe((d) => void d.ack());
 */
export const createMemoryBus = (backend: MemoryBackend = createMemoryBackend()): Bus => {
  const closers = new Set<() => void>();
  let nextSeq = 1;

  const append = (stream: string, records: ReadonlyArray<RawRecord>): void => {
    const shards = shardsOf(backend, stream);
    for (const r of records) {
      const shard = shards[shardOf(r.partitionKey, shards.length)]!;
      shard.push({
        sequence: nextSeq++,
        partitionKey: r.partitionKey,
        data: r.data,
        arrivedAt: backend.now(),
      });
    }
    // Deliver asynchronously: a publisher never runs consumer code inside its own call.
    queueMicrotask(() => backend.listeners.forEach((l) => l()));
  };

  const publishRaw = (stream: string, records: ReadonlyArray<RawRecord>): Promise<void> => {
    append(stream, records);
    return Promise.resolve();
  };

  const publishEncoded = <A>(topic: Topic<A>, records: ReadonlyArray<Encoded<A>>): Promise<void> =>
    publishRaw(topic.stream, records);

  const publish = <A>(topic: Topic<A>, messages: ReadonlyArray<A>): Promise<void> => {
    try {
      return publishRaw(
        topic.stream,
        messages.map((m) => ({
          partitionKey: topic.partitionKey(m),
          data: encodeJson(topic.codec, m),
        })),
      );
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  };

  const subscribe = <A>(topic: Topic<A>, options: SubscribeOptions): Observable<Delivery<A>> =>
    new Observable<Delivery<A>>((subscriber) => {
      const shards = shardsOf(backend, topic.stream);
      const checkpoints = checkpointsOf(backend, options.application, topic.stream);
      const limit = options.maxInFlightPerShard ?? 1_000;
      const decode = decodeJson(topic.codec, topic.stream);
      // Cursor per shard = index of the next record to hand out (records are append-only, sequences ascend).
      const startAt = (i: number): number => {
        const shard = shards[i]!;
        const cp = checkpoints.get(i);
        if (cp === undefined) return options.initialPosition === 'latest' ? shard.length : 0;
        const next = shard.findIndex((r) => r.sequence > cp);
        return next === -1 ? shard.length : next;
      };
      const cursors = shards.map((_, i) => startAt(i));
      const trackers = shards.map(() => new ShardAckTracker());
      let closed = false;

      const pump = (): void => {
        for (let i = 0; i < shards.length && !closed; i++) {
          const shard = shards[i]!;
          const tracker = trackers[i]!;
          while (cursors[i]! < shard.length) {
            if (closed || tracker.inFlight >= limit) break;
            const record = shard[cursors[i]!]!;
            cursors[i] = cursors[i]! + 1;
            const done = tracker.track({
              sequence: String(record.sequence),
              subSequence: 0,
              lastInRecord: true,
            });
            subscriber.next({
              payload: decode(record.data),
              source: {
                stream: topic.stream,
                shardId: `shard-${i}`,
                sequence: String(record.sequence),
                subSequence: 0,
              },
              raw: record.data,
              arrivedAt: record.arrivedAt,
              ack: () => {
                done();
                const cp = tracker.checkpoint;
                // A closed subscription's late acks must not move checkpoints its successor already reads from.
                if (cp && !closed) checkpoints.set(i, Number(cp.sequence));
                if (!closed) queueMicrotask(pump);
                return Promise.resolve();
              },
            });
          }
        }
      };

      backend.listeners.add(pump);
      const close = () => {
        closed = true;
        backend.listeners.delete(pump);
        subscriber.complete();
      };
      closers.add(close);
      queueMicrotask(pump);
      return () => {
        closed = true;
        backend.listeners.delete(pump);
        closers.delete(close);
      };
    });

  return {
    subscribe,
    publish,
    publishEncoded,
    publishRaw,
    close: () => {
      [...closers].forEach((c) => c());
      closers.clear();
      return Promise.resolve();
    },
  };
};
