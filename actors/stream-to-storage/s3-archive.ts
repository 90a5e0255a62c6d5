/**
 * The archive port on S3: compressed NDJSON batches, buffered by size or time, one buffer per (type, shard),
 * partitioned by type and ingestion date/hour, keyed by shard + first sequence number of the batch + a hash of its
 * content:
 *
 *   archive/type=drone.message/day=2026-11-27/hour=18/shardId-000000000001-<firstSequence>-<sha256:16>.ndjson.gz
 *
 * A record's promise resolves when the object holding it is written, so the runtime acknowledges (and the bus
 * checkpoints) a batch only once it is durable. Writes of one shard are serialised, so a batch is checkpointed
 * before the next one is cut. After a crash, redelivered records form a new batch whose object can overlap an
 * earlier one: readers deduplicate by id and count raw copies.
 *
 * Why the content hash: two workers can hold batches of the same shard starting at the same record (a lease taken
 * over while the old owner, not yet aware, still reads, or a zombie flushing late). Keyed by first sequence alone,
 * the later write replaced the earlier object: an old owner's short batch overwrote the new owner's longer one,
 * already checkpointed, and the records in between were gone from the archive (found by the fault suite,
 * `npm run test:faults -- --scenario lease-takeover`). With the hash, different contents never share a key, and
 * the same content rewritten (a redelivery) still lands on the same object.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';

import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

import type { Settle } from '../../runtime/actor.ts';
import type { Source } from '../../runtime/bus/bus.ts';
import { isRetriablePortFailure, isRuntimeError, portFailure } from '../../runtime/errors.ts';
import type { EventHub } from '../../runtime/events.ts';
import { type BackoffPolicy, defaultBackoff, withRetry } from '../../runtime/retry.ts';
import { reportRetry } from '../../runtime/supervise.ts';

const gzip = promisify(gzipCb);

export interface ArchiveLimits {
  /** Cut a batch at this many uncompressed bytes. */
  readonly maxBytes: number;
  readonly maxRecords: number;
  /** Cut a batch this long after its first record arrived. */
  readonly maxAgeMs: number;
}

// At most half of a shard's deliveries in flight (the writer's default 5,000) per batch: a batch waits for its age
// only while the shard has room. With 50,000 a writer behind on a shard filled its in-flight bound, then stalled
// until the batch's 5 s were up, whatever the stores could take.
export const defaultArchiveLimits: ArchiveLimits = {
  maxBytes: 8 * 1024 * 1024,
  maxRecords: 2_500,
  maxAgeMs: 5_000,
};

/**
 * Appends records; each settles when its batch is written, or failed for good (a PortFailure, after the batch's own
 * retries).
 */
export interface Archive {
  readonly append: (type: string, json: string, source: Source, arrivedAt: number) => Promise<void>;
  /**
   * {@link append} for a record whose writer waits on `done` (an actor's last step): the batch keeps the line and
   * `done`, no promise.
   */
  readonly appendSettled: (
    type: string,
    json: string,
    source: Source,
    arrivedAt: number,
    done: Settle,
  ) => void;
  /** Cuts and writes every open batch. */
  readonly flush: () => Promise<void>;
  /** Objects written so far (for summaries and tests). */
  readonly written: () => number;
}

interface Batch {
  readonly type: string;
  readonly shardId: string;
  readonly firstSequence: string;
  readonly hourKey: string;
  readonly lines: string[];
  bytes: number;
  /** What waits for the batch: the `done` of each `appendSettled`, and one promise for every `append` (lazily). */
  readonly waiting: Settle[];
  written?: { readonly promise: Promise<void>; readonly settle: Settle };
  readonly timer: NodeJS.Timeout;
}

/** A promise and the {@link Settle} that settles it. */
const settled = (): NonNullable<Batch['written']> => {
  let settle!: Settle;
  const promise = new Promise<void>((resolve, reject) => {
    settle = { settle: (e) => (e === undefined ? resolve() : reject(e)) };
  });
  return { promise, settle };
};

/** A failed batch write is retried by the archive (its writers do not: they wait on the batch). */
export interface ArchiveRetry {
  /** Default {@link defaultBackoff}. */
  readonly policy?: BackoffPolicy;
  /** Told of each retry (the writer reports it as a `bus.retry` event). */
  readonly onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

/**
 * Retries reported as `bus.retry` events of `actor` (logged and counted as every other retry).
 * @example createS3Archive(s3, bucket, 'archive/', defaultArchiveLimits, retriesReported(events, 'stream-to-storage'))
 */
export const retriesReported = (events: EventHub, actor: string): ArchiveRetry => ({
  onRetry: reportRetry(events, actor),
});

/**
 * `day=YYYY-MM-DD/hour=HH` of an ingestion time, in UTC (partitions never move with daylight saving). `day`, not
 * `date`: `date` is a reserved word in Athena's DDL. Objects written before are under `date=`; readers accept both.
 */
export const hourPartition = (epochMs: number): string => {
  const iso = new Date(epochMs).toISOString();
  return `day=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
};

const HOUR_MS = 3_600_000;

/** The object key of a batch: `contentHash` tells apart batches of one shard that start at the same record. */
export const objectKey = (
  prefix: string,
  type: string,
  hourKey: string,
  shardId: string,
  firstSequence: string,
  contentHash: string,
) => `${prefix}type=${type}/${hourKey}/${shardId}-${firstSequence}-${contentHash}.ndjson.gz`;

/** The first 16 hex digits of the SHA-256 of a batch's NDJSON text. */
export const contentHash = (ndjson: Buffer): string =>
  createHash('sha256').update(ndjson).digest('hex').slice(0, 16);

/**
 * Creates the port.
 * @example const archive = createS3Archive(clients.s3, 'prestacop-archive', 'archive/');
 */
export const createS3Archive = (
  s3: S3Client,
  bucket: string,
  prefix = 'archive/',
  limits: ArchiveLimits = defaultArchiveLimits,
  options: ArchiveRetry = {},
): Archive => {
  const open = new Map<string, Batch>();
  // One write chain per (type, shard): a batch is stored before the next one of that shard is.
  const chains = new Map<string, Promise<void>>();
  let objects = 0;

  const writeBatch = async (b: Batch): Promise<void> => {
    // One flat string of the whole batch (a trailing '' gives the last newline): `${join}\n` was a second string of
    // a megabyte, made flat again by Buffer.from, each copy in fresh pages (the writer's page faults, mostly).
    const text = Buffer.from([...b.lines, ''].join('\n'), 'utf8');
    const body = await gzip(text);
    const put = new PutObjectCommand({
      Bucket: bucket,
      Key: objectKey(prefix, b.type, b.hourKey, b.shardId, b.firstSequence, contentHash(text)),
      Body: body,
      ContentType: 'application/x-ndjson',
      ContentEncoding: 'gzip',
      Metadata: { records: String(b.lines.length) },
    });
    await withRetry(
      () => s3.send(put).catch((e: unknown) => Promise.reject(portFailure('s3', e))),
      {
        policy: options.policy ?? defaultBackoff,
        isRetriable: isRetriablePortFailure,
        ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      },
    );
    objects++;
  };

  const settleBatch = (b: Batch, error?: unknown) => {
    for (const done of b.waiting) done.settle(error);
    b.written?.settle.settle(error);
  };

  const cut = (key: string): Promise<void> => {
    const b = open.get(key);
    if (!b) return chains.get(key) ?? Promise.resolve();
    open.delete(key);
    clearTimeout(b.timer);
    const chainKey = `${b.type}/${b.shardId}`;
    const next = (chains.get(chainKey) ?? Promise.resolve())
      .then(() => writeBatch(b))
      .then(
        () => settleBatch(b),
        (e: unknown) => settleBatch(b, isRuntimeError(e) ? e : portFailure('s3', e)),
      );
    chains.set(chainKey, next);
    return next;
  };

  // The partition of the last hour seen: every message asks, and almost all of them fall in the same hour.
  let lastHour = { start: 0, end: 0, key: '' };
  const partitionOf = (arrivedAt: number): string => {
    if (arrivedAt < lastHour.start || arrivedAt >= lastHour.end) {
      const start = arrivedAt - (((arrivedAt % HOUR_MS) + HOUR_MS) % HOUR_MS);
      lastHour = { start, end: start + HOUR_MS, key: hourPartition(arrivedAt) };
    }
    return lastHour.key;
  };

  // The open batch of a record's (type, shard), with the record in it; cut when full.
  const add = (type: string, json: string, source: Source, arrivedAt: number, done?: Settle) => {
    const hourKey = partitionOf(arrivedAt);
    const key = `${type}/${source.shardId}`;
    let b = open.get(key);
    if (b && b.hourKey !== hourKey) {
      void cut(key);
      b = undefined;
    }
    if (!b) {
      b = {
        type,
        shardId: source.shardId,
        firstSequence:
          source.subSequence > 0 ? `${source.sequence}.${source.subSequence}` : source.sequence,
        hourKey,
        lines: [],
        bytes: 0,
        waiting: [],
        timer: setTimeout(() => void cut(key), limits.maxAgeMs),
      };
      open.set(key, b);
    }
    b.lines.push(json);
    b.bytes += json.length + 1;
    if (done) b.waiting.push(done);
    else b.written ??= settled();
    // Read before a cut: the batch is settled later, but `written` must be the promise of this batch.
    const written = b.written?.promise;
    if (b.bytes >= limits.maxBytes || b.lines.length >= limits.maxRecords) void cut(key);
    return written;
  };

  return {
    append: (type, json, source, arrivedAt) => add(type, json, source, arrivedAt)!,
    appendSettled: (type, json, source, arrivedAt, done) =>
      void add(type, json, source, arrivedAt, done),
    flush: async () => {
      await Promise.all([...open.keys()].map(cut));
      await Promise.all([...chains.values()]);
    },
    written: () => objects,
  };
};
