import assert from 'node:assert/strict';

import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';

import { waitFor } from '../../test/helpers/wait-for.ts';
import { E } from '../codec.ts';
import { defaultBackoff } from '../retry.ts';
import type { Delivery } from './bus.ts';
import type { AttemptMark } from './kinesis-leases.ts';
import { packRecord } from './kinesis-packing.ts';
import { ShardReader, type ShardReaderDeps } from './kinesis-shard-reader.ts';

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

/** A shard that brings one new record at each poll, numbered from 1,000. */
const endlessKinesis = () => {
  let next = 1_000;
  const send = (cmd: unknown) => {
    if (cmd instanceof GetShardIteratorCommand) return Promise.resolve({ ShardIterator: 'it' });
    if (cmd instanceof GetRecordsCommand)
      return packRecord([new Uint8Array(Buffer.from('{}'))]).then((Data) => ({
        Records: [{ Data, SequenceNumber: String(next++) }],
        NextShardIterator: 'it',
      }));
    return Promise.reject(new Error(`unexpected ${String(cmd)}`));
  };
  return { send } as unknown as KinesisClient;
};

const settings = {
  pollIntervalMs: 1,
  idlePollMaxMs: 5,
  maxRecordsPerPoll: 10_000,
  maxInFlight: 10,
  retry: defaultBackoff,
};

/** A reader of an endless shard that acknowledges everything, with its marks recorded. */
const markingReader = (
  previous?: AttemptMark,
  startAt = 'TRIM_HORIZON',
  onDelivered: (reader: ShardReader<unknown>, n: number) => void = () => undefined,
) => {
  const marks: AttemptMark[] = [];
  const delivered: string[] = [];
  const deps: ShardReaderDeps<unknown> = {
    kinesis: endlessKinesis(),
    stream: 's',
    shardId: 'shardId-0',
    startAt,
    decode: (bytes) => E.right(bytes),
    deliver: (d) => {
      delivered.push(d.source.sequence);
      onDelivered(reader, delivered.length);
      void d.ack();
    },
    onEnd: () => undefined,
    onFatal: (e) => assert.fail(String(e)),
    events: undefined,
    actor: 'test',
    previous,
    mark: (m) => {
      marks.push(m);
      return Promise.resolve(true);
    },
  };
  const reader = new ShardReader<unknown>(settings, deps);
  readers.push(reader);
  return { reader, marks, delivered, running: reader.run() };
};
/** Stopped after each test, passed or failed: an endless shard's reader polls until told. */
const readers: Array<ShardReader<unknown>> = [];

describe('Bus > kinesis shard reader', () => {
  afterEach(() => readers.splice(0).forEach((r) => r.stop()));

  it('marks each poll batch before its hand-out until a checkpoint is written, then no more', async () => {
    const { reader, marks, delivered, running } = markingReader();
    await waitFor(
      '5 handed out',
      () => delivered.length,
      5_000,
      (n) => n >= 5,
    );
    // Each record came in a poll of its own, and each was marked before it was handed out.
    assert.ok(
      marks.length >= delivered.length,
      `${marks.length} marks, ${delivered.length} handed out`,
    );
    assert.deepEqual(
      marks.slice(0, 5).map((m) => m.to),
      delivered.slice(0, 5),
    );
    reader.checkpointWritten();
    const marked = marks.length;
    const handed = delivered.length;
    await waitFor(
      'handed + 20 handed out',
      () => delivered.length,
      5_000,
      (n) => n >= handed + 20,
    );
    // A successor ignores a plain mark once the checkpoint moved: the hand-outs no longer wait for one.
    assert.ok(marks.length <= marked + 1, `${marks.length - marked} marks after the checkpoint`);
    reader.stop();
    await running;
  });

  it('after a careful range, writes one plain mark to clear its suspect even past a checkpoint', async () => {
    // The predecessor died before any progress: this reader goes carefully through 1,000..1,002. A checkpoint is
    // written while it still does (at its first hand-out, not when a test's poll notices: no race with the reader).
    const { marks, delivered, reader, running } = markingReader(
      { from: 'TRIM_HORIZON', to: '1002' },
      'TRIM_HORIZON',
      (r, n) => n === 1 && r.checkpointWritten(),
    );
    await waitFor(
      '30 handed out',
      () => delivered.length,
      5_000,
      (n) => n >= 30,
    );
    assert.ok(
      marks.some((m) => m.suspect !== undefined),
      'the careful ranges name a suspect',
    );
    const lastSuspect = marks.findLastIndex((m) => m.suspect !== undefined);
    const after = marks.slice(lastSuspect + 1);
    // The suspect must not stay on the lease (a successor would go carefully again): one plain mark, then none.
    assert.ok(after.length >= 1, 'no plain mark cleared the suspect');
    assert.equal(after.length, 1, `${after.length} plain marks after the careful range`);
    reader.stop();
    await running;
  });

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
