/**
 * A record that kills its consumer process, on the local stack. Each "process" is a bus on clients of its own with
 * one worker id (as a restarted process reuses it); it dies at the delivery of the killer record: from that moment
 * every call it makes fails, so it can neither checkpoint nor release its lease, as when the process is gone. The
 * crash count lives on the lease, so the fourth process hands the killer out unread (dead-lettered) and reads on.
 */
import assert from 'node:assert/strict';

import { type AwsClients, createAwsClients } from '../../runtime/aws/clients.ts';
import { createStream, deleteStream } from '../../runtime/aws/provision.ts';
import { type Delivery, topic } from '../../runtime/bus/bus.ts';
import { createKinesisBus } from '../../runtime/bus/kinesis.ts';
import { E, t } from '../../runtime/codec.ts';
import { connectionReset, interceptRequests } from '../helpers/fault-handler.ts';
import { type TestStack, uniqueName, useStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait-for.ts';

const LEASES = 'prestacop-leases';
const Msg = t.type({ id: t.string, key: t.string });
type Msg = t.TypeOf<typeof Msg>;

/** Clients that fail every call once `dead` is set: a process that is gone writes nothing more. */
const mortalClients = (stack: TestStack) => {
  const clients = createAwsClients(stack.target);
  const state = { dead: false };
  // At the request handlers, which the SDK's calls and the wire's (json-wire.ts) both pass.
  for (const client of [clients.dynamodb, clients.kinesis])
    interceptRequests(client, (_request, forward) =>
      state.dead ? Promise.reject(connectionReset('process died, injected')) : forward(),
    );
  return { clients, state };
};

describe('Kinesis bus > a record that kills its consumer', function () {
  this.timeout(60_000);
  let stack: TestStack;
  const streams: string[] = [];
  const owned: AwsClients[] = [];

  before(async () => {
    stack = await useStack();
  });
  after(async () => {
    owned.forEach((c) => c.destroy());
    await Promise.all(streams.map((s) => deleteStream(stack.clients, s)));
  });

  /** One shard holding `before`, the killer, then `after`; one worker id for every process. */
  const setup = async () => {
    const stream = uniqueName('crash');
    await createStream(stack.clients, stream, 1);
    streams.push(stream);
    const tp = topic(stream, Msg, (m) => m.key);
    const publisher = createKinesisBus({
      clients: stack.clients,
      leaseTable: LEASES,
      target: 'local',
    });
    for (const id of ['before', 'killer', 'after']) await publisher.publish(tp, [{ id, key: 'k' }]);
    await publisher.close();
    const workerId = uniqueName('worker');
    const application = uniqueName('crash-test');

    /**
     * Starts a process; it acknowledges what it gets until the killer, then dies there (or, with `graceful`, stops
     * cleanly with the killer unacknowledged). Resolves with its deliveries when it died, stopped or got `after`
     * (a survivor: or after 2 s of nothing).
     */
    const run = async (at: 'die' | 'graceful' | 'survive') => {
      const { clients, state } = mortalClients(stack);
      owned.push(clients);
      const bus = createKinesisBus({
        clients,
        leaseTable: LEASES,
        workerId,
        target: 'local',
        consumer: { leaseTimeoutMs: 1_500, checkpointIntervalMs: 100 },
      });
      const got: Array<Delivery<Msg>> = [];
      let done = false;
      const sub = bus.subscribe(tp, { application }).subscribe((d) => {
        if (done) return;
        got.push(d);
        const id = E.isRight(d.payload) ? d.payload.right.id : undefined;
        if (id === 'killer' && at !== 'survive') {
          // Dies here, synchronously, in the middle of the delivery: nothing after this reaches AWS.
          if (at === 'die') state.dead = true;
          done = true;
          return;
        }
        void d.ack();
        if (id === 'after') done = true;
      });
      // A survivor with nothing left to read ends after a quiet while.
      const quiet = at === 'survive' ? setTimeout(() => (done = true), 2_000) : undefined;
      await waitFor('the process to reach its end', () => done, 20_000);
      clearTimeout(quiet);
      if (at !== 'die') await new Promise((r) => setTimeout(r, 300)); // its checkpoints are written
      sub.unsubscribe();
      await bus.close();
      return got;
    };
    return { run };
  };

  const ids = (got: ReadonlyArray<Delivery<Msg>>) =>
    got.map((d) =>
      E.isRight(d.payload) ? d.payload.right.id : `left:${d.payload.left.issues[0]}`,
    );

  it('dead-letters a record unread at the start after it killed its consumer 3 times, and reads on', async () => {
    const { run } = await setup();
    const first = await run('die');
    assert.deepEqual(ids(first), ['before', 'killer'], 'both handed out at once, then the death');
    // The next process goes carefully: `before` alone (it was in flight at the death, and is healthy), then the killer.
    assert.deepEqual(ids(await run('die')), ['before', 'killer']);
    assert.deepEqual(
      ids(await run('die')),
      ['killer'],
      'tried alone again, from the checkpoint after before',
    );
    const fourth = await run('die');
    const parked = fourth[0]!;
    assert.ok(E.isLeft(parked.payload), 'the killer is handed out unread');
    assert.match(
      E.isLeft(parked.payload) ? parked.payload.left.issues.join('; ') : '',
      /killed its consumer 3 times/,
    );
    assert.equal(Buffer.from(parked.raw).toString(), JSON.stringify({ id: 'killer', key: 'k' }));
    assert.deepEqual(ids(fourth.slice(1)), ['after'], 'the record behind it is delivered');
    // And it stays behind: the next process starts after it.
    assert.deepEqual(ids(await run('survive')), []);
  });

  it('counts neither a graceful stop nor a single crash against a record', async () => {
    const { run } = await setup();
    await run('die'); // one crash with the killer in flight
    for (let i = 0; i < 3; i++)
      assert.deepEqual(ids(await run('graceful')).slice(-1), ['killer'], `graceful stop ${i + 1}`);
    await run('die');
    await run('die');
    // Three crashes in all, but a graceful stop between them: the count started again, nothing is parked.
    assert.deepEqual(ids(await run('survive')).slice(-2), ['killer', 'after']);
  });
});
