/**
 * The console on real AWS clients (DynamoDB, SQS, SNS, S3): the one wiring `main.ts` and the swarm share.
 */
import type { AwsClients } from '../../runtime/aws/clients.ts';
import { queueUrlOf, topicArnOf } from '../../runtime/aws/lookup.ts';
import { createS3BodyDeadLetters } from '../../runtime/aws/s3-dead-letters.ts';
import { E } from '../../runtime/codec.ts';
import type { Logger } from '../../runtime/log.ts';
import type { MetricsRegistry } from '../../runtime/metrics.ts';
import { loadViolationCodes } from '../protocol/violation-codes.ts';
import { createDynamoAlarmSource, createDynamoDecisionStore } from './dynamo-events.ts';
import { createS3ImageSource } from './s3-images.ts';
import { createS3NeedsHumanSource } from './s3-needs-human.ts';
import { type AlarmScope, scopeAlarms } from './scope.ts';
import { type ConsoleAccess, type OperatorConsole, startOperatorConsole } from './service.ts';
import { createSnsEscalationPublisher } from './sns-escalations.ts';
import { createSqsAlarmFeed } from './sqs-feed.ts';

/** Resource names (or ARN/URL) and serving options. */
export interface ConsoleResources {
  readonly alarmsTable: string;
  readonly eventsTable: string;
  /** Topic name or ARN. */
  readonly topic: string;
  /** Queue name or URL. */
  readonly queue: string;
  readonly bucket: string;
  readonly host?: string;
  readonly port: number;
  readonly access?: ConsoleAccess;
  readonly escalateAfterMs: number;
  readonly historyMs?: number;
  /** How often the alert system's notes on dead letters that need a human are counted (default 30 s). */
  readonly needsHumanPollMs?: number;
  readonly log?: Logger;
  readonly metrics?: MetricsRegistry;
  /** Only these alarms are loaded, shown and escalated (the swarm's: those its fleet sent). Default: all. */
  readonly scope?: AlarmScope;
}

/**
 * Starts the console on these clients. Rejects if a resource is missing or the port is taken.
 * @example const c = await startConsoleWithClients(clients, { alarmsTable, eventsTable, topic, queue, bucket, port: 0, escalateAfterMs: 120_000 });
 */
export const startConsoleWithClients = async (
  clients: AwsClients,
  o: ConsoleResources,
): Promise<OperatorConsole> => {
  const codes = loadViolationCodes();
  if (E.isLeft(codes)) throw new Error(codes.left.issues.join('; '));
  const onBadItem = (id: string, why: string) => o.log?.warn({ id, why }, 'store item skipped');
  const [queueUrl, topicArn] = await Promise.all([
    queueUrlOf(clients.sqs, o.queue),
    topicArnOf(clients.sns, o.topic),
  ]);
  const ports = {
    alarms: createDynamoAlarmSource(clients.doc, o.alarmsTable, { onBadItem }),
    store: createDynamoDecisionStore(clients.doc, o.eventsTable, { onBadItem }),
    feed: createSqsAlarmFeed(clients.sqs, queueUrl, {
      onError: (err) => o.log?.warn({ err }, 'queue call failed'),
    }),
  };
  return startOperatorConsole({
    ...(o.scope ? scopeAlarms(o.scope, ports) : ports),
    publisher: createSnsEscalationPublisher(clients.sns, topicArn),
    images: createS3ImageSource(clients.s3, o.bucket),
    // Queue bodies that are not an alarm event; an SQS message has no bus position, so the id is the bytes' hash.
    deadLetters: createS3BodyDeadLetters(clients.s3, o.bucket, Date.now, {
      actor: 'operator-console',
      input: 'alarm-queue',
    }),
    needsHuman: createS3NeedsHumanSource(clients.s3, o.bucket),
    describe: (code) => codes.right.get(code)?.definition,
    escalateAfterMs: o.escalateAfterMs,
    ...(o.historyMs === undefined ? {} : { historyMs: o.historyMs }),
    ...(o.needsHumanPollMs === undefined ? {} : { needsHumanPollMs: o.needsHumanPollMs }),
    host: o.host ?? '127.0.0.1',
    port: o.port,
    ...(o.access ? { access: o.access } : {}),
    ...(o.log ? { log: o.log } : {}),
    ...(o.metrics ? { metrics: o.metrics } : {}),
  });
};

/** {@link startConsoleWithClients} on 127.0.0.1, for `npm run swarm`. */
export const startConsoleForSwarm = (
  clients: AwsClients,
  o: Omit<ConsoleResources, 'host' | 'access'>,
): Promise<OperatorConsole> => startConsoleWithClients(clients, { ...o, host: '127.0.0.1' });
