/** `npm run stream-to-storage -- --help`: the storage writer as its own service. */
import '../../runtime/node-version.ts';

import {
  AwsOptions,
  awsOptionSpecs,
  OpsOptions,
  opsOptionSpecs,
} from '../../runtime/aws/options.ts';
import { createS3DeadLetters } from '../../runtime/aws/s3-dead-letters.ts';
import { createKinesisBus } from '../../runtime/bus/kinesis.ts';
import { NonEmptyString, NonNegativeInt, PositiveInt, t } from '../../runtime/codec.ts';
import { configOrExit } from '../../runtime/config.ts';
import { runService } from '../../runtime/service.ts';
import { loadResourcesOrThrow } from '../protocol/index.ts';
import { DEFAULT_CLOCK_WINDOW } from '../protocol/time.ts';
import { createDynamoTable } from './dynamo-table.ts';
import { createS3Archive } from './s3-archive.ts';
import { APPLICATION, startStorageWriter, storageConsumerOptions } from './service.ts';

const spec = loadResourcesOrThrow();
const Config = t.intersection([
  AwsOptions,
  OpsOptions,
  t.type({
    droneStream: NonEmptyString,
    historyStream: NonEmptyString,
    messagesTable: NonEmptyString,
    leaseTable: NonEmptyString,
    bucket: NonEmptyString,
    retentionHours: PositiveInt,
    clockBehindMs: NonNegativeInt,
    clockAheadMs: NonNegativeInt,
    workerId: t.union([NonEmptyString, t.undefined]),
  }),
]);

const cfg = configOrExit(
  {
    name: APPLICATION,
    summary:
      'consumes the drone and history streams; upserts drone messages into DynamoDB (TTL) and archives everything to S3',
    codec: Config,
    options: {
      'drone-stream': {
        type: 'string',
        doc: 'drone stream',
        env: 'PRESTACOP_DRONE_STREAM',
        default: spec.streams.drones.name,
      },
      'history-stream': {
        type: 'string',
        doc: 'NYPD history stream',
        env: 'PRESTACOP_HISTORY_STREAM',
        default: spec.streams.history.name,
      },
      'messages-table': {
        type: 'string',
        doc: 'hot messages table',
        env: 'PRESTACOP_MESSAGES_TABLE',
        default: spec.tables.messages.name,
      },
      'lease-table': {
        type: 'string',
        doc: 'leases and checkpoints table',
        env: 'PRESTACOP_LEASE_TABLE',
        default: spec.tables.leases.name,
      },
      bucket: {
        type: 'string',
        doc: 'archive bucket',
        env: 'PRESTACOP_BUCKET',
        default: spec.buckets.archive.name,
      },
      'retention-hours': {
        type: 'string',
        doc: 'hot table TTL after ingestion',
        env: 'PRESTACOP_RETENTION_HOURS',
        default: '168',
      },
      'clock-behind-ms': {
        type: 'string',
        doc: 'a drone time further behind its arrival on the stream is stored with timeSuspect: true',
        env: 'PRESTACOP_CLOCK_BEHIND_MS',
        default: String(DEFAULT_CLOCK_WINDOW.behindMs),
      },
      'clock-ahead-ms': {
        type: 'string',
        doc: 'a drone time further ahead of its arrival on the stream is stored with timeSuspect: true',
        env: 'PRESTACOP_CLOCK_AHEAD_MS',
        default: String(DEFAULT_CLOCK_WINDOW.aheadMs),
      },
      'worker-id': {
        type: 'string',
        doc: 'lease owner id (default host-pid-random)',
        env: 'PRESTACOP_WORKER_ID',
      },
      ...awsOptionSpecs,
      ...opsOptionSpecs,
    },
  },
  process.argv.slice(2),
  process.env,
);

await runService(APPLICATION, cfg, ({ clients, events }) => {
  const bus = createKinesisBus({
    clients,
    leaseTable: cfg.leaseTable,
    events,
    target: cfg.target,
    consumer: storageConsumerOptions(cfg.target),
    ...(cfg.workerId ? { workerId: cfg.workerId } : {}),
  });
  const writer = startStorageWriter({
    bus,
    events,
    table: createDynamoTable(clients.doc, cfg.messagesTable),
    archive: createS3Archive(clients.s3, cfg.bucket),
    deadLetter: createS3DeadLetters(clients.s3, cfg.bucket, Date.now),
    streams: { drones: cfg.droneStream, history: cfg.historyStream },
    retentionSeconds: cfg.retentionHours * 3_600,
    clockWindow: { behindMs: cfg.clockBehindMs, aheadMs: cfg.clockAheadMs },
  });
  return { healthy: writer.healthy, stop: async () => (await writer.stop(), await bus.close()) };
});
