/**
 * The hot table under a flood of puts, beside a Kinesis consumer sharing its DynamoDB client (as in the storage
 * writer's process): at most `maxConcurrentBatches` BatchWriteItem calls are in flight, every put lands, and the
 * consumer's lease renewals and checkpoints keep getting through, so no lease is lost. Before the bound, a flood
 * queued hundreds of calls on the client's sockets and at DynamoDB Local's one SQLite lock; renewals behind them
 * timed out and the leases were dropped.
 */
import assert from 'node:assert/strict';

import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';

import { createDynamoTable } from '../../actors/stream-to-storage/dynamo-table.ts';
import { createAwsClients } from '../../runtime/aws/clients.ts';
import { type DocSender, wireDocClient } from '../../runtime/aws/dynamodb-wire.ts';
import { createStream, createTable, deleteStream } from '../../runtime/aws/provision.ts';
import { topic } from '../../runtime/bus/bus.ts';
import { t } from '../../runtime/codec.ts';
import { observedBus } from '../helpers/observed-bus.ts';
import { type TestStack, uniqueName, useStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait-for.ts';

const LEASE_TIMEOUT_MS = 3_000;
const PUTS = 2_000;
const MAX_BATCHES = 2;

describe('StreamToStorage > hot table under load', function () {
  this.timeout(120_000);
  let stack: TestStack;
  const streams: string[] = [];

  before(async () => {
    stack = await useStack();
  });
  after(async () => {
    await Promise.all(streams.map((s) => deleteStream(stack.clients, s)));
  });

  it('bounds the BatchWriteItem calls in flight and loses no lease of a consumer on the same client', async () => {
    const tableName = uniqueName('messages');
    const stream = uniqueName('load');
    streams.push(stream);
    await Promise.all([
      createTable(stack.clients, { name: tableName, hashKey: 'id', ttlAttribute: null }),
      createStream(stack.clients, stream, 2),
    ]);
    // Clients of their own, one for the table and the leases as in the service; the table's calls go over the wire
    // path as in the service (`wireDocClient`), observed (not replaced) by a wrapper counting the BatchWriteItem
    // calls in flight.
    const clients = createAwsClients(stack.target);
    const wire = wireDocClient(clients.doc, clients.dynamodb);
    let inFlight = 0;
    let maxInFlight = 0;
    const counted: DocSender = {
      send: (async (command: unknown, ...rest: unknown[]) => {
        const send = wire.send as (...args: unknown[]) => Promise<unknown>;
        if (!(command instanceof BatchWriteCommand)) return send(command, ...rest);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          return await send(command, ...rest);
        } finally {
          inFlight--;
        }
      }) as DocSender['send'],
    };
    const { bus, seen } = observedBus({
      clients,
      consumer: { leaseTimeoutMs: LEASE_TIMEOUT_MS, checkpointIntervalMs: 200 },
    });
    const sub = bus
      .subscribe(
        topic(stream, t.unknown, () => 'k'),
        { application: uniqueName('load-test') },
      )
      .subscribe((d) => void d.ack());
    try {
      await waitFor(
        'both leases',
        () => seen.filter((e) => e.type === 'bus.lease_acquired').length === 2,
        20_000,
      );
      const table = createDynamoTable(counted, tableName, {
        maxConcurrentBatches: MAX_BATCHES,
      });
      const started = Date.now();
      await Promise.all(
        Array.from({ length: PUTS }, (_, n) =>
          table.put({ id: `m-${n}`, messageHash: 'h', n, body: 'x'.repeat(200) }),
        ),
      );
      const ms = Date.now() - started;
      console.log(
        `      ${PUTS} puts in ${ms} ms (${Math.round((PUTS / ms) * 1_000)} items/s), ` +
          `at most ${maxInFlight} BatchWriteItem calls in flight`,
      );
      // Past at least one lease timeout of flood, so a starved renewal would have shown.
      await new Promise((r) => setTimeout(r, Math.max(0, LEASE_TIMEOUT_MS - ms)));

      const lost = seen.filter((e) => e.type === 'bus.lease_lost');
      assert.deepEqual(lost, [], 'no lease lost');
      const failed = seen.filter((e) => e.type === 'port.failed');
      assert.deepEqual(failed, [], 'no renewal or checkpoint failed');
      assert.ok(maxInFlight <= MAX_BATCHES, `${maxInFlight} calls in flight`);
      assert.ok(maxInFlight >= 1);
      const sample = [0, 1, PUTS / 2, PUTS - 1].map((n) => ({ id: `m-${n}` }));
      const got = await clients.doc.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: sample } } }),
      );
      assert.equal(got.Responses?.[tableName]?.length, sample.length);
    } finally {
      sub.unsubscribe();
      await bus.close();
      clients.destroy();
    }
  });
});
