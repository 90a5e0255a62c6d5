/**
 * The Kinesis bus: the `Bus` port on Kinesis Data Streams (AWS or kinesalite), with checkpoints and leases in
 * DynamoDB. Publishing goes through `KinesisProducer` (batching, partial-failure resends, per-shard limits, packing,
 * backpressure); each subscription runs a `Coordinator` (one KCL-style worker: leases, balancing, takeover,
 * checkpoints) and a `ShardReader` per leased shard. Settings default per target: AWS's limits for `aws`, fast
 * polling and no rate limits for `local` (emulators never throttle).
 */
import { hostname } from 'node:os';

import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Observable } from 'rxjs';

import { wireDocClient } from '../aws/dynamodb-wire.ts';
import { wireKinesis } from '../aws/kinesis-wire.ts';
import { decodeJson, encodeJson } from '../codec.ts';
import { portFailure } from '../errors.ts';
import type { EventHub } from '../events.ts';
import { type BackoffPolicy, defaultBackoff } from '../retry.ts';
import type { Bus, Delivery, RawRecord, SubscribeOptions, Topic } from './bus.ts';
import type { Encoded } from './encoded.ts';
import { PUT_RECORDS_MAX_BYTES, PUT_RECORDS_MAX_RECORDS } from './kinesis-batch.ts';
import { Coordinator, type CoordinatorSettings } from './kinesis-coordinator.ts';
import { LeaseStore } from './kinesis-leases.ts';
import {
  type Compression,
  compressionProblem,
  NO_COMPRESSION,
  PACK_LIMITS,
  RECORD_MAX_BYTES,
} from './kinesis-packing.ts';
import { KinesisProducer, type ProducerSettings } from './kinesis-producer.ts';
import { AWS_SHARD_RATE, type ShardRate } from './kinesis-rate-limit.ts';

/** Packing of small messages into one record (see `kinesis-packing.ts` for the format). */
export interface PackingOptions {
  /** Largest packed record, partition key included (≤ 1 MiB, the default). */
  readonly maxRecordBytes?: number;
  /** Most messages per record (default and most 10,000: readers refuse more, see `PACK_LIMITS`). */
  readonly maxMessages?: number;
  /**
   * Compression of the packed body (default none): worth it for wordy rows (about 10x for NYPD tickets). gzip 1
   * (fastest) to 9 (smallest); on NYPD tickets gzip 1 costs about half the CPU of 6 for 88 instead of 66 bytes per
   * row. zstd 1 to 19: readers older than zstd refuse it, see `kinesis-packing.ts`.
   */
  readonly compression?: Compression;
  /**
   * `shard` (default): messages of every key that maps to one shard share a record (the KPL's aggregation: fuller
   * records when there are many keys, e.g. one per drone). `key`: a record holds one key's messages only.
   */
  readonly scope?: 'shard' | 'key';
}

/** Producer tuning; every field has a default per target. */
export interface ProducerOptions {
  /** Pack messages of one partition key into shared records: `true` for the defaults, or options. Default off. */
  readonly packing?: boolean | PackingOptions;
  /** Per-shard write limit, or `false` for none. Default: AWS's 1 MB/s and 1,000 records/s on `aws`, none locally. */
  readonly shardRate?: ShardRate | false;
  /** PutRecords requests in flight per stream (default 4). */
  readonly maxRequestsInFlight?: number;
  /** How long a busy producer waits to fill a request (default 10 ms; an idle one sends at once). */
  readonly lingerMs?: number;
  /** Bytes held before publish() waits (default 32 MiB). */
  readonly maxBufferedBytes?: number;
  /** Messages held before publish() waits (default 100,000). */
  readonly maxBufferedMessages?: number;
  /** At most one record per key per request, for exact per-key order (default false: see `kinesis-batch.ts`). */
  readonly strictOrder?: boolean;
  /** Backoff of failed entries; `retries` bounds the attempts before publish() rejects (default 10, up to 5 s). */
  readonly retry?: BackoffPolicy;
}

/** Consumer tuning; every field has a default per target. */
export interface ConsumerOptions {
  /** A lease not renewed for this long is taken over (default 10 s). */
  readonly leaseTimeoutMs?: number;
  /** Renewal and balancing round (default a third of the lease timeout). */
  readonly leaseIntervalMs?: number;
  /**
   * Checkpoints are written at most this often per shard, and on release (default 1 s on AWS, 200 ms locally). The
   * same ticker drops leases not renewed in time, so it is held to at most a quarter of the lease timeout.
   */
  readonly checkpointIntervalMs?: number;
  /** How often shards are listed to find new ones (default 60 s on AWS, 5 s locally; at once when one ends). */
  readonly shardSyncIntervalMs?: number;
  /**
   * Least time between GetRecords calls on one shard: this application's share of AWS's 5 calls/s per shard, shared
   * by every application reading the stream (default 1,000 ms on AWS, i.e. 1/5 of it; 20 ms locally).
   */
  readonly pollIntervalMs?: number;
  /** Longest wait between polls of an idle shard (default 2 s on AWS, 200 ms locally). */
  readonly idlePollMaxMs?: number;
  /** GetRecords Limit (default 10,000, the AWS maximum). */
  readonly maxRecordsPerPoll?: number;
  /** Unacknowledged deliveries per shard when the subscription does not say (default 1,000). */
  readonly maxInFlightPerShard?: number;
  /** Backoff of transient read and lease failures (retried without end; default 300 ms up to 10 s). */
  readonly retry?: BackoffPolicy;
}

/** What `createKinesisBus` needs. */
export interface KinesisBusOptions {
  /** SDK clients (from `createAwsClients`): Kinesis with the HTTP/1.1 handler locally, and a DynamoDB document client. */
  readonly clients: { readonly kinesis: KinesisClient; readonly doc: DynamoDBDocumentClient };
  /** The leases table (`prestacop-leases`, hash key `leaseKey`). */
  readonly leaseTable: string;
  /**
   * Unique per live process (default `<host>-<pid>-<random>`). A restarted process may reuse its id: it then takes
   * its old leases back at once instead of after the lease timeout.
   */
  readonly workerId?: string;
  readonly events?: EventHub;
  /** Picks the defaults: `aws` (limits on, KCL-like timings) or `local` (emulators). Default `aws`. */
  readonly target?: 'aws' | 'local';
  readonly producer?: ProducerOptions;
  readonly consumer?: ConsumerOptions;
}

const producerSettings = (o: KinesisBusOptions): ProducerSettings => {
  const p = o.producer ?? {};
  const pack = p.packing === true ? {} : p.packing || undefined;
  return {
    maxRecordsPerRequest: PUT_RECORDS_MAX_RECORDS,
    maxBytesPerRequest: PUT_RECORDS_MAX_BYTES,
    maxRequestsInFlight: p.maxRequestsInFlight ?? 4,
    lingerMs: p.lingerMs ?? 10,
    strictOrder: p.strictOrder ?? false,
    shardRate: p.shardRate ?? (o.target === 'local' ? false : AWS_SHARD_RATE),
    packing: pack
      ? {
          maxRecordBytes: Math.min(RECORD_MAX_BYTES, pack.maxRecordBytes ?? RECORD_MAX_BYTES),
          maxMessages: Math.min(
            PACK_LIMITS.maxMessages,
            pack.maxMessages ?? PACK_LIMITS.maxMessages,
          ),
          compression: compressionOf(pack.compression),
          scope: pack.scope ?? 'shard',
        }
      : false,
    retry: p.retry ?? { ...defaultBackoff, initialMs: 100, maxMs: 5_000, retries: 10 },
    shardMapRefreshMs: 60_000,
    maxBufferedBytes: p.maxBufferedBytes ?? 32 * 1024 * 1024,
    maxBufferedMessages: p.maxBufferedMessages ?? 100_000,
  };
};

const compressionOf = (c: Compression | undefined): Compression => {
  if (c === undefined) return NO_COMPRESSION;
  const problem = compressionProblem(c);
  if (problem !== undefined) throw new Error(`producer.packing.compression: ${problem}`);
  return c;
};

const consumerSettings = (
  o: KinesisBusOptions,
  maxInFlight: number | undefined,
): CoordinatorSettings => {
  const c = o.consumer ?? {};
  const local = o.target === 'local';
  const leaseTimeoutMs = c.leaseTimeoutMs ?? 10_000;
  const retry = c.retry ?? { ...defaultBackoff, maxMs: 10_000, retries: Infinity };
  return {
    leaseTimeoutMs,
    leaseIntervalMs: c.leaseIntervalMs ?? Math.max(50, Math.floor(leaseTimeoutMs / 3)),
    checkpointIntervalMs: Math.min(
      c.checkpointIntervalMs ?? (local ? 200 : 1_000),
      Math.floor(leaseTimeoutMs / 4),
    ),
    shardSyncIntervalMs: c.shardSyncIntervalMs ?? (local ? 5_000 : 60_000),
    retry,
    reader: {
      pollIntervalMs: c.pollIntervalMs ?? (local ? 20 : 1_000),
      idlePollMaxMs: c.idlePollMaxMs ?? (local ? 200 : 2_000),
      maxRecordsPerPoll: c.maxRecordsPerPoll ?? 10_000,
      maxInFlight: maxInFlight ?? c.maxInFlightPerShard ?? 1_000,
      retry,
    },
  };
};

const defaultWorkerId = (): string =>
  `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * Creates a Kinesis bus. One per process is the rule (it holds the producer's buffer and the subscriptions).
 * @example
 * const bus = createKinesisBus({ clients, leaseTable: 'prestacop-leases', events, target: 'local' });
 * bus.subscribe(drones, { application: 'alert-system' }).subscribe((d) => void handle(d).then(d.ack));
 * await bus.publish(drones, reports);
 * await bus.close();
 */
export const createKinesisBus = (
  options: KinesisBusOptions,
): Bus & { readonly workerId: string } => {
  const workerId = options.workerId ?? defaultWorkerId();
  // The readers' polls and the leases' writes (renewals, checkpoints) on the wire: several calls a second per
  // shard, each far cheaper there than through the SDK (json-wire.ts). Everything else goes to the SDK.
  const kinesis = wireKinesis(options.clients.kinesis);
  const doc = wireDocClient(options.clients.doc);
  const producer = new KinesisProducer(producerSettings(options), {
    kinesis: options.clients.kinesis,
    events: options.events,
    actor: 'bus',
  });
  const live = new Map<Coordinator<unknown>, () => void>();
  // One worker per application and stream per bus: a second live subscription gets a suffixed owner id, and a new
  // one waits until the previous one has released its leases.
  const byKey = new Map<string, { count: number; released: Promise<void> }>();

  const subscribe = <A>(topic: Topic<A>, sub: SubscribeOptions): Observable<Delivery<A>> =>
    new Observable<Delivery<A>>((subscriber) => {
      const key = `${sub.application}#${topic.stream}`;
      const slot = byKey.get(key) ?? { count: 0, released: Promise.resolve() };
      byKey.set(key, slot);
      const me = slot.count === 0 ? workerId : `${workerId}/${slot.count}`;
      slot.count++;
      const settings = consumerSettings(options, sub.maxInFlightPerShard);
      const store = new LeaseStore(
        doc,
        options.leaseTable,
        sub.application,
        topic.stream,
        settings.leaseTimeoutMs,
      );
      const coordinator = new Coordinator<A>(settings, {
        kinesis,
        store,
        me,
        initialPosition: sub.initialPosition ?? 'trim_horizon',
        decode: decodeJson(topic.codec, topic.stream),
        deliver: (d) => subscriber.next(d),
        fail: (e) => subscriber.error(e),
        events: options.events,
      });
      live.set(coordinator as Coordinator<unknown>, () => subscriber.complete());
      const previous = slot.released;
      let cancelled = false;
      void previous.then(() => {
        if (!cancelled) coordinator.start();
      });
      return () => {
        cancelled = true;
        live.delete(coordinator as Coordinator<unknown>);
        slot.count--;
        slot.released = Promise.all([previous, coordinator.stop()]).then(() => undefined);
      };
    });

  const publishRaw = (stream: string, records: ReadonlyArray<RawRecord>): Promise<void> =>
    producer.publish(stream, records);

  const publishEncoded = <A>(topic: Topic<A>, records: ReadonlyArray<Encoded<A>>): Promise<void> =>
    producer.publish(topic.stream, records);

  const publish = async <A>(topic: Topic<A>, messages: ReadonlyArray<A>): Promise<void> => {
    let records: RawRecord[];
    try {
      records = messages.map((m) => ({
        partitionKey: topic.partitionKey(m),
        data: encodeJson(topic.codec, m),
      }));
    } catch (e) {
      throw portFailure('kinesis', e, false);
    }
    return producer.publish(topic.stream, records);
  };

  const close = async (): Promise<void> => {
    await producer.close();
    // Completing a subscriber runs its teardown, which stops the coordinator; then wait for every release.
    [...live.values()].forEach((complete) => complete());
    await Promise.all([...byKey.values()].map((slot) => slot.released));
  };

  return { subscribe, publish, publishEncoded, publishRaw, close, workerId };
};
