/**
 * Whether a consumer application has caught up with a stream: for every shard, its checkpoint in the leases table
 * is past the shard's last record. Asked of Kinesis itself (a read after the checkpoint finds nothing), not of
 * the consumer's own counters, so a swarm's drain or a test can trust it.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
  ListShardsCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

import { AT_TIMESTAMP, SHARD_END, TRIM_HORIZON } from './kinesis-leases.ts';

/** Per shard: caught up or not, and the checkpoint read. */
export interface ShardProgress {
  readonly shardId: string;
  readonly checkpoint: string | undefined;
  readonly caughtUp: boolean;
}

const listShards = async (kinesis: KinesisClient, stream: string): Promise<Shard[]> => {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const out = await kinesis.send(
      new ListShardsCommand(token ? { NextToken: token } : { StreamName: stream }),
    );
    shards.push(...(out.Shards ?? []));
    token = out.NextToken;
  } while (token);
  return shards;
};

const iteratorAfter = (stream: string, shardId: string, checkpoint: string | undefined) => {
  const base = { StreamName: stream, ShardId: shardId };
  if (checkpoint === undefined || checkpoint === TRIM_HORIZON)
    return { ...base, ShardIteratorType: 'TRIM_HORIZON' } satisfies GetShardIteratorCommandInput;
  if (checkpoint.startsWith(AT_TIMESTAMP))
    return {
      ...base,
      ShardIteratorType: 'AT_TIMESTAMP',
      Timestamp: new Date(Number(checkpoint.slice(AT_TIMESTAMP.length))),
    } satisfies GetShardIteratorCommandInput;
  return {
    ...base,
    ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
    StartingSequenceNumber: checkpoint,
  } satisfies GetShardIteratorCommandInput;
};

/**
 * Reads every shard's checkpoint of `application` and checks that no record follows it.
 * @example (await streamProgress(clients, 'prestacop-leases', 'stream-to-storage', 'prestacop-drones')).every((s) => s.caughtUp)
 */
export const streamProgress = async (
  clients: { readonly kinesis: KinesisClient; readonly doc: DynamoDBDocumentClient },
  leaseTable: string,
  application: string,
  stream: string,
): Promise<ShardProgress[]> => {
  const shards = await listShards(clients.kinesis, stream);
  return Promise.all(
    shards.map(async (s): Promise<ShardProgress> => {
      const shardId = s.ShardId!;
      const item = await clients.doc.send(
        new GetCommand({
          TableName: leaseTable,
          Key: { leaseKey: `${application}#${stream}#${shardId}` },
        }),
      );
      const checkpoint =
        typeof item.Item?.checkpoint === 'string' ? item.Item.checkpoint : undefined;
      if (checkpoint === SHARD_END) return { shardId, checkpoint, caughtUp: true };
      const it = await clients.kinesis.send(
        new GetShardIteratorCommand(iteratorAfter(stream, shardId, checkpoint)),
      );
      const out = await clients.kinesis.send(
        new GetRecordsCommand({ ShardIterator: it.ShardIterator, Limit: 1 }),
      );
      // On AWS an empty read can still be behind (records further on): MillisBehindLatest tells.
      const caughtUp = (out.Records ?? []).length === 0 && (out.MillisBehindLatest ?? 0) === 0;
      return { shardId, checkpoint, caughtUp };
    }),
  );
};
