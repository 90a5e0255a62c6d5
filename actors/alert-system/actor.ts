/**
 * The alert system, declared (runtime/launcher.ts): the drone stream in, alarms recorded in DynamoDB and published
 * to SNS. `main.ts` launches it; its options are declared here once (flags, env, `--help`, the README table).
 */
import { KMS, LEASE_ACTIONS, READ_STREAM_ACTIONS } from '../../runtime/aws/iam.ts';
import { topicArnOf } from '../../runtime/aws/lookup.ts';
import { createS3DeadLetters } from '../../runtime/aws/s3-dead-letters.ts';
import { intList, NonEmptyString, NonNegativeInt, oneOf } from '../../runtime/codec.ts';
import { consumerBus, defineActor } from '../../runtime/launcher.ts';
import { option, optional, optionGroup } from '../../runtime/options.ts';
import { loadResourcesOrThrow } from '../protocol/index.ts';
import {
  alarmTopicOption,
  bucketOption,
  droneStreamOption,
  leaseTableOption,
} from '../protocol/options.ts';
import { DEFAULT_CLOCK_WINDOW } from '../protocol/time.ts';
import { DEFAULT_HUMAN_CODES } from '../protocol/violation-codes.ts';
import { createDynamoAlarmStore } from './dynamo-alarm-store.ts';
import { createS3NeedsHumanNotes } from './s3-needs-human.ts';
import { alertConsumerOptions, APPLICATION, startAlertSystem } from './service.ts';
import { createSnsAlarmPublisher } from './sns-publisher.ts';

const spec = loadResourcesOrThrow();

/** Its own options (the launcher adds the AWS and ops ones). */
export const alertOptions = optionGroup({
  droneStream: droneStreamOption,
  alarmsTable: option(NonEmptyString, {
    doc: 'alarm store (dedup record per alarm id; the console reads it)',
    env: 'PRESTACOP_ALARMS_TABLE',
    default: spec.tables.alarms.name,
    deploy: 'tables.alarms.name',
  }),
  topic: alarmTopicOption,
  leaseTable: leaseTableOption,
  bucket: bucketOption(
    'bucket for dead letters (under dead-letter/actor=alert-system/) and notes on those that may need a human (needs-human/)',
  ),
  humanCodes: option(intList('ViolationCodes', 1, 99), {
    doc: 'violation codes that need a human',
    env: 'PRESTACOP_HUMAN_CODES',
    default: DEFAULT_HUMAN_CODES.join(','),
  }),
  initialPosition: option(oneOf('InitialPosition', ['trim_horizon', 'latest']), {
    doc: 'where a first start reads the stream from: trim_horizon (miss nothing retained) or latest',
    env: 'PRESTACOP_ALERT_INITIAL_POSITION',
    default: 'trim_horizon',
  }),
  recordWaitMs: option(NonNegativeInt, {
    doc: 'longest wait for the alarm store before publishing anyway (a slow store must not hold alarms back)',
    env: 'PRESTACOP_ALERT_RECORD_WAIT_MS',
    default: '100',
  }),
  clockBehindMs: option(NonNegativeInt, {
    doc: 'a drone time further behind its arrival on the stream is suspect: the alarm says "drone clock off"',
    env: 'PRESTACOP_CLOCK_BEHIND_MS',
    default: String(DEFAULT_CLOCK_WINDOW.behindMs),
  }),
  clockAheadMs: option(NonNegativeInt, {
    doc: 'a drone time further ahead of its arrival on the stream is suspect (the alarm is raised either way)',
    env: 'PRESTACOP_CLOCK_AHEAD_MS',
    default: String(DEFAULT_CLOCK_WINDOW.aheadMs),
  }),
  workerId: optional(NonEmptyString, {
    doc: 'lease owner id (default host-pid-random); a restart with the same id takes its leases back at once',
    env: 'PRESTACOP_WORKER_ID',
  }),
});

/** The alert system: `launch(alertSystemActor)`. */
export const alertSystemActor = defineActor({
  name: APPLICATION,
  summary:
    'consumes the drone stream; for every message whose code needs a human, stores an alarm in DynamoDB and publishes it to SNS',
  epilog:
    'Consumer application "alert-system": its own checkpoints and leases, polling faster than the storage writer.\n' +
    'Each alarm is published with attributes type, alarmId, drone, code, borough; a redelivery of a published\n' +
    'alarm is skipped; a possible duplicate publish keeps the alarm id and is counted (/metrics).',
  options: alertOptions,
  deploy: {
    opsPort: 9103,
    statements: [
      { Sid: 'ReadDrones', Action: READ_STREAM_ACTIONS, Resource: ['streams.drones.arn'] },
      { Sid: 'Leases', Action: LEASE_ACTIONS, Resource: ['tables.leases.arn'] },
      // Dedup record and alarm (dynamo-alarm-store.ts): conditional put, read, update.
      {
        Sid: 'AlarmStore',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: ['tables.alarms.arn'],
      },
      { Sid: 'PublishAlarms', Action: ['sns:Publish'], Resource: ['topics.alarms.arn'] },
      // Dead letters, and a note on each that may need a human (s3-needs-human.ts), which the console counts.
      {
        Sid: 'DeadLetters',
        Action: ['s3:PutObject'],
        Resource: ['bucket.arn/dead-letter/*', 'bucket.arn/needs-human/actor=alert-system/*'],
      },
    ],
    kms: { kinesis: KMS.readStream, sns: KMS.publish, s3: KMS.putObject },
  },
  start: async (ctx, cfg) => {
    const { clients, events, metrics, log } = ctx;
    const topicArn = await topicArnOf(clients.sns, cfg.topic);
    const bus = consumerBus(ctx, cfg, alertConsumerOptions(cfg.target));
    const deadLetter = createS3DeadLetters(clients.s3, cfg.bucket, Date.now);
    const alerts = startAlertSystem({
      bus,
      events,
      store: createDynamoAlarmStore(clients.doc, cfg.alarmsTable),
      publisher: createSnsAlarmPublisher(clients.sns, topicArn),
      deadLetter,
      needsHuman: createS3NeedsHumanNotes(clients.s3, cfg.bucket),
      stream: cfg.droneStream,
      humanCodes: cfg.humanCodes,
      initialPosition: cfg.initialPosition,
      metrics,
      log: log.child({ actor: APPLICATION }),
      recordWaitMs: cfg.recordWaitMs,
      clockWindow: { behindMs: cfg.clockBehindMs, aheadMs: cfg.clockAheadMs },
    });
    return {
      healthy: alerts.healthy,
      stop: async () => (await alerts.stop(), await bus.close()),
      deadLetters: deadLetter.count,
    };
  },
});
