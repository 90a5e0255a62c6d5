import assert from 'node:assert/strict';

import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';

import { E } from '../codec.ts';
import { defaultBackoff } from '../retry.ts';
import type { Delivery } from './bus.ts';
import { packRecord } from './kinesis-packing.ts';
import { ShardReader } from './kinesis-shard-reader.ts';

/** A shard of `records` behind a fake client: one GetRecords returns them all, then the shard is idle. */
const fakeKinesis = (records: ReadonlyArray<Uint8Array>) => {
  let polls = 0;
  const send = (cmd: unknown) => {
    if (cmd instanceof GetShardIteratorCommand) return Promise.resolve({ ShardIterator: 'it' });
    if (cmd instanceof GetRecordsCommand)
      return Promise.resolve(
        polls++ === 0
          ? {
              Records: records.map((Data, i) => ({ Data, SequenceNumber: String(1_000 + i) })),
              NextShardIterator: 'it',
            }
          : { Records: [], NextShardIterator: 'it' },
      );
    return Promise.reject(new Error(`unexpected ${String(cmd)}`));
  };
  return { send } as unknown as KinesisClient;
};

describe('Bus > kinesis shard reader', () => {
  it('unpacks one record ahead of the hand-out, not a whole poll batch', async () => {
    const message = new Uint8Array(Buffer.from(JSON.stringify({ id: 'x' })));
    const record = await packRecord(Array.from({ length: 100 }, () => message));
    let decoded = 0;
    const got: Array<Delivery<unknown>> = [];
    const reader = new ShardReader<unknown>(
      {
        pollIntervalMs: 1,
        idlePollMaxMs: 5,
        maxRecordsPerPoll: 10_000,
        maxInFlight: 10,
        retry: defaultBackoff,
      },
      {
        kinesis: fakeKinesis(Array.from({ length: 50 }, () => record)),
        stream: 's',
        shardId: 'shardId-0',
        startAt: 'TRIM_HORIZON',
        decode: (bytes) => {
          decoded++;
          return E.right(bytes);
        },
        deliver: (d) => got.push(d),
        onEnd: () => undefined,
        onFatal: (e) => assert.fail(String(e)),
        events: undefined,
        actor: 'test',
        previous: undefined,
        mark: () => Promise.resolve(true),
      },
    );
    const running = reader.run();
    await new Promise((r) => setTimeout(r, 50));
    // Nothing acknowledged: 10 handed out, and only the first record of the 50 fetched is unpacked.
    assert.equal(got.length, 10);
    assert.equal(decoded, 100, `${decoded} messages unpacked`);
    // Acknowledging all of it lets the next record be unpacked.
    for (let i = 0; i < 100; i++) {
      await Promise.all(got.splice(0).map((d) => d.ack()));
      await new Promise((r) => setTimeout(r, 1));
    }
    assert.ok(decoded > 100, `${decoded} messages unpacked after the acks`);
    reader.stop();
    await running;
  });
});
