/**
 * The operator console, declared (runtime/launcher.ts): its queue on the alarm topic in, a web page out, escalations
 * to the alarm topic. `main.ts` launches it; its options are declared once in `config.ts` (flags, env, `--help`).
 */
import { KMS } from '../../runtime/aws/iam.ts';
import { defineActor } from '../../runtime/launcher.ts';
import { consoleOptions } from './config.ts';
import { ACTOR } from './service.ts';
import { startConsoleWithClients } from './wiring.ts';

/** The console: `launch(operatorConsole)`. */
export const operatorConsole = defineActor({
  name: ACTOR,
  summary:
    'a web page where operators see alarms live, acknowledge them and confirm or dismiss them; escalates the ignored ones',
  epilog:
    'JSON API: GET /api/alarms (every alarm with its status, and counts incl. duplicate deliveries);\n' +
    'POST /api/alarms/<id>/acknowledge|confirm|dismiss with {"operator":"name"} (with --operators, the name is the\n' +
    "token's). See actors/operator-console/README.md.",
  options: consoleOptions,
  // On the alert side (its alarms, its queue): the alert-system's first host, a page on its 127.0.0.1.
  deploy: {
    opsPort: 9104,
    colocateWith: 'alert-system',
    statements: [
      // The alarms raised in the last --history-hours, read once at start (dynamo-events.ts, a filtered Scan).
      { Sid: 'LoadAlarms', Action: ['dynamodb:Scan'], Resource: ['tables.alarms.arn'] },
      // Decisions and escalations (dynamo-events.ts): Scan at start, GetItem, conditional PutItem, UpdateItem
      // (publishedAt), and TransactWriteItems, which IAM authorizes per item: PutItem and ConditionCheckItem.
      {
        Sid: 'Decisions',
        Action: [
          'dynamodb:ConditionCheckItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Scan',
          'dynamodb:UpdateItem',
        ],
        Resource: ['tables.alarmEvents.arn'],
      },
      // Its own queue on the alarm topic (sqs-feed.ts): ReceiveMessage, DeleteMessageBatch (= sqs:DeleteMessage).
      {
        Sid: 'OwnQueue',
        Action: ['sqs:DeleteMessage', 'sqs:ReceiveMessage'],
        Resource: ['queues.operatorConsole.arn'],
      },
      // Escalations go back on the alarm topic (sns-escalations.ts).
      { Sid: 'PublishEscalations', Action: ['sns:Publish'], Resource: ['topics.alarms.arn'] },
      // The simulator's pictures, proxied to the page (s3-images.ts).
      {
        Sid: 'ViolationImages',
        Action: ['s3:GetObject'],
        Resource: ['bucket.arn/violation-images/*'],
      },
      // Undecodable queue bodies (runtime/aws/s3-dead-letters.ts), under its own prefix only.
      {
        Sid: 'DeadLetters',
        Action: ['s3:PutObject'],
        Resource: ['bucket.arn/dead-letter/actor=operator-console/*'],
      },
      // The alert system's notes on dead letters that need a human, counted by listing their keys
      // (s3-needs-human.ts): the bucket, listed under needs-human/ only.
      {
        Sid: 'NeedsHumanNotes',
        Action: ['s3:ListBucket'],
        Resource: ['bucket.arn'],
        Condition: { StringLike: { 's3:prefix': ['needs-human/*'] } },
      },
    ],
    // Its queue's messages decrypted; publishing and the bucket's objects (read and written) both ways.
    kms: {
      sqs: ['kms:Decrypt'],
      sns: KMS.publish,
      s3: ['kms:Decrypt', 'kms:GenerateDataKey'],
    },
  },
  start: async ({ clients, metrics, log }, cfg) => {
    const running = await startConsoleWithClients(clients, {
      alarmsTable: cfg.alarmsTable,
      eventsTable: cfg.eventsTable,
      topic: cfg.topic,
      queue: cfg.queue,
      bucket: cfg.bucket,
      host: cfg.host,
      port: cfg.port,
      access: cfg.access,
      escalateAfterMs: cfg.escalateAfterSeconds * 1_000,
      historyMs: cfg.historyHours * 3_600_000,
      needsHumanPollMs: cfg.needsHumanPollSeconds * 1_000,
      log,
      metrics,
    });
    const opened = cfg.publicOrigin === undefined ? running.url : `${cfg.publicOrigin}/`;
    const tokens =
      cfg.operators === undefined ? 'operators' : `${cfg.access.operators?.length} operators`;
    log.info(
      { url: running.url, publicOrigin: cfg.publicOrigin, tokens: cfg.token ? 'shared' : tokens },
      `operator console: ${running.url}`,
    );
    process.stderr.write(
      `operator console: ${opened}${cfg.access.token || cfg.access.operators ? '?token=<your token>' : ''}\n`,
    );
    return { healthy: running.healthy, stop: running.stop };
  },
});
