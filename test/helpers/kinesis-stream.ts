/**
 * Reading a Kinesis stream directly (no bus, no leases): what is really in it, for assertions on the producer, and
 * the raw read rate the bus benchmark compares the bus with.
 */
import {
  type _Record as KinesisRecord,
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
 * Hands every GetRecords page of every shard to `onPage`, shard after shard, oldest first, reading each shard from
 * TRIM_HORIZON until a poll comes back empty and caught up. For a count or a rate, where keeping the records would
 * cost more than reading them.
 * @example let n = 0; await forEachPage(clients.kinesis, stream, (_, records) => (n += records.length));
 */
export const forEachPage = async (
  kinesis: KinesisClient,
  stream: string,
  onPage: (shardId: string, records: ReadonlyArray<KinesisRecord>) => void,
): Promise<void> => {
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
      onPage(shard.shardId, records);
      if (records.length === 0 && (res.MillisBehindLatest ?? 0) === 0) break;
      iterator = res.NextShardIterator;
    }
  }
};

/**
 * Every record of every shard, oldest first per shard ({@link forEachPage}).
 * @example const records = await readStream(clients.kinesis, stream);
 */
export const readStream = async (
  kinesis: KinesisClient,
  stream: string,
): Promise<StoredRecord[]> => {
  const out: StoredRecord[] = [];
  await forEachPage(kinesis, stream, (shardId, records) => {
    for (const r of records)
      out.push({
        shardId,
        sequence: r.SequenceNumber ?? '',
        partitionKey: r.PartitionKey ?? '',
        data: r.Data ?? new Uint8Array(),
      });
  });
  return out;
};
