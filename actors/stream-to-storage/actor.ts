/**
 * The storage writer, declared (runtime/launcher.ts): the drone and history streams and the alarm archive queue
 * in, the hot table and the archive out. `main.ts` launches it; its options are declared here once (flags, env, `--help`, the README table).
 */
import { wireDocClient } from '../../runtime/aws/dynamodb-wire.ts';
import { KMS, LEASE_ACTIONS, READ_STREAM_ACTIONS } from '../../runtime/aws/iam.ts';
import { createS3DeadLetters } from '../../runtime/aws/s3-dead-letters.ts';
import { NonEmptyString, NonNegativeInt, PositiveInt } from '../../runtime/codec.ts';
import { consumerBus, defineActor } from '../../runtime/launcher.ts';
import { option, optional, optionGroup } from '../../runtime/options.ts';
import { loadResourcesOrThrow } from '../protocol/index.ts';
import {
  bucketOption,
  droneStreamOption,
  historyStreamOption,
  leaseTableOption,
  messagesTableOption,
} from '../protocol/options.ts';
import { DEFAULT_CLOCK_WINDOW } from '../protocol/time.ts';
import { launchAlarmArchive } from './alarm-archive.ts';
import { createDynamoTable } from './dynamo-table.ts';
import { createS3Archive, defaultArchiveLimits, retriesReported } from './s3-archive.ts';
import { APPLICATION, startStorageWriter, storageConsumerOptions } from './service.ts';

const spec = loadResourcesOrThrow();

/** `--retention-hours`: the hot table's TTL (the swarm declares it too). */
export const retentionHoursOption = option(PositiveInt, {
  doc: 'hot table TTL after ingestion',
  env: 'PRESTACOP_RETENTION_HOURS',
  default: '168',
});

/** Its own options (the launcher adds the AWS and ops ones). */
export const storageOptions = optionGroup({
  droneStream: droneStreamOption,
  historyStream: historyStreamOption,
  messagesTable: messagesTableOption,
  leaseTable: leaseTableOption,
  bucket: bucketOption('archive bucket'),
  alarmQueue: option(NonEmptyString, {
    doc: 'SQS queue on the alarm topic (raw delivery) whose alarm events are archived (name or URL)',
    env: 'PRESTACOP_ALARM_ARCHIVE_QUEUE',
    default: spec.queues.alarmArchive.name,
    deploy: 'queues.alarmArchive.url',
  }),
  retentionHours: retentionHoursOption,
  clockBehindMs: option(NonNegativeInt, {
    doc: 'a drone time further behind its arrival on the stream is stored with timeSuspect: true',
    env: 'PRESTACOP_CLOCK_BEHIND_MS',
    default: String(DEFAULT_CLOCK_WINDOW.behindMs),
  }),
  clockAheadMs: option(NonNegativeInt, {
    doc: 'a drone time further ahead of its arrival on the stream is stored with timeSuspect: true',
    env: 'PRESTACOP_CLOCK_AHEAD_MS',
    default: String(DEFAULT_CLOCK_WINDOW.aheadMs),
  }),
  workerId: optional(NonEmptyString, {
    doc: 'lease owner id (default host-pid-random)',
    env: 'PRESTACOP_WORKER_ID',
  }),
});

/** The storage writer: `launch(streamToStorage)`. */
export const streamToStorage = defineActor({
  name: APPLICATION,
  summary:
    'consumes the drone and history streams and the alarm archive queue; upserts drone messages into DynamoDB (TTL) and archives everything to S3',
  options: storageOptions,
  deploy: {
    opsPort: 9102,
    statements: [
      {
        Sid: 'ReadStreams',
        Action: READ_STREAM_ACTIONS,
        Resource: ['streams.drones.arn', 'streams.history.arn'],
      },
      { Sid: 'Leases', Action: LEASE_ACTIONS, Resource: ['tables.leases.arn'] },
      // Its queue on the alarm topic (alarm-archive.ts): ReceiveMessage, DeleteMessageBatch (= sqs:DeleteMessage).
      {
        Sid: 'AlarmArchiveQueue',
        Action: ['sqs:DeleteMessage', 'sqs:ReceiveMessage'],
        Resource: ['queues.alarmArchive.arn'],
      },
      {
        Sid: 'UpsertMessages',
        Action: ['dynamodb:BatchWriteItem'],
        Resource: ['tables.messages.arn'],
      },
      {
        Sid: 'ArchiveAndDeadLetters',
        Action: ['s3:PutObject'],
        Resource: ['bucket.arn/archive/*', 'bucket.arn/dead-letter/*'],
      },
    ],
    kms: { kinesis: KMS.readStream, s3: KMS.putObject, sqs: ['kms:Decrypt'] },
  },
  start: async (ctx, cfg) => {
    const { clients, events } = ctx;
    const alarms = await launchAlarmArchive(clients, {
      bucket: cfg.bucket,
      queue: cfg.alarmQueue,
      events,
    });
    const bus = consumerBus(ctx, cfg, storageConsumerOptions(cfg.target));
    const deadLetter = createS3DeadLetters(clients.s3, cfg.bucket, Date.now);
    const writer = startStorageWriter({
      bus,
      events,
      table: createDynamoTable(wireDocClient(clients.doc, clients.dynamodb), cfg.messagesTable),
      archive: createS3Archive(
        clients.s3,
        cfg.bucket,
        'archive/',
        defaultArchiveLimits,
        retriesReported(events, APPLICATION),
      ),
      deadLetter,
      streams: { drones: cfg.droneStream, history: cfg.historyStream },
      retentionSeconds: cfg.retentionHours * 3_600,
      clockWindow: { behindMs: cfg.clockBehindMs, aheadMs: cfg.clockAheadMs },
    });
    return {
      healthy: writer.healthy,
      stop: async () => (await Promise.all([writer.stop(), alarms.stop()]), await bus.close()),
      deadLetters: deadLetter.count,
    };
  },
});
