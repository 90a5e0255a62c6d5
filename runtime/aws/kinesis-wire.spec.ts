/**
 * GetRecords on the wire, its own handling: the request as the JSON 1.1 protocol writes it, records read back as
 * the SDK reads them, errors named as the SDK names them, an abort that ends the call and is never retried. The
 * two paths on the Kinesis emulator: test/integration/kinesis-wire.int.spec.ts.
 */
import assert from 'node:assert/strict';

import { GetRecordsCommand, KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';

import { clientAnswering as answering } from '../../test/helpers/answering-client.ts';
import { isRetriableCause } from '../errors.ts';
import { AwsWireError } from './json-wire.ts';
import { kinesisGetRecords, wireKinesis } from './kinesis-wire.ts';

const clientAnswering = (responses: ReadonlyArray<readonly [number, string]>) =>
  answering(KinesisClient, responses);

const records = {
  Records: [
    {
      SequenceNumber: '4959',
      ApproximateArrivalTimestamp: 1_733_000_000.1234,
      Data: Buffer.from([0, 255, 1, 254]).toString('base64'),
      PartitionKey: 'drone-1',
    },
    {
      SequenceNumber: '4960',
      ApproximateArrivalTimestamp: 1_733_000_001,
      Data: Buffer.from('{"id":"a"}').toString('base64'),
      PartitionKey: 'drone-2',
      EncryptionType: 'KMS',
    },
  ],
  NextShardIterator: 'next',
  MillisBehindLatest: 1500,
};

describe('Runtime > Kinesis wire path', () => {
  it('signs a JSON 1.1 GetRecords and reads the records back as the SDK does', async () => {
    const { client, calls } = clientAnswering([[200, JSON.stringify(records)]]);
    const out = await kinesisGetRecords(client)({ ShardIterator: 'it', Limit: 50 });
    assert.equal(calls[0]!.headers['x-amz-target'], 'Kinesis_20131202.GetRecords');
    assert.equal(calls[0]!.headers['content-type'], 'application/x-amz-json-1.1');
    assert.match(
      calls[0]!.headers.authorization ?? '',
      /^AWS4-HMAC-SHA256 Credential=k\/\d{8}\/eu-west-1\/kinesis\//,
    );
    assert.deepEqual(JSON.parse(calls[0]!.body), { ShardIterator: 'it', Limit: 50 });

    // The SDK's own reading of the same response, through its own deserializer.
    const sdk = await clientAnswering([[200, JSON.stringify(records)]]).client.send(
      new GetRecordsCommand({ ShardIterator: 'it', Limit: 50 }),
    );
    assert.deepEqual(
      { ...out, $metadata: undefined },
      { ...sdk, $metadata: undefined },
      'the same output as the SDK',
    );
    const first = out.Records![0]!;
    assert.equal(first.ApproximateArrivalTimestamp!.getTime(), 1_733_000_000_123);
    assert.equal(Object.getPrototypeOf(first.Data), Uint8Array.prototype, 'bytes, not a Buffer');
    assert.deepEqual([...first.Data!], [0, 255, 1, 254]);
    assert.equal(out.MillisBehindLatest, 1500);
    assert.equal(out.NextShardIterator, 'next');
  });

  it('names errors as the SDK does: an expired iterator fails at once, throttling is retried to maxAttempts', async () => {
    const expired = clientAnswering([
      [400, JSON.stringify({ __type: 'ExpiredIteratorException', message: 'too old' })],
    ]);
    await assert.rejects(
      kinesisGetRecords(expired.client)({ ShardIterator: 'it' }),
      (e: unknown) =>
        e instanceof AwsWireError && e.name === 'ExpiredIteratorException' && !isRetriableCause(e),
    );
    assert.equal(expired.calls.length, 1);

    const slow = JSON.stringify({
      __type: 'com.amazonaws.kinesis#ProvisionedThroughputExceededException',
      message: 'Rate exceeded',
    });
    const throttled = clientAnswering([[400, slow]]);
    await assert.rejects(
      kinesisGetRecords(throttled.client)({ ShardIterator: 'it' }),
      (e: unknown) =>
        e instanceof AwsWireError &&
        e.name === 'ProvisionedThroughputExceededException' &&
        isRetriableCause(e),
    );
    assert.equal(throttled.calls.length, 3);
  });

  it('hands the abort signal to the request handler and never retries once aborted', async () => {
    const { client, calls } = clientAnswering([[503, 'unavailable']]);
    const stop = new AbortController();
    const call = kinesisGetRecords(client)({ ShardIterator: 'it' }, stop.signal);
    stop.abort(new Error('stopped'));
    await assert.rejects(call);
    assert.equal(calls.length, 1, 'a 503 is retriable, but not after the abort');
    assert.equal(calls[0]!.signal, stop.signal);
  });

  it('wireKinesis takes only GetRecords; every other command goes to the SDK client', async () => {
    const { client, calls } = clientAnswering([[200, JSON.stringify(records)]]);
    const sdkCalls: unknown[] = [];
    const sdk = Object.assign(Object.create(client) as KinesisClient, {
      send: (c: unknown) => (sdkCalls.push(c), Promise.resolve({})),
    });
    const kinesis = wireKinesis(sdk);
    const stop = new AbortController();
    const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: 'it' }), {
      abortSignal: stop.signal,
    });
    await kinesis.send(new ListShardsCommand({ StreamName: 's' }));
    assert.equal(out.Records?.length, 2);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.signal, stop.signal, 'the send option reaches the wire');
    assert.equal(sdkCalls.length, 1);
    assert.ok(sdkCalls[0] instanceof ListShardsCommand);
  });
});
