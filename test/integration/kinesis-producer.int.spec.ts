/**
 * The producer against kinesalite with PutRecords failures injected (emulators never throttle): only the failed
 * entries are resent, nothing is lost or written twice by the producer, and publish() applies backpressure.
 */
import assert from 'node:assert/strict';

import { type AwsClients, createAwsClients } from '../../runtime/aws/clients.ts';
import { createStream, deleteStream } from '../../runtime/aws/provision.ts';
import { topic } from '../../runtime/bus/bus.ts';
import { createKinesisBus, type ProducerOptions } from '../../runtime/bus/kinesis.ts';
import { isPacked, unpackRecord } from '../../runtime/bus/kinesis-packing.ts';
import { KinesisProducer } from '../../runtime/bus/kinesis-producer.ts';
import { t } from '../../runtime/codec.ts';
import { createEventHub, type RuntimeEvent } from '../../runtime/events.ts';
import { injectPutRecordsFaults, throttlingError } from '../helpers/fault-kinesis.ts';
import { readStream } from '../helpers/kinesis-stream.ts';
import { type TestStack, uniqueName, useStack } from '../helpers/stack.ts';

const Msg = t.type({ id: t.string, key: t.string, n: t.number });
type Msg = t.TypeOf<typeof Msg>;
const msgs = (count: number, keys: number): Msg[] =>
  Array.from({ length: count }, (_, n) => ({ id: `m-${n}`, key: `k${n % keys}`, n }));
const fastRetry = { initialMs: 10, factor: 2, jitter: 0.2, maxMs: 100, retries: 10 };

/** A seeded pseudo-random source, so a failing run can be replayed. */
const seeded = (seed: number) => () => {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
  return seed / 2 ** 32;
};

const decodeAll = async (records: ReadonlyArray<{ data: Uint8Array }>): Promise<Msg[]> => {
  const out: Msg[] = [];
  for (const r of records) {
    const u = await unpackRecord(r.data);
    if (u.kind === 'corrupt') throw new Error(u.reason);
    for (const m of u.messages) out.push(JSON.parse(Buffer.from(m).toString('utf8')) as Msg);
  }
  return out;
};

describe('Kinesis bus > producer on the local stack', function () {
  this.timeout(60_000);
  let stack: TestStack;
  let clients: AwsClients;
  const streams: string[] = [];

  const newStream = async (shards: number) => {
    const name = uniqueName('producer');
    await createStream(stack.clients, name, shards);
    streams.push(name);
    return name;
  };

  before(async () => {
    stack = await useStack();
    clients = createAwsClients(stack.target); // own client: the fault middleware sees all its calls
  });
  after(async () => {
    clients?.destroy();
    await Promise.all(streams.map((s) => deleteStream(stack.clients, s)));
  });

  const throughFaults = async (producer: ProducerOptions) => {
    const stream = await newStream(4);
    const random = seeded(42);
    const faults = injectPutRecordsFaults(clients.kinesis, {
      failCall: (call) => (call === 1 ? throttlingError() : undefined),
      failEntry: () =>
        random() < 0.2
          ? random() < 0.5
            ? 'ProvisionedThroughputExceededException'
            : 'InternalFailure'
          : undefined,
    });
    const events = createEventHub();
    const retries: RuntimeEvent[] = [];
    events.events$.subscribe((e) => e.type === 'bus.publish_retry' && retries.push(e));
    const bus = createKinesisBus({
      clients,
      leaseTable: 'prestacop-leases',
      target: 'local',
      events,
      producer: { retry: fastRetry, ...producer },
    });
    const tp = topic(stream, Msg, (m) => m.key);
    const all = msgs(3_000, 40);
    try {
      await Promise.all(
        [0, 1, 2].map((i) => bus.publish(tp, all.slice(i * 1_000, i * 1_000 + 1_000))),
      );
      await bus.close();
    } finally {
      faults.remove();
    }
    const stored = await decodeAll(await readStream(stack.clients.kinesis, stream));
    return { all, stored, stats: faults.stats, retries };
  };

  it('resends only the failed entries of a request: none lost, none duplicated', async () => {
    const { all, stored, stats, retries } = await throughFaults({});
    console.log(
      `      ${stats.calls} calls, ${stats.attempted} entries sent, ${stats.injected} failed by injection`,
    );
    assert.ok(stats.injected > 300, `faults were injected: ${stats.injected}`);
    assert.equal(stats.forwarded, all.length, 'every message reached the stream exactly once');
    assert.equal(stats.attempted, all.length + stats.injected, 'only failed entries were resent');
    assert.equal(stored.length, all.length);
    assert.deepEqual(new Set(stored.map((m) => m.id)), new Set(all.map((m) => m.id)));
    assert.ok(retries.length > 0, 'bus.publish_retry events');
  });

  it('keeps per-key order through failures in strict order mode', async () => {
    const { all, stored, stats } = await throughFaults({ strictOrder: true });
    assert.equal(stats.forwarded, all.length);
    assert.equal(stored.length, all.length);
    const byKey = new Map<string, number[]>();
    for (const m of stored) byKey.set(m.key, [...(byKey.get(m.key) ?? []), m.n]);
    for (const [key, ns] of byKey)
      assert.deepEqual(
        ns,
        [...ns].sort((a, b) => a - b),
        `order of ${key}`,
      );
  });

  it('packs small messages of one key into shared records, in order', async () => {
    const stream = await newStream(2);
    const bus = createKinesisBus({
      clients,
      leaseTable: 'prestacop-leases',
      target: 'local',
      producer: { packing: { compression: { codec: 'gzip', level: 6 } } },
    });
    const all = msgs(2_000, 8);
    await Promise.all(
      all.map((m) =>
        bus.publish(
          topic(stream, Msg, (x) => x.key),
          [m],
        ),
      ),
    );
    await bus.close();
    const records = await readStream(stack.clients.kinesis, stream);
    assert.ok(records.length <= 100, `${records.length} records for 2,000 messages`);
    assert.ok(records.some((r) => isPacked(r.data)));
    const stored = await decodeAll(records);
    assert.equal(stored.length, all.length);
    for (let k = 0; k < 8; k++) {
      const ns = stored.filter((m) => m.key === `k${k}`).map((m) => m.n);
      assert.deepEqual(
        ns,
        [...ns].sort((a, b) => a - b),
      );
    }
  });

  it('sends a raw message too short for a pack as a record of its own, and packs the rest', async () => {
    const stream = await newStream(1);
    const bus = createKinesisBus({
      clients,
      leaseTable: 'prestacop-leases',
      target: 'local',
      producer: { packing: true },
    });
    const json = (n: number) => new Uint8Array(Buffer.from(JSON.stringify({ n })));
    const raw = [json(1), new Uint8Array(Buffer.from('7')), json(2), json(3)];
    await bus.publishRaw(
      stream,
      raw.map((data) => ({ partitionKey: 'k', data })),
    );
    await bus.close();
    const records = await readStream(stack.clients.kinesis, stream);
    const read = [];
    for (const r of records) {
      const u = await unpackRecord(r.data);
      assert.notEqual(u.kind, 'corrupt', u.kind === 'corrupt' ? u.reason : '');
      if (u.kind !== 'corrupt') read.push(...u.messages.map((m) => Buffer.from(m).toString()));
    }
    assert.ok(
      records.some((r) => isPacked(r.data)),
      'the others are packed',
    );
    assert.deepEqual(read, ['{"n":1}', '7', '{"n":2}', '{"n":3}']);
  });

  it('gives up after the retries and rejects with a PortFailure', async () => {
    const stream = await newStream(1);
    const faults = injectPutRecordsFaults(clients.kinesis, {
      failEntry: () => 'ProvisionedThroughputExceededException',
    });
    const producer = new KinesisProducer(settings({ retry: { ...fastRetry, retries: 2 } }), {
      kinesis: clients.kinesis,
      actor: 'test',
    });
    try {
      await assert.rejects(
        producer.publish(stream, [{ partitionKey: 'k', data: Buffer.from('{}') }]),
        (e: { _tag: string; retriable: boolean }) => e._tag === 'PortFailure' && e.retriable,
      );
      assert.equal(faults.stats.attempted, 3);
      await producer.close();
    } finally {
      faults.remove();
    }
  });

  it('makes publish() wait when its buffer is full, and never holds more', async () => {
    const stream = await newStream(2);
    let producer: KinesisProducer | undefined = undefined;
    let peak = 0;
    const faults = injectPutRecordsFaults(clients.kinesis, {
      delayMs: 20,
      onCall: () => (peak = Math.max(peak, producer?.buffered.messages ?? 0)),
    });
    producer = new KinesisProducer(settings({ maxBufferedMessages: 100 }), {
      kinesis: clients.kinesis,
      actor: 'test',
    });
    try {
      const data = (n: number) => ({ partitionKey: `k${n % 10}`, data: Buffer.from(`{"n":${n}}`) });
      const all = Array.from({ length: 1_000 }, (_, n) => data(n));
      let settledEarly = false;
      const publishing = producer.publish(stream, all).then(() => (settledEarly = true));
      await new Promise((r) => setTimeout(r, 30));
      assert.ok(!settledEarly);
      assert.ok(producer.buffered.messages <= 100, `${producer.buffered.messages} held`);
      await publishing;
      await producer.close();
      assert.ok(peak <= 100 && peak > 0, `peak ${peak}`);
      assert.equal((await readStream(stack.clients.kinesis, stream)).length, 1_000);
    } finally {
      faults.remove();
    }
  });

  it('close() sends the publishes still waiting for room, then refuses new ones', async () => {
    const stream = await newStream(1);
    const producer = new KinesisProducer(settings({ maxBufferedMessages: 50 }), {
      kinesis: clients.kinesis,
      actor: 'test',
    });
    const all = Array.from({ length: 500 }, (_, n) => ({
      partitionKey: `k${n % 7}`,
      data: Buffer.from(`{"n":${n}}`),
    }));
    const publishing = producer.publish(stream, all);
    await producer.close();
    await publishing;
    assert.equal((await readStream(stack.clients.kinesis, stream)).length, 500);
    await assert.rejects(
      producer.publish(stream, all.slice(0, 1)),
      (e: { _tag: string; message: string }) =>
        e._tag === 'PortFailure' && /closed/.test(e.message),
    );
  });

  it('holds a shard to its write rate', async () => {
    const stream = await newStream(1);
    const producer = new KinesisProducer(
      settings({ shardRate: { recordsPerSec: 500, bytesPerSec: 1_000_000 } }),
      { kinesis: clients.kinesis, actor: 'test' },
    );
    const started = Date.now();
    const all = Array.from({ length: 1_000 }, (_, n) => ({
      partitionKey: `k${n}`,
      data: Buffer.from(`{"n":${n}}`),
    }));
    await producer.publish(stream, all);
    await producer.close();
    const ms = Date.now() - started;
    // 500 at once (one second of burst), then 500 more at 500/s.
    assert.ok(ms >= 900, `1,000 records at 500/s took ${ms} ms`);
  });
});

const settings = (
  o: Partial<ConstructorParameters<typeof KinesisProducer>[0]>,
): ConstructorParameters<typeof KinesisProducer>[0] => ({
  maxRecordsPerRequest: 500,
  maxBytesPerRequest: 5 * 1024 * 1024,
  maxRequestsInFlight: 4,
  lingerMs: 5,
  strictOrder: false,
  shardRate: false,
  packing: false,
  retry: fastRetry,
  shardMapRefreshMs: 60_000,
  maxBufferedBytes: 32 * 1024 * 1024,
  maxBufferedMessages: 100_000,
  ...o,
});
