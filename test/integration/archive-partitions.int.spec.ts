/**
 * The archive's hour partitions on S3 (s3rver): each message lands under the hour of its own ingestion time, also
 * when one shard's times cross an hour boundary and come back (a redelivery of older records after newer ones).
 * The writer remembers the last hour's partition instead of formatting a date per message; this holds it to the
 * partition each time alone gives.
 */
import assert from 'node:assert/strict';

import { ListObjectsV2Command } from '@aws-sdk/client-s3';

import { createS3Archive, hourPartition } from '../../actors/stream-to-storage/s3-archive.ts';
import { createBucket } from '../../runtime/aws/provision.ts';
import { uniqueName, useStack } from '../helpers/stack.ts';

const source = (n: number) => ({
  stream: 'prestacop-drones',
  shardId: 'shardId-000000000001',
  sequence: String(49680626701183185164232398431735892952271095838059528226n + BigInt(n)),
  subSequence: 0,
});

describe('S3 archive > hour partitions', function () {
  this.timeout(60_000);

  it('puts each message under the hour of its ingestion, across boundaries and back', async () => {
    const { clients } = await useStack();
    const bucket = uniqueName('archive');
    await createBucket(clients, bucket);
    const archive = createS3Archive(clients.s3, bucket, 'archive/', {
      maxBytes: 1 << 20,
      maxRecords: 1_000,
      maxAgeMs: 60_000,
    });
    const hour = Date.parse('2026-12-02T21:00:00Z');
    // Last millisecond of 21h, first of 22h, back to 21h, 23h, and the day before (a redelivery of old records).
    const times = [
      hour - 1,
      hour,
      hour + 3_599_999,
      hour - 3_600_000,
      hour + 3_600_000,
      hour - 86_400_000,
    ];
    await Promise.all([
      ...times.map((at, n) =>
        archive.append('drone.message', JSON.stringify({ n }), source(n), at),
      ),
      archive.flush(),
    ]);
    const listed = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const partitions = (listed.Contents ?? []).map((o) => o.Key!.split('/').slice(2, 4).join('/'));
    assert.deepEqual(
      [...new Set(partitions)].sort(),
      [...new Set(times.map(hourPartition))].sort(),
    );
    assert.deepEqual([...new Set(times.map(hourPartition))].sort(), [
      'day=2026-12-01/hour=21',
      'day=2026-12-02/hour=20',
      'day=2026-12-02/hour=21',
      'day=2026-12-02/hour=22',
    ]);
    // A change of hour cuts the open batch: 20h | 21h 21h | 20h | 22h | 21h the day before: five objects.
    assert.equal(partitions.length, 5);
  });
});
