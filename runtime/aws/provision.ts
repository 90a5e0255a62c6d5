/**
 * Makes the resources of a {@link ResourceSpec} exist. `create` (local emulators) creates whatever is missing
 * and leaves existing resources alone, so it runs on every stack start; `verify` (AWS, where Terraform owns the
 * resources) only checks and fails once, listing everything missing. The create helpers are exported for
 * integration tests that need a stream or table of their own.
 */
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';

import type { AwsClients } from './clients.ts';
import { createBucket, createStream, createTable, type Outcome } from './provision-create.ts';
import { findSubscription, listTopicArns, queueArn, verifyAll } from './provision-verify.ts';
import type { QueueSpec, ResourceSpec } from './resources.ts';

export {
  createBucket,
  createStream,
  createTable,
  deleteStream,
  deleteTable,
  type Outcome,
} from './provision-create.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** `create` for emulators, `verify` for AWS. */
export type ProvisionMode = 'create' | 'verify';

/** What {@link provision} found or did, one line per resource (`kinesis stream prestacop-drones`). */
export interface ProvisionReport {
  readonly created: ReadonlyArray<string>;
  readonly existing: ReadonlyArray<string>;
  /** Differences that do not stop anything, e.g. an existing stream with another shard count. */
  readonly warnings: ReadonlyArray<string>;
  /** Topic ARNs by topic key. */
  readonly topicArns: Readonly<Record<string, string>>;
  /** Queue URLs by queue key. */
  readonly queueUrls: Readonly<Record<string, string>>;
}

/** Options of {@link provision}. */
export interface ProvisionOptions {
  readonly mode: ProvisionMode;
  /** Limit for each wait (a stream becoming ACTIVE, ...). Default 30 s. */
  readonly timeoutMs?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// provision

/**
 * Creates (mode `create`) or checks (mode `verify`) every resource of the spec.
 *
 * A queue with `subscribeTo` is subscribed with raw delivery OFF unless it says `rawDelivery: true`: it receives
 * the SNS envelope (`{ Type: 'Notification', TopicArn, Message, MessageAttributes, ... }`), so its reader sees the
 * message's attributes and topic without a second lookup; a raw queue receives the message alone.
 *
 * @example
 * const report = await provision(clients, loadResourceSpecOrThrow(), { mode: 'create' });
 * report.created; // ['kinesis stream prestacop-drones', ...] on a fresh stack, [] afterwards
 */
export const provision = async (
  clients: AwsClients,
  spec: ResourceSpec,
  options: ProvisionOptions,
): Promise<ProvisionReport> => {
  if (options.mode === 'verify') return verifyAll(clients, spec);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const created: string[] = [];
  const existing: string[] = [];
  const warnings: string[] = [];
  const note = (what: string) => (outcome: Outcome) =>
    (outcome === 'created' ? created : existing).push(what);

  await Promise.all([
    ...Object.values(spec.streams).map(async (s) => {
      const outcome = await createStream(clients, s.name, s.shards, {
        retentionHours: s.retentionHours,
        timeoutMs,
      });
      note(`kinesis stream ${s.name}`)(outcome);
      const summary = await clients.kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: s.name }),
      );
      const open = summary.StreamDescriptionSummary?.OpenShardCount;
      if (open !== s.shards)
        warnings.push(
          `kinesis stream ${s.name} has ${open} open shards, the spec says ${s.shards}`,
        );
    }),
    ...Object.values(spec.tables).map(async (table) =>
      note(`dynamodb table ${table.name}`)(await createTable(clients, table, { timeoutMs })),
    ),
    ...Object.values(spec.buckets).map(async (b) =>
      note(`s3 bucket ${b.name}`)(await createBucket(clients, b.name)),
    ),
  ]);

  // Topics before queues: a queue's subscription needs its topic's ARN. CreateTopic and CreateQueue are
  // idempotent; the lookups before them only tell "created" from "existing" for the report.
  const knownTopics = await listTopicArns(clients);
  const topicArns: Record<string, string> = {};
  const topicNames: Record<string, string> = {};
  for (const [key, topic] of Object.entries(spec.topics)) {
    topicNames[key] = topic.name;
    const r = await clients.sns.send(new CreateTopicCommand({ Name: topic.name }));
    topicArns[key] = required(r.TopicArn, `CreateTopic ${topic.name} returned no TopicArn`);
    note(`sns topic ${topic.name}`)(knownTopics.has(topic.name) ? 'existing' : 'created');
  }
  const queueUrls: Record<string, string> = {};
  for (const [key, queue] of Object.entries(spec.queues)) {
    const known = await clients.sqs
      .send(new GetQueueUrlCommand({ QueueName: queue.name }))
      .then(() => true)
      .catch(() => false);
    const r = await clients.sqs.send(new CreateQueueCommand({ QueueName: queue.name }));
    const url = required(r.QueueUrl, `CreateQueue ${queue.name} returned no QueueUrl`);
    queueUrls[key] = url;
    note(`sqs queue ${queue.name}`)(known ? 'existing' : 'created');
    if (queue.subscribeTo === null) continue;
    const topicArn = required(topicArns[queue.subscribeTo], `no topic ${queue.subscribeTo}`);
    const outcome = await subscribeQueue(clients, topicArn, url, queue);
    note(`subscription ${topicNames[queue.subscribeTo]} -> ${queue.name}`)(outcome);
  }
  return { created, existing, warnings, topicArns, queueUrls };
};

/** Subscribes a queue to a topic (raw delivery and filter policy as the queue says) unless it already is. */
const subscribeQueue = async (
  clients: AwsClients,
  topicArn: string,
  queueUrl: string,
  queue: QueueSpec,
): Promise<Outcome> => {
  const arn = await queueArn(clients, queueUrl);
  if (await findSubscription(clients, topicArn, arn)) return 'existing';
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: arn,
      Attributes: {
        RawMessageDelivery: String(queue.rawDelivery ?? false),
        ...(queue.filterPolicy ? { FilterPolicy: JSON.stringify(queue.filterPolicy) } : {}),
      },
    }),
  );
  return 'created';
};

const required = <A>(a: A | undefined, message: string): A => {
  if (a === undefined) throw new Error(message);
  return a;
};
