/**
 * Resharding on the local stack: a shard split while a consumer reads it. The consumer reads the parent to its end,
 * checkpoints it as finished, then reads the children from their start, so every message arrives and the order of
 * each partition key holds across the split.
 */
import assert from 'node:assert/strict';

import { DescribeStreamSummaryCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';

import { createStream, deleteStream } from '../../runtime/aws/provision.ts';
import { topic } from '../../runtime/bus/bus.ts';
import { LeaseStore, SHARD_END } from '../../runtime/bus/kinesis-leases.ts';
import { listShards } from '../../runtime/bus/kinesis-shards.ts';
import { E, t } from '../../runtime/codec.ts';
import { observedBus } from '../helpers/observed-bus.ts';
import { type TestStack, uniqueName, useStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait-for.ts';

const Msg = t.type({ id: t.string, key: t.string, n: t.number });
type Msg = t.TypeOf<typeof Msg>;
const msgs = (from: number, count: number): Msg[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `m-${from + i}`,
    key: `k${i % 10}`,
    n: from + i,
  }));

describe('Kinesis bus > resharding on the local stack', function () {
  this.timeout(60_000);
  let stack: TestStack;
  let stream: string | undefined;

  before(async () => {
    stack = await useStack();
  });
  after(async () => {
    if (stream) await deleteStream(stack.clients, stream);
  });

  it('finishes a parent shard before its children, keeping every key in order', async () => {
    stream = uniqueName('reshard');
    await createStream(stack.clients, stream, 1);
    const { bus, seen } = observedBus({
      clients: stack.clients,
      consumer: { leaseTimeoutMs: 2_000, checkpointIntervalMs: 50, shardSyncIntervalMs: 500 },
    });
    const tp = topic(stream, Msg, (m) => m.key);
    const got: Msg[] = [];
    const sub = bus.subscribe(tp, { application: 'reshard-test' }).subscribe((d) => {
      if (E.isRight(d.payload)) got.push(d.payload.right);
      void d.ack();
    });
    try {
      await bus.publish(tp, msgs(0, 300));
      await waitFor("the parent's messages", () => got.length >= 300, 10_000);
      const [parent] = await listShards(stack.clients.kinesis, stream);
      await stack.clients.kinesis.send(
        new SplitShardCommand({
          StreamName: stream,
          ShardToSplit: parent!.shardId,
          NewStartingHashKey: (2n ** 127n).toString(),
        }),
      );
      await waitFor(
        'the split',
        async () =>
          (
            await stack.clients.kinesis.send(
              new DescribeStreamSummaryCommand({ StreamName: stream }),
            )
          ).StreamDescriptionSummary?.StreamStatus === 'ACTIVE',
        10_000,
      );
      await bus.publish(tp, msgs(300, 300));
      await waitFor('every message', () => new Set(got.map((m) => m.id)).size === 600, 15_000);

      const shards = await listShards(stack.clients.kinesis, stream);
      const children = shards.filter((s) => s.parentShardIds.includes(parent!.shardId));
      assert.equal(children.length, 2);
      const store = new LeaseStore(
        stack.clients.doc,
        'prestacop-leases',
        'reshard-test',
        stream,
        0,
      );
      const { leases } = await store.read(shards.map((s) => s.shardId));
      assert.equal(leases.find((l) => l.shardId === parent!.shardId)?.checkpoint, SHARD_END);
      assert.ok(
        seen.some((e) => e.type === 'bus.shard_ended' && e.payload.shardId === parent!.shardId),
      );
      for (let k = 0; k < 10; k++) {
        const ns = got.filter((m) => m.key === `k${k}`).map((m) => m.n);
        assert.deepEqual(
          ns,
          [...ns].sort((a, b) => a - b),
          `order of k${k}`,
        );
      }
    } finally {
      sub.unsubscribe();
      await bus.close();
    }
  });
});
