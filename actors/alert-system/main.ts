/** `npm run alert-system -- --help`: the alert system as its own service, against any target. */
import '../../runtime/node-version.ts';

import { topicArnOf } from '../../runtime/aws/lookup.ts';
import {
  AwsOptions,
  awsOptionSpecs,
  OpsOptions,
  opsOptionSpecs,
} from '../../runtime/aws/options.ts';
import { createS3DeadLetters } from '../../runtime/aws/s3-dead-letters.ts';
import { createKinesisBus } from '../../runtime/bus/kinesis.ts';
import { intList, NonEmptyString, NonNegativeInt, oneOf, t } from '../../runtime/codec.ts';
import { configOrExit } from '../../runtime/config.ts';
import { runService } from '../../runtime/service.ts';
import { loadResourcesOrThrow } from '../protocol/index.ts';
import { DEFAULT_CLOCK_WINDOW } from '../protocol/time.ts';
import { DEFAULT_HUMAN_CODES } from '../protocol/violation-codes.ts';
import { createDynamoAlarmStore } from './dynamo-alarm-store.ts';
import { createS3NeedsHumanNotes } from './s3-needs-human.ts';
import { alertConsumerOptions, APPLICATION, startAlertSystem } from './service.ts';
import { createSnsAlarmPublisher } from './sns-publisher.ts';

const spec = loadResourcesOrThrow();
const Config = t.intersection([
  AwsOptions,
  OpsOptions,
  t.type({
    droneStream: NonEmptyString,
    alarmsTable: NonEmptyString,
    topic: NonEmptyString,
    leaseTable: NonEmptyString,
    bucket: NonEmptyString,
    humanCodes: intList('ViolationCodes', 1, 99),
    initialPosition: oneOf('InitialPosition', ['trim_horizon', 'latest']),
    workerId: t.union([NonEmptyString, t.undefined]),
    recordWaitMs: NonNegativeInt,
    clockBehindMs: NonNegativeInt,
    clockAheadMs: NonNegativeInt,
  }),
]);

const cfg = configOrExit(
  {
    name: APPLICATION,
    summary:
      'consumes the drone stream; for every message whose code needs a human, stores an alarm in DynamoDB and publishes it to SNS',
    codec: Config,
    options: {
      'drone-stream': {
        type: 'string',
        doc: 'drone stream',
        env: 'PRESTACOP_DRONE_STREAM',
        default: spec.streams.drones.name,
      },
      'alarms-table': {
        type: 'string',
        doc: 'alarm store (dedup record per alarm id; the console reads it)',
        env: 'PRESTACOP_ALARMS_TABLE',
        default: spec.tables.alarms.name,
      },
      topic: {
        type: 'string',
        doc: 'SNS alarm topic: name or ARN',
        env: 'PRESTACOP_ALARM_TOPIC',
        default: spec.topics.alarms.name,
      },
      'lease-table': {
        type: 'string',
        doc: 'leases and checkpoints table',
        env: 'PRESTACOP_LEASE_TABLE',
        default: spec.tables.leases.name,
      },
      bucket: {
        type: 'string',
        doc: 'bucket for dead letters (under dead-letter/actor=alert-system/) and notes on those that may need a human (needs-human/)',
        env: 'PRESTACOP_BUCKET',
        default: spec.buckets.archive.name,
      },
      'human-codes': {
        type: 'string',
        doc: 'violation codes that need a human',
        env: 'PRESTACOP_HUMAN_CODES',
        default: DEFAULT_HUMAN_CODES.join(','),
      },
      'initial-position': {
        type: 'string',
        doc: 'where a first start reads the stream from: trim_horizon (miss nothing retained) or latest',
        env: 'PRESTACOP_ALERT_INITIAL_POSITION',
        default: 'trim_horizon',
      },
      'record-wait-ms': {
        type: 'string',
        doc: 'longest wait for the alarm store before publishing anyway (a slow store must not hold alarms back)',
        env: 'PRESTACOP_ALERT_RECORD_WAIT_MS',
        default: '100',
      },
      'clock-behind-ms': {
        type: 'string',
        doc: 'a drone time further behind its arrival on the stream is suspect: the alarm says "drone clock off"',
        env: 'PRESTACOP_CLOCK_BEHIND_MS',
        default: String(DEFAULT_CLOCK_WINDOW.behindMs),
      },
      'clock-ahead-ms': {
        type: 'string',
        doc: 'a drone time further ahead of its arrival on the stream is suspect (the alarm is raised either way)',
        env: 'PRESTACOP_CLOCK_AHEAD_MS',
        default: String(DEFAULT_CLOCK_WINDOW.aheadMs),
      },
      'worker-id': {
        type: 'string',
        doc: 'lease owner id (default host-pid-random); a restart with the same id takes its leases back at once',
        env: 'PRESTACOP_WORKER_ID',
      },
      ...awsOptionSpecs,
      ...opsOptionSpecs,
    },
    epilog:
      'Consumer application "alert-system": its own checkpoints and leases, polling faster than the storage writer.\n' +
      'Each alarm is published with attributes type, alarmId, drone, code, borough; a redelivery of a published\n' +
      'alarm is skipped; a possible duplicate publish keeps the alarm id and is counted (/metrics).',
  },
  process.argv.slice(2),
  process.env,
);

await runService(APPLICATION, cfg, async ({ clients, events, metrics, log }) => {
  const topicArn = await topicArnOf(clients.sns, cfg.topic);
  const bus = createKinesisBus({
    clients,
    leaseTable: cfg.leaseTable,
    events,
    target: cfg.target,
    consumer: alertConsumerOptions(cfg.target),
    ...(cfg.workerId ? { workerId: cfg.workerId } : {}),
  });
  const alerts = startAlertSystem({
    bus,
    events,
    store: createDynamoAlarmStore(clients.doc, cfg.alarmsTable),
    publisher: createSnsAlarmPublisher(clients.sns, topicArn),
    deadLetter: createS3DeadLetters(clients.s3, cfg.bucket, Date.now),
    needsHuman: createS3NeedsHumanNotes(clients.s3, cfg.bucket),
    stream: cfg.droneStream,
    humanCodes: cfg.humanCodes,
    initialPosition: cfg.initialPosition,
    metrics,
    log: log.child({ actor: APPLICATION }),
    recordWaitMs: cfg.recordWaitMs,
    clockWindow: { behindMs: cfg.clockBehindMs, aheadMs: cfg.clockAheadMs },
  });
  return { healthy: alerts.healthy, stop: async () => (await alerts.stop(), await bus.close()) };
});
