/**
 * Leases on the local stack: two workers share a 4-shard stream, and the survivor owns every shard within the
 * lease timeout after the other one closes (its leases are released at once) or stops renewing (a worker cut off
 * from DynamoDB: its leases expire, and it stops reading them itself).
 */
import assert from 'node:assert/strict';

import type { Subscription } from 'rxjs';

import { type AwsClients, createAwsClients } from '../../runtime/aws/clients.ts';
import { createStream, deleteStream } from '../../runtime/aws/provision.ts';
import { topic } from '../../runtime/bus/bus.ts';
import { createKinesisBus } from '../../runtime/bus/kinesis.ts';
import { LeaseStore } from '../../runtime/bus/kinesis-leases.ts';
import { listShards } from '../../runtime/bus/kinesis-shards.ts';
import { E, t } from '../../runtime/codec.ts';
import { connectionReset, interceptRequests } from '../helpers/fault-handler.ts';
import { observedBus } from '../helpers/observed-bus.ts';
import { type TestStack, uniqueName, useStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait-for.ts';

const LEASES = 'prestacop-leases';
const LEASE_TIMEOUT_MS = 1_500;
const Msg = t.type({ id: t.string, key: t.string });
type Msg = t.TypeOf<typeof Msg>;
/** How long `wait` took, in ms. */
const timed = async (wait: () => Promise<unknown>): Promise<number> => {
  const started = Date.now();
  await wait();
  return Date.now() - started;
};

const msgs = (prefix: string, count: number): Msg[] =>
  Array.from({ length: count }, (_, n) => ({ id: `${prefix}-${n}`, key: `k${n}` }));

describe('Kinesis bus > leases on the local stack', function () {
  this.timeout(60_000);
  let stack: TestStack;
  const streams: string[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];

  before(async () => {
    stack = await useStack();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  after(async () => {
    await Promise.all(streams.map((s) => deleteStream(stack.clients, s)));
  });

  /** A worker: its own bus (and clients, if given), a subscription that acks everything, its events. */
  const worker = (stream: string, clients: AwsClients, name: string) => {
    const { bus, seen } = observedBus({
      clients,
      leaseTable: LEASES,
      workerId: uniqueName(name),
      consumer: { leaseTimeoutMs: LEASE_TIMEOUT_MS, checkpointIntervalMs: 100 },
    });
    const got: string[] = [];
    const sub: Subscription = bus
      .subscribe(
        topic(stream, Msg, (m) => m.key),
        { application: 'leases-test' },
      )
      .subscribe((d) => {
        if (E.isRight(d.payload)) got.push(d.payload.right.id);
        void d.ack();
      });
    cleanups.push(async () => {
      sub.unsubscribe();
      await bus.close();
    });
    return { bus, got, seen, sub, id: bus.workerId };
  };

  const setup = async () => {
    const stream = uniqueName('leases');
    await createStream(stack.clients, stream, 4);
    streams.push(stream);
    const shardIds = (await listShards(stack.clients.kinesis, stream)).map((s) => s.shardId);
    const store = new LeaseStore(stack.clients.doc, LEASES, 'leases-test', stream, 0);
    const owners = async () => (await store.read(shardIds)).leases.map((l) => l.owner);
    const count = async (owner: string) => (await owners()).filter((o) => o === owner).length;
    const publisher = createKinesisBus({
      clients: stack.clients,
      leaseTable: LEASES,
      target: 'local',
    });
    cleanups.push(() => publisher.close());
    const publish = (prefix: string, n: number) =>
      publisher.publish(
        topic(stream, Msg, (m) => m.key),
        msgs(prefix, n),
      );
    return { stream, owners, count, publish };
  };

  it('two workers own half each; after one closes, the other owns all 4 at once', async () => {
    const { stream, count, publish } = await setup();
    await publish('before', 200);
    const a = worker(stream, stack.clients, 'a');
    await waitFor('a to own 4', async () => (await count(a.id)) === 4, 10_000);
    const b = worker(stream, stack.clients, 'b');
    const balanced = await timed(() =>
      waitFor(
        'an even split',
        async () => (await count(a.id)) === 2 && (await count(b.id)) === 2,
        10_000,
      ),
    );
    console.log(`      balanced 2/2 in ${balanced} ms`);
    assert.ok(
      a.seen.some((e) => e.type === 'bus.lease_lost'),
      'a was told it lost two leases',
    );
    await waitFor(
      'all 200 delivered',
      () => Promise.resolve(new Set([...a.got, ...b.got]).size === 200),
      10_000,
    );

    a.sub.unsubscribe();
    await a.bus.close();
    const takeover = await timed(() =>
      waitFor(
        'b to own 4',
        () => count(b.id),
        LEASE_TIMEOUT_MS,
        (n) => n === 4,
      ),
    );
    console.log(`      b owned all 4 shards ${takeover} ms after a closed`);
    await publish('after', 100);
    await waitFor(
      'b to read the new messages',
      () => Promise.resolve(b.got.filter((id) => id.startsWith('after')).length === 100),
      10_000,
    );
  });

  it('a worker that stops renewing loses its shards, and the other takes them within the lease timeout', async () => {
    const { stream, count, publish } = await setup();
    const cut = createAwsClients(stack.target);
    cleanups.push(() => cut.destroy());
    let partitioned = false;
    // At the request handler: the lease writes go on the wire (json-wire.ts), past any SDK middleware.
    interceptRequests(cut.dynamodb, (_request, forward) =>
      partitioned ? Promise.reject(connectionReset('injected')) : forward(),
    );
    const a = worker(stream, cut, 'a');
    await waitFor('a to own 4', async () => (await count(a.id)) === 4, 10_000);
    const b = worker(stream, stack.clients, 'b');
    await waitFor('an even split', async () => (await count(b.id)) === 2, 10_000);

    partitioned = true;
    const cutAt = Date.now();
    const takeover = await timed(() =>
      waitFor(
        'b to own 4',
        () => count(b.id),
        3 * LEASE_TIMEOUT_MS,
        (n) => n === 4,
      ),
    );
    console.log(`      b owned all 4 shards ${takeover} ms after a was cut off`);
    assert.ok(takeover <= 2 * LEASE_TIMEOUT_MS, `takeover took ${takeover} ms`);
    const lost = a.seen.filter((e) => e.type === 'bus.lease_lost' && e.at >= cutAt);
    const acquired = a.seen.filter((e) => e.type === 'bus.lease_acquired').length;
    const lostAll = a.seen.filter((e) => e.type === 'bus.lease_lost').length;
    assert.equal(acquired - lostAll, 0, 'a stopped reading every shard it held');
    assert.ok(
      lost.some((e) => e.type === 'bus.lease_lost' && e.payload.reason.includes('not renewed')),
      'by itself, for want of renewals',
    );
    assert.ok(
      lost.every((e) => e.at - cutAt < LEASE_TIMEOUT_MS),
      'before its lease could time out for others',
    );

    await publish('after', 100);
    await waitFor(
      'b to read the new messages',
      () => Promise.resolve(b.got.filter((id) => id.startsWith('after')).length === 100),
      10_000,
    );
    assert.equal(a.got.filter((id) => id.startsWith('after')).length, 0, 'a read nothing more');
  });
});
