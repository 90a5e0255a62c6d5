/**
 * Regression (found by `npm run test:faults -- --scenario lease-takeover`): two storage writers holding batches of
 * the same shard that start at the same record — a lease taken over while the old owner still reads — must never
 * overwrite each other's archive object. Before the fix the old owner's late, shorter batch replaced the new owner's
 * object (same key: shard + first sequence), and the records in between, already checkpointed, were lost.
 */
import assert from 'node:assert/strict';

import { archivedLines } from '../../actors/stream-to-storage/readers.ts';
import { createS3Archive } from '../../actors/stream-to-storage/s3-archive.ts';
import { createBucket } from '../../runtime/aws/provision.ts';
import { uniqueName, useStack } from '../helpers/stack.ts';

const source = (n: number) => ({
  stream: 'prestacop-drones',
  shardId: 'shardId-000000000002',
  sequence: String(49680626701183185164232398431735892952271095838059528226n + BigInt(n)),
  subSequence: 0,
});
const line = (n: number) => JSON.stringify({ type: 'drone.message', id: `drone-0005:${n}` });

describe('S3 archive > two writers of one shard', function () {
  this.timeout(60_000);

  it('keeps the new owner’s batch when the old owner flushes a shorter one from the same record later', async () => {
    const { clients } = await useStack();
    const bucket = uniqueName('archive');
    await createBucket(clients, bucket);
    const limits = { maxBytes: 1 << 20, maxRecords: 1_000, maxAgeMs: 60_000 };
    const oldOwner = createS3Archive(clients.s3, bucket, 'archive/', limits);
    const newOwner = createS3Archive(clients.s3, bucket, 'archive/', limits);
    const at = Date.parse('2026-11-27T22:25:45Z');

    const stale = [1, 2, 3].map((n) => oldOwner.append('drone.message', line(n), source(n), at));
    const fresh = [1, 2, 3, 4, 5, 6].map((n) =>
      newOwner.append('drone.message', line(n), source(n), at),
    );
    await newOwner.flush(); // written and (in the real writer) checkpointed past 6
    await Promise.all(fresh);
    await oldOwner.flush(); // the old owner's batch is cut later, by its timer
    await Promise.all(stale);

    const ids = new Set<string>();
    for await (const l of archivedLines(clients.s3, bucket, { type: 'drone.message' }))
      ids.add((JSON.parse(l) as { id: string }).id);
    assert.deepEqual(
      [...ids].sort(),
      [1, 2, 3, 4, 5, 6].map((n) => `drone-0005:${n}`),
    );
  });

  it('rewrites the same object when the same batch is written again (a redelivery)', async () => {
    const { clients } = await useStack();
    const bucket = uniqueName('archive');
    await createBucket(clients, bucket);
    const limits = { maxBytes: 1 << 20, maxRecords: 1_000, maxAgeMs: 60_000 };
    for (const _ of [1, 2]) {
      const a = createS3Archive(clients.s3, bucket, 'archive/', limits);
      const done = [1, 2, 3].map((n) => a.append('drone.message', line(n), source(n), Date.now()));
      await a.flush();
      await Promise.all(done);
    }
    let copies = 0;
    for await (const _ of archivedLines(clients.s3, bucket, { type: 'drone.message' })) copies++;
    assert.equal(copies, 3);
  });
});
