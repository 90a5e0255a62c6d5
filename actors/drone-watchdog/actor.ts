/**
 * The drone watchdog, declared (runtime/launcher.ts): the drone stream in, `drone.silent` / `drone.back` out on
 * the alarm topic. `main.ts` launches it; the swarm and the fault suite start it from `actors/catalog.ts`.
 */
import { KMS, LEASE_ACTIONS, READ_STREAM_ACTIONS } from '../../runtime/aws/iam.ts';
import { topicArnOf } from '../../runtime/aws/lookup.ts';
import { createS3DeadLetters } from '../../runtime/aws/s3-dead-letters.ts';
import { NonEmptyString, PositiveInt } from '../../runtime/codec.ts';
import { consumerBus, defineActor } from '../../runtime/launcher.ts';
import { option, optional, optionGroup } from '../../runtime/options.ts';
import {
  alarmTopicOption,
  bucketOption,
  droneStreamOption,
  leaseTableOption,
} from '../protocol/options.ts';
import { APPLICATION, startWatchdog } from './service.ts';
import { createSnsWatchPublisher } from './sns-publisher.ts';

/** Its own options (the launcher adds the AWS and ops ones); `README.md` shows them as a table. */
export const watchdogOptions = optionGroup({
  silentAfterSeconds: option(PositiveInt, {
    doc: 'a drone that sent nothing for this long is reported silent (drone.silent)',
    env: 'PRESTACOP_SILENT_AFTER_SECONDS',
    default: '30',
  }),
  maxDrones: option(PositiveInt, {
    doc: 'drones watched at most (messages of more are counted, not watched)',
    env: 'PRESTACOP_WATCHDOG_MAX_DRONES',
    default: '10000',
  }),
  droneStream: droneStreamOption,
  topic: alarmTopicOption,
  leaseTable: leaseTableOption,
  bucket: bucketOption('bucket for dead letters (under dead-letter/actor=drone-watchdog/)'),
  workerId: optional(NonEmptyString, {
    doc: 'lease owner id (default host-pid-random)',
    env: 'PRESTACOP_WORKER_ID',
  }),
});

/** The watchdog: `launch(droneWatchdog)`. */
export const droneWatchdog = defineActor({
  name: APPLICATION,
  summary:
    'consumes the drone stream; publishes drone.silent on the alarm topic for a drone gone silent, drone.back when it speaks again',
  options: watchdogOptions,
  // On the alert-system's host (the three hosts of the deploy): what it reads and publishes, nothing else.
  deploy: {
    opsPort: 9105,
    colocateWith: 'alert-system',
    statements: [
      { Sid: 'ReadDrones', Action: READ_STREAM_ACTIONS, Resource: ['streams.drones.arn'] },
      { Sid: 'Leases', Action: LEASE_ACTIONS, Resource: ['tables.leases.arn'] },
      { Sid: 'PublishDroneEvents', Action: ['sns:Publish'], Resource: ['topics.alarms.arn'] },
      {
        Sid: 'DeadLetters',
        Action: ['s3:PutObject'],
        Resource: ['bucket.arn/dead-letter/actor=drone-watchdog/*'],
      },
    ],
    kms: { kinesis: KMS.readStream, sns: KMS.publish, s3: KMS.putObject },
  },
  start: async (ctx, cfg) => {
    const { clients, events, metrics, log } = ctx;
    const topicArn = await topicArnOf(clients.sns, cfg.topic);
    const bus = consumerBus(
      ctx,
      cfg,
      cfg.target === 'local'
        ? { pollIntervalMs: 200, idlePollMaxMs: 1_000, checkpointIntervalMs: 1_000 }
        : {},
    );
    const watchdog = startWatchdog({
      bus,
      events,
      publisher: createSnsWatchPublisher(clients.sns, topicArn),
      deadLetter: createS3DeadLetters(clients.s3, cfg.bucket, Date.now),
      stream: cfg.droneStream,
      silentAfterMs: cfg.silentAfterSeconds * 1_000,
      maxDrones: cfg.maxDrones,
      metrics,
      log: log.child({ actor: APPLICATION }),
    });
    return {
      healthy: watchdog.healthy,
      stop: async () => (await watchdog.stop(), await bus.close()),
    };
  },
});
