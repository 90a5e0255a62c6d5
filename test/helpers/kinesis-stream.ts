/**
 * Reading a Kinesis stream directly (no bus, no leases): what is really in it, for assertions on the producer.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';

import { listShards } from '../../runtime/bus/kinesis-shards.ts';

/** One record as stored. */
export interface StoredRecord {
  readonly shardId: string;
  readonly sequence: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/**
 * Every record of every shard, oldest first per shard, reading until a poll comes back empty and caught up.
 * @example const records = await readStream(clients.kinesis, stream);
 */
export const readStream = async (
  kinesis: KinesisClient,
  stream: string,
): Promise<StoredRecord[]> => {
  const out: StoredRecord[] = [];
  for (const shard of await listShards(kinesis, stream)) {
    let iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: stream,
          ShardId: shard.shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    while (iterator) {
      const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
      const records = res.Records ?? [];
      for (const r of records)
        out.push({
          shardId: shard.shardId,
          sequence: r.SequenceNumber ?? '',
          partitionKey: r.PartitionKey ?? '',
          data: r.Data ?? new Uint8Array(),
        });
      if (records.length === 0 && (res.MillisBehindLatest ?? 0) === 0) break;
      iterator = res.NextShardIterator;
    }
  }
  return out;
};
