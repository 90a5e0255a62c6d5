/**
 * The alarm events into the archive: stream-to-storage's own SQS queue on the alarm topic (raw delivery, filtered
 * on the `type` attribute: config/resources.json `queues.alarmArchive`) carries `alarm.raised` (alert-system) and
 * `alarm.escalated` (operator-console), and `alarm.resolved` when a console publishes its decisions there. Each
 * body is decoded with its io-ts codec (`AlarmEvent`) and archived like a drone message, gzip NDJSON batches of
 * the archive port (s3-archive.ts):
 *
 *   archive/type=alarm.raised/day=2026-11-27/hour=18/sqs-<first arrival ms>-<sha256:16>.ndjson.gz
 *
 * The bus's acknowledgement rules, on a queue (runtime/aws/sqs-input.ts): a message is deleted only once the object
 * holding its event is written, or once its dead letter is; an archive or dead-letter write that fails leaves it on
 * the queue, and SQS hands it out again after its visibility timeout. A redelivery archives a second raw copy:
 * readers and the compaction deduplicate by id, as for drone messages.
 *
 * Bounds: a body over `maxBodyBytes` is dead-lettered unread; at most `maxInFlight` (500) messages are in flight,
 * taken by one receive loop that keeps receiving while there is room, so in-flight bodies hold at most
 * `maxInFlight` × `maxBodyBytes` (500 × 64 KiB by default); a batch is cut at the archive's byte, record (250: half
 * of `maxInFlight`, so a full batch is written at once rather than at its age) and age limits, so no message waits
 * longer than `maxAgeMs` (5 s) for its object. Throughput: at least `maxInFlight` / `maxAgeMs` (100 events a
 * second) even when batches only ever cut on age (the events spread over the three types), otherwise bounded by the
 * S3 writes of 250-record batches (one at a time per type). Two loops of ten, each waiting for its ten before the
 * next receive, archived at most 4 a second. The age must stay well below the queue's visibility timeout (SQS's
 * default 30 s, which Terraform keeps): a body handed out again while its batch waits is archived twice, and the
 * first receive's delete may not take (its receipt handle is stale), so the body goes round again.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';

import type { AwsClients } from '../../runtime/aws/clients.ts';
import { queueUrlOf } from '../../runtime/aws/lookup.ts';
import {
  type BodyDeadLetters,
  createS3BodyDeadLetters,
} from '../../runtime/aws/s3-dead-letters.ts';
import { receiveQueue } from '../../runtime/aws/sqs-input.ts';
import { decodeJson, E, withMaxBytes } from '../../runtime/codec.ts';
import type { DecodeFailure } from '../../runtime/errors.ts';
import type { EventHub } from '../../runtime/events.ts';
import { AlarmEvent } from '../protocol/alarm.ts';
import {
  type Archive,
  type ArchiveLimits,
  createS3Archive,
  defaultArchiveLimits,
  retriesReported,
} from './s3-archive.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** The actor name on events, logs and dead letters (`dead-letter/actor=stream-to-storage.alarms/...`). */
export const ALARM_ARCHIVE_ACTOR = 'stream-to-storage/alarms';

/** The largest body read by default: an alarm event is under 2 KiB; SQS itself allows 256 KiB. */
export const DEFAULT_MAX_ALARM_BODY_BYTES = 64 * 1024;

/** The most alarm bodies handled at once by default: a batch of the archive is cut at half of it. */
export const DEFAULT_ALARM_MAX_IN_FLIGHT = 500;

/**
 * The alarm archive's batch bounds: {@link defaultArchiveLimits}, cut at half of the in-flight bound so that a full
 * batch is written at once, and the next one fills meanwhile, rather than both waiting for their age.
 */
export const alarmArchiveLimits: ArchiveLimits = {
  ...defaultArchiveLimits,
  maxRecords: DEFAULT_ALARM_MAX_IN_FLIGHT / 2,
};

/** The ports and bounds of one body's handling. */
export interface AlarmArchiveDeps {
  readonly archive: Archive;
  readonly deadLetters: BodyDeadLetters;
  readonly events: EventHub;
  /** The queue's name, on events (the dead letter of a body has no bus position). */
  readonly queue: string;
  readonly now: () => number;
  /** Bodies larger than this (UTF-8 bytes) are dead-lettered unread (default {@link DEFAULT_MAX_ALARM_BODY_BYTES}). */
  readonly maxBodyBytes?: number;
}

/** A running input. */
export interface AlarmArchiveInput {
  /** Stops receiving, cuts the open batches, and resolves once every handled message was deleted. */
  readonly stop: () => Promise<void>;
  /** Bodies dead-lettered so far (each counted once its letter was written). */
  readonly deadLettered: () => number;
  /** Events archived so far (each counted once its object was written). */
  readonly archived: () => number;
}

// ---------------------------------------------------------------------------------------------------------------
// behaviour

/**
 * What one body does: archive its event, or dead-letter it with the reasons. Resolves when that is durable (then
 * the queue input deletes the message); rejects when neither could be written (the message stays on the queue).
 * `counts` is called after each outcome.
 *
 * @example
 * const handle = alarmArchiveHandler(deps, { archived: () => n++, deadLettered: () => bad++ });
 * await handle(JSON.stringify(alarmRaised));
 */
export const alarmArchiveHandler = (
  deps: AlarmArchiveDeps,
  counts: { readonly archived: () => void; readonly deadLettered: () => void },
): ((body: string) => Promise<void>) => {
  const decode = decodeJson(
    withMaxBytes(AlarmEvent, deps.maxBodyBytes ?? DEFAULT_MAX_ALARM_BODY_BYTES),
    deps.queue,
  );
  return async (body) => {
    const arrivedAt = deps.now();
    const decoded = decode(body);
    if (E.isLeft(decoded)) return deadLetter(deps, body, decoded.left, counts.deadLettered);
    const event = decoded.right;
    // A queue has no shards nor sequence numbers: one batch per type, named by its first arrival (the content
    // hash in the key tells two batches of one millisecond apart).
    const source = {
      stream: deps.queue,
      shardId: 'sqs',
      sequence: String(arrivedAt),
      subSequence: 0,
    };
    await deps.archive.append(
      event.type,
      JSON.stringify(AlarmEvent.encode(event)),
      source,
      arrivedAt,
    );
    counts.archived();
  };
};

const deadLetter = async (
  deps: AlarmArchiveDeps,
  body: string,
  failure: DecodeFailure,
  counted: () => void,
): Promise<void> => {
  await deps.deadLetters.put(body, failure.issues);
  counted();
  deps.events.emit('bus.dead_lettered', ALARM_ARCHIVE_ACTOR, {
    stream: deps.queue,
    shardId: 'sqs',
    sequence: '',
    subSequence: 0,
    reason: failure.issues.join('; ').slice(0, 500),
    errorTag: failure._tag,
  });
};

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * Starts archiving the queue at `queueUrl`.
 * @example
 * const input = startAlarmArchive(clients.sqs, queueUrl, { archive, deadLetters, events, queue, now: Date.now });
 * await input.stop();
 */
export const startAlarmArchive = (
  sqs: SQSClient,
  queueUrl: string,
  deps: AlarmArchiveDeps,
  options: {
    /** Receive loops side by side (default 1: one ReceiveMessage a second when the queue is idle). */
    readonly receivers?: number;
    /**
     * The most bodies handled at once over all loops (default {@link DEFAULT_ALARM_MAX_IN_FLIGHT}): with the
     * archive's record cut at half of it, at least this many events a `maxAgeMs`. Memory: this × `maxBodyBytes`.
     */
    readonly maxInFlight?: number;
    /** Long-poll wait per call in seconds (default 1: also bounds how long stop() takes). */
    readonly waitSeconds?: number;
    readonly onError?: (e: unknown) => void;
  } = {},
): AlarmArchiveInput => {
  let archived = 0;
  let deadLettered = 0;
  const handle = alarmArchiveHandler(deps, {
    archived: () => void archived++,
    deadLettered: () => void deadLettered++,
  });
  const input = receiveQueue(sqs, queueUrl, handle, {
    concurrent: true,
    receivers: options.receivers ?? 1,
    maxInFlight: options.maxInFlight ?? DEFAULT_ALARM_MAX_IN_FLIGHT,
    ...(options.waitSeconds === undefined ? {} : { waitSeconds: options.waitSeconds }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  });
  return {
    stop: async () => {
      // The last receives' handlers wait on open batches: cut them as they come rather than at their timers.
      let done = false;
      const stopped = input.stop().finally(() => (done = true));
      while (!done) {
        await deps.archive.flush();
        await Promise.race([stopped, new Promise((r) => setTimeout(r, 50))]);
      }
      await stopped;
    },
    deadLettered: () => deadLettered,
    archived: () => archived,
  };
};

/**
 * The input on real clients, as stream-to-storage's declaration wires it: the queue by name or URL,
 * its own archive port (batches of its own, {@link alarmArchiveLimits}) and dead letters in `bucket`.
 * @example const alarms = await launchAlarmArchive(clients, { bucket, queue: cfg.alarmQueue, events });
 */
export const launchAlarmArchive = async (
  clients: Pick<AwsClients, 'sqs' | 's3'>,
  cfg: {
    readonly bucket: string;
    readonly queue: string;
    readonly events: EventHub;
    readonly maxBodyBytes?: number;
    /**
     * The batches' bounds (default {@link alarmArchiveLimits}: records cut at 250); their age must stay below the
     * queue's visibility timeout.
     */
    readonly limits?: Partial<ArchiveLimits>;
    readonly onError?: (e: unknown) => void;
  },
): Promise<AlarmArchiveInput> => {
  const queueUrl = await queueUrlOf(clients.sqs, cfg.queue);
  return startAlarmArchive(
    clients.sqs,
    queueUrl,
    {
      archive: createS3Archive(
        clients.s3,
        cfg.bucket,
        'archive/',
        { ...alarmArchiveLimits, ...cfg.limits },
        retriesReported(cfg.events, ALARM_ARCHIVE_ACTOR),
      ),
      deadLetters: createS3BodyDeadLetters(clients.s3, cfg.bucket, Date.now, {
        actor: ALARM_ARCHIVE_ACTOR,
        input: queueUrl.split('/').pop() ?? cfg.queue,
      }),
      events: cfg.events,
      queue: queueUrl.split('/').pop() ?? cfg.queue,
      now: Date.now,
      ...(cfg.maxBodyBytes === undefined ? {} : { maxBodyBytes: cfg.maxBodyBytes }),
    },
    cfg.onError === undefined ? {} : { onError: cfg.onError },
  );
};
