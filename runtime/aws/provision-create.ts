/**
 * Create and delete helpers for single resources: the building blocks of `provision(..., { mode: 'create' })`,
 * and what integration tests use to make a stream, table or bucket of their own. Each is idempotent: an
 * existing resource is fine on create, a missing one on delete. Re-exported by provision.ts.
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

import type { AwsClients } from './clients.ts';
import { pollUntil } from './poll.ts';
import { hasName } from './provision-verify.ts';
import type { TableSpec } from './resources.ts';

/** Whether a create call made the resource or found it there. */
export type Outcome = 'created' | 'existing';

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
