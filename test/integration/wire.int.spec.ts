/**
 * The wire path (runtime/aws/json-wire.ts) held equal to the SDK on the emulators, for the calls the bus makes on it:
 * GetRecords on the Kinesis emulator (records, bytes and arrival times as the SDK reads them; an error by the same
 * name) and UpdateItem on DynamoDB Local (a conditional update's new attributes; a failed condition by the same
 * name). The batch calls: dynamo-table, batch-get and hot-table-load.int.spec.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';

import { wireDocClient } from '../../runtime/aws/dynamodb-wire.ts';
import { wireKinesis } from '../../runtime/aws/kinesis-wire.ts';
import { createStream, createTable, deleteStream } from '../../runtime/aws/provision.ts';
import { type TestStack, uniqueName, useStack } from '../helpers/stack.ts';

const errorName = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'resolved',
    (e: unknown) => String((e as { name?: unknown }).name),
  );

describe('Runtime > wire path against the SDK > on the local stack', function () {
  this.timeout(60_000);
  let stack: TestStack;
  const streams: string[] = [];

  before(async () => {
    stack = await useStack();
  });
  after(async () => {
    await Promise.all(streams.map((s) => deleteStream(stack.clients, s)));
  });

  it('GetRecords gives the records the SDK gives: sequence, key, bytes, arrival time, next iterator', async () => {
    const stream = uniqueName('wire');
    streams.push(stream);
    await createStream(stack.clients, stream, 1);
    const data = [
      randomBytes(64),
      Buffer.from('{"type":"drone.message","id":"d:1"}'),
      Buffer.from([0]),
      randomBytes(30_000),
    ];
    await stack.clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: data.map((Data, i) => ({ Data, PartitionKey: `k${i}` })),
      }),
    );
    const shards = await stack.clients.kinesis.send(new ListShardsCommand({ StreamName: stream }));
    const { ShardIterator } = await stack.clients.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: stream,
        ShardId: shards.Shards![0]!.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const command = new GetRecordsCommand({ ShardIterator, Limit: 100 });
    const sdk = await stack.clients.kinesis.send(command);
    const wire = await wireKinesis(stack.clients.kinesis).send(command);

    assert.equal(sdk.Records?.length, data.length);
    assert.deepEqual(wire.Records, sdk.Records);
    assert.deepEqual(
      wire.Records.map((r) => Buffer.from(r.Data!)),
      data,
      'every byte as published',
    );
    assert.ok(wire.Records.every((r) => r.ApproximateArrivalTimestamp instanceof Date));
    assert.equal(typeof wire.NextShardIterator, 'string');
    assert.equal(wire.MillisBehindLatest, sdk.MillisBehindLatest);
  });

  it('GetRecords with a bad iterator fails by the name the SDK gives', async () => {
    const command = new GetRecordsCommand({ ShardIterator: 'not-an-iterator', Limit: 1 });
    const sdk = await errorName(stack.clients.kinesis.send(command));
    const wire = await errorName(wireKinesis(stack.clients.kinesis).send(command));
    assert.notEqual(sdk, 'resolved');
    assert.equal(wire, sdk);
  });

  it("UpdateItem gives the SDK's new attributes, and a failed condition by the SDK's name", async () => {
    const table = uniqueName('wire');
    await createTable(stack.clients, { name: table, hashKey: 'leaseKey', ttlAttribute: null });
    const update = (key: string, seen: number) =>
      new UpdateCommand({
        TableName: table,
        Key: { leaseKey: key },
        UpdateExpression:
          'SET #owner = :me, #counter = if_not_exists(#counter, :zero) + :one, #at = :at',
        ConditionExpression: 'attribute_not_exists(#counter) OR #counter = :seen',
        ExpressionAttributeNames: {
          '#owner': 'leaseOwner',
          '#counter': 'leaseCounter',
          '#at': 'at',
        },
        ExpressionAttributeValues: {
          ':me': 'worker-1',
          ':zero': 0,
          ':one': 1,
          ':seen': seen,
          ':at': { nested: [1, 'two', true, null] },
        },
        ReturnValues: 'ALL_NEW',
      });
    const doc = stack.clients.doc;
    const wire = wireDocClient(doc);

    const bySdk = await doc.send(update('sdk', 0));
    const byWire = await wire.send(update('wire', 0));
    assert.deepEqual(byWire.Attributes, { ...bySdk.Attributes, leaseKey: 'wire' });
    assert.equal((byWire.Attributes as { leaseCounter?: number }).leaseCounter, 1);
    const again = await wire.send(update('wire', 1));
    assert.equal((again.Attributes as { leaseCounter?: number }).leaseCounter, 2);

    const sdkFailed = await errorName(doc.send(update('sdk', 5)));
    const wireFailed = await errorName(wire.send(update('wire', 5)));
    assert.equal(sdkFailed, 'ConditionalCheckFailedException');
    assert.equal(wireFailed, sdkFailed);
  });
});
