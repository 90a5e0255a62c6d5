/**
 * Makes the resources of a {@link ResourceSpec} exist. `create` (local emulators) creates whatever is missing
 * and leaves existing resources alone, so it runs on every stack start; `verify` (AWS, where Terraform owns the
 * resources) only checks and fails once, listing everything missing. The create helpers are exported for
 * integration tests that need a stream or table of their own.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  IncreaseStreamRetentionPeriodCommand,
} from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';

import type { AwsClients } from './clients.ts';
import { pollUntil } from './poll.ts';
import {
  findSubscription,
  hasName,
  listTopicArns,
  queueArn,
  verifyAll,
} from './provision-verify.ts';
import type { ResourceSpec, TableSpec } from './resources.ts';

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

/** Whether a create call made the resource or found it there. */
export type Outcome = 'created' | 'existing';

// ---------------------------------------------------------------------------------------------------------------
// provision

/**
 * Creates (mode `create`) or checks (mode `verify`) every resource of the spec.
 *
 * The console queue is subscribed with raw delivery OFF: it receives the SNS envelope
 * (`{ Type: 'Notification', TopicArn, Message, MessageAttributes, ... }`), so the operator console sees the
 * alarm's message attributes and topic without a second lookup.
 *
 * @example
 * const report = await provision(clients, loadResourcesOrThrow(), { mode: 'create' });
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
    const outcome = await subscribeQueue(clients, topicArn, url);
    note(`subscription ${topicNames[queue.subscribeTo]} -> ${queue.name}`)(outcome);
  }
  return { created, existing, warnings, topicArns, queueUrls };
};

// ---------------------------------------------------------------------------------------------------------------
// helpers (also for tests)

/**
 * Creates a Kinesis stream in provisioned mode and waits until it is ACTIVE; an existing stream is fine.
 * Uses only CreateStream/DescribeStreamSummary fields kinesalite knows (no `StreamModeDetails`).
 * @example await createStream(clients, uniqueName('reports'), 2);
 */
export const createStream = async (
  clients: AwsClients,
  name: string,
  shards: number,
  options: { readonly retentionHours?: number; readonly timeoutMs?: number } = {},
): Promise<Outcome> => {
  let outcome: Outcome = 'created';
  try {
    await clients.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  } catch (err) {
    if (!hasName(err, 'ResourceInUseException')) throw err;
    outcome = 'existing';
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const summary = await waitForStream(clients, name, timeoutMs);
  const retention = options.retentionHours;
  if (retention !== undefined && (summary.RetentionPeriodHours ?? 24) < retention) {
    await clients.kinesis.send(
      new IncreaseStreamRetentionPeriodCommand({
        StreamName: name,
        RetentionPeriodHours: retention,
      }),
    );
    await waitForStream(clients, name, timeoutMs);
  }
  return outcome;
};

const waitForStream = (clients: AwsClients, name: string, timeoutMs: number) =>
  pollUntil(
    async () => {
      const r = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      const s = r.StreamDescriptionSummary;
      return s?.StreamStatus === 'ACTIVE' ? s : undefined;
    },
    { what: `kinesis stream ${name} to become ACTIVE`, timeoutMs, intervalMs: 50 },
  );

/**
 * Deletes a Kinesis stream and waits until it is gone (so its shards stop counting against kinesalite's shard
 * limit). A missing stream is fine.
 * @example after(() => deleteStream(clients, stream));
 */
export const deleteStream = async (
  clients: AwsClients,
  name: string,
  timeoutMs = 30_000,
): Promise<void> => {
  try {
    await clients.kinesis.send(
      new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }),
    );
  } catch (err) {
    if (hasName(err, 'ResourceNotFoundException')) return;
    throw err;
  }
  await pollUntil(
    async () => {
      try {
        await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
        return undefined;
      } catch (err) {
        if (hasName(err, 'ResourceNotFoundException')) return true;
        throw err;
      }
    },
    { what: `kinesis stream ${name} to be deleted`, timeoutMs, intervalMs: 50 },
  );
};

/**
 * Creates a PAY_PER_REQUEST table with a string hash key, waits until it is ACTIVE, and enables TTL on
 * `ttlAttribute` when set (also on an existing table whose TTL is off). An existing table is fine.
 * @example await createTable(clients, { name: uniqueName('msgs'), hashKey: 'id', ttlAttribute: null });
 */
export const createTable = async (
  clients: AwsClients,
  table: TableSpec,
  options: { readonly timeoutMs?: number } = {},
): Promise<Outcome> => {
  let outcome: Outcome = 'created';
  try {
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: table.name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: table.hashKey, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: table.hashKey, KeyType: 'HASH' }],
      }),
    );
  } catch (err) {
    if (!hasName(err, 'ResourceInUseException')) throw err;
    outcome = 'existing';
  }
  await pollUntil(
    async () => {
      const r = await clients.dynamodb.send(new DescribeTableCommand({ TableName: table.name }));
      return r.Table?.TableStatus === 'ACTIVE' ? true : undefined;
    },
    {
      what: `dynamodb table ${table.name} to become ACTIVE`,
      timeoutMs: options.timeoutMs ?? 30_000,
    },
  );
  if (table.ttlAttribute !== null) {
    const ttl = await clients.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: table.name }),
    );
    const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
    if (status !== 'ENABLED' && status !== 'ENABLING') {
      await clients.dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: table.name,
          TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
        }),
      );
    }
  }
  return outcome;
};

/** Deletes a table; a missing one is fine. */
export const deleteTable = async (clients: AwsClients, name: string): Promise<void> => {
  try {
    await clients.dynamodb.send(new DeleteTableCommand({ TableName: name }));
  } catch (err) {
    if (!hasName(err, 'ResourceNotFoundException')) throw err;
  }
};

/** Creates an S3 bucket unless it exists. */
export const createBucket = async (clients: AwsClients, name: string): Promise<Outcome> => {
  try {
    await clients.s3.send(new HeadBucketCommand({ Bucket: name }));
    return 'existing';
  } catch (err) {
    if (!hasName(err, 'NotFound', 'NoSuchBucket')) throw err;
  }
  try {
    await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
    return 'created';
  } catch (err) {
    // Another starter won the race: on a single-user emulator the bucket is ours either way.
    if (hasName(err, 'BucketAlreadyOwnedByYou', 'BucketAlreadyExists')) return 'existing';
    throw err;
  }
};

/** Subscribes a queue to a topic (raw delivery off) unless it already is. */
const subscribeQueue = async (
  clients: AwsClients,
  topicArn: string,
  queueUrl: string,
): Promise<Outcome> => {
  const arn = await queueArn(clients, queueUrl);
  if (await findSubscription(clients, topicArn, arn)) return 'existing';
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: arn,
      Attributes: { RawMessageDelivery: 'false' },
    }),
  );
  return 'created';
};

const required = <A>(a: A | undefined, message: string): A => {
  if (a === undefined) throw new Error(message);
  return a;
};
