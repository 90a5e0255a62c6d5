/**
 * The consumer against kinesalite with GetRecords faults injected: expired iterators (kinesalite expires them only
 * after five minutes) and throttling; plus the start position of a new application, lag events and the polling
 * rate per shard.
 */
import assert from 'node:assert/strict';

import { type AwsClients, createAwsClients } from '../../runtime/aws/clients.ts';
import { createStream, deleteStream } from '../../runtime/aws/provision.ts';
import { type Delivery, topic } from '../../runtime/bus/bus.ts';
import { createKinesisBus, type KinesisBusOptions } from '../../runtime/bus/kinesis.ts';
import { E, t } from '../../runtime/codec.ts';
import { expiredIterator, injectCallFaults, throttled } from '../helpers/fault-kinesis.ts';
import { observedBus } from '../helpers/observed-bus.ts';
import { type TestStack, uniqueName, useStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait-for.ts';

const Msg = t.type({ id: t.string, key: t.string });
type Msg = t.TypeOf<typeof Msg>;
const msgs = (prefix: string, count: number): Msg[] =>
  Array.from({ length: count }, (_, n) => ({ id: `${prefix}-${n}`, key: `k${n % 16}` }));

describe('Kinesis bus > consumer on the local stack', function () {
  this.timeout(60_000);
  let stack: TestStack;
  let clients: AwsClients;
  const streams: string[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];

  before(async () => {
    stack = await useStack();
    // Own clients: the faults see all their calls. One attempt per call, so each injected fault reaches the reader
    // (the SDK and the wire would otherwise retry a throttled call themselves first).
    clients = createAwsClients(stack.target, { maxAttempts: 1 });
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  after(async () => {
    clients?.destroy();
    await Promise.all(streams.map((s) => deleteStream(stack.clients, s)));
  });

  /** A stream with `count` messages already in it, and a consumer of it on the faulty client. */
  const consume = async (
    count: number,
    consumer: KinesisBusOptions['consumer'] = {},
    initialPosition: 'trim_horizon' | 'latest' = 'trim_horizon',
  ) => {
    const stream = uniqueName('consumer');
    await createStream(stack.clients, stream, 2);
    streams.push(stream);
    const tp = topic(stream, Msg, (m) => m.key);
    const publisher = createKinesisBus({
      clients: stack.clients,
      leaseTable: 'prestacop-leases',
      target: 'local',
    });
    cleanups.push(() => publisher.close());
    if (count > 0) await publisher.publish(tp, msgs('old', count));
    const { bus, seen } = observedBus({
      clients,
      consumer: { leaseTimeoutMs: 3_000, checkpointIntervalMs: 100, ...consumer },
    });
    const got: Array<Delivery<Msg>> = [];
    const sub = bus
      .subscribe(tp, { application: 'consumer-test', initialPosition })
      .subscribe((d) => {
        got.push(d);
        void d.ack();
      });
    cleanups.push(async () => {
      sub.unsubscribe();
      await bus.close();
    });
    const ids = () => got.map((d) => (E.isRight(d.payload) ? d.payload.right.id : 'bad'));
    return { got, ids, seen, publish: (m: Msg[]) => publisher.publish(tp, m) };
  };

  it('gets a new iterator from the last record read when one expires: nothing lost, nothing repeated', async () => {
    const faults = injectCallFaults(clients.kinesis, 'GetRecords', (n) =>
      n % 3 === 2 ? expiredIterator() : undefined,
    );
    cleanups.push(faults.remove);
    const { ids } = await consume(1_000, { maxRecordsPerPoll: 50 });
    await waitFor('1,000 deliveries', () => ids().length >= 1_000, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(faults.calls() > 20, `${faults.calls()} GetRecords calls`);
    assert.equal(ids().length, 1_000, 'no delivery twice');
    assert.equal(new Set(ids()).size, 1_000);
  });

  it('backs off and retries a throttled GetRecords', async () => {
    const faults = injectCallFaults(clients.kinesis, 'GetRecords', (n) =>
      n < 6 ? throttled() : undefined,
    );
    cleanups.push(faults.remove);
    const retry = { initialMs: 20, factor: 2, jitter: 0.2, maxMs: 100, retries: Infinity };
    const { ids, seen } = await consume(200, { retry });
    await waitFor('200 deliveries', () => new Set(ids()).size === 200, 10_000);
    assert.ok(seen.filter((e) => e.type === 'bus.retry').length >= 6);
  });

  it('starts a new application at the latest record when asked, and emits lag per shard', async () => {
    const { ids, seen, publish } = await consume(100, {}, 'latest');
    await waitFor(
      'both leases',
      () => seen.filter((e) => e.type === 'bus.lease_acquired').length === 2,
      10_000,
    );
    await new Promise((r) => setTimeout(r, 200));
    await publish(msgs('new', 20));
    await waitFor('the new messages', () => ids().length >= 20, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(new Set(ids()), new Set(msgs('new', 20).map((m) => m.id)));
    const lagShards = new Set(
      seen.flatMap((e) => (e.type === 'bus.lag' ? [e.payload.shardId] : [])),
    );
    assert.equal(lagShards.size, 2);
  });

  it('polls each shard no faster than its share of GetRecords calls', async () => {
    const faults = injectCallFaults(clients.kinesis, 'GetRecords', () => undefined);
    cleanups.push(faults.remove);
    const { ids, publish } = await consume(0, { pollIntervalMs: 200, idlePollMaxMs: 400 });
    const started = Date.now();
    for (let i = 0; i < 10; i++) {
      await publish(msgs(`burst${i}`, 50));
      await new Promise((r) => setTimeout(r, 150));
    }
    await waitFor('every burst', () => new Set(ids()).size === 500, 10_000);
    const seconds = (Date.now() - started) / 1000;
    // Counted at the request handler: a count of 0 would mean the polls went past it, not that there were none.
    assert.ok(faults.calls() >= 5, `${faults.calls()} GetRecords calls seen`);
    const rate = faults.calls() / seconds / 2;
    console.log(
      `      ${faults.calls()} GetRecords in ${seconds.toFixed(1)} s on 2 shards: ${rate.toFixed(1)}/s per shard`,
    );
    assert.ok(
      rate <= 5.5,
      `at most 5 calls/s per shard with a 200 ms interval, got ${rate.toFixed(1)}`,
    );
  });
});
