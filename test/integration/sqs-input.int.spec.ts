/**
 * The runtime's queue input on fauxqs: every body handed over and deleted after it was handled, never before; a
 * body whose handler rejects comes back. Waits on queue state, never on a bare sleep.
 */
import assert from 'node:assert/strict';

import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

import { receiveQueue } from '../../runtime/aws/sqs-input.ts';
import { queueDepth } from '../helpers/sqs.ts';
import { type TestStack, uniqueName, useStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe('Runtime > receiveQueue > on fauxqs', function () {
  this.timeout(60_000);
  let stack: TestStack;

  before(async () => {
    stack = await useStack();
  });

  const createQueue = async (visibilitySeconds: number): Promise<string> =>
    (
      await stack.clients.sqs.send(
        new CreateQueueCommand({
          QueueName: uniqueName('input'),
          Attributes: { VisibilityTimeout: String(visibilitySeconds) },
        }),
      )
    ).QueueUrl!;

  const send = async (queueUrl: string, bodies: ReadonlyArray<string>): Promise<void> => {
    for (let i = 0; i < bodies.length; i += 10)
      await stack.clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
        }),
      );
  };

  const left = (queueUrl: string) => queueDepth(stack.clients.sqs, queueUrl);

  it('hands every body over and deletes each once handled', async () => {
    const queueUrl = await createQueue(30);
    const bodies = Array.from({ length: 25 }, (_, i) => `m${i}`);
    await send(queueUrl, bodies);
    const seen: string[] = [];
    const input = receiveQueue(stack.clients.sqs, queueUrl, (body) => void seen.push(body));
    await waitFor('25 bodies', () => seen.length >= 25, 20_000);
    await input.stop();
    assert.deepEqual([...seen].sort(), [...bodies].sort());
    assert.equal(await left(queueUrl), 0);
  });

  it('deletes a body only after its handler resolved', async () => {
    const queueUrl = await createQueue(30);
    await send(queueUrl, ['slow']);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let started = false;
    const input = receiveQueue(stack.clients.sqs, queueUrl, () => {
      started = true;
      return gate;
    });
    await waitFor('the handler to start', () => started, 20_000);
    assert.equal(await left(queueUrl), 1, 'not deleted while its handler runs');
    release();
    await waitFor('the body to be deleted', async () => (await left(queueUrl)) === 0, 20_000);
    await input.stop();
  });

  it('with concurrent, hands the bodies of a receive over together and deletes them once their handlers resolved', async () => {
    const queueUrl = await createQueue(30);
    await send(queueUrl, ['a', 'b', 'c', 'd', 'e']);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const started: string[] = [];
    const input = receiveQueue(
      stack.clients.sqs,
      queueUrl,
      (body) => {
        started.push(body);
        return gate;
      },
      { concurrent: true, receivers: 1 },
    );
    // One loop, none resolved yet: one after the other, only the first would have started.
    await waitFor('every body to be handed over', () => started.length === 5, 20_000);
    assert.equal(await left(queueUrl), 5, 'none deleted while their handlers run');
    release();
    await waitFor('the bodies to be deleted', async () => (await left(queueUrl)) === 0, 20_000);
    await input.stop();
  });

  it('with concurrent, keeps receiving up to maxInFlight bodies handled at once, and deletes each once its own handler resolved', async () => {
    const queueUrl = await createQueue(30);
    const bodies = Array.from({ length: 35 }, (_, i) => `m${i}`);
    await send(queueUrl, bodies);
    // Each body's handler waits on a gate of its own; in flight, as the test counts it: started, not released.
    const gates = new Map<string, () => void>();
    const started: string[] = [];
    let released = 0;
    let closing = false; // a failed case must not leave handlers waiting: stop() would wait for them
    const overBound: number[] = [];
    const release = (n: number) => {
      for (const body of started.filter((b) => gates.has(b)).slice(0, n)) {
        released++;
        gates.get(body)!();
        gates.delete(body);
      }
    };
    // Every receive asks for at most min(10, room left): the room as the test counts it is never smaller than the
    // input's own (a released handler settles a moment later).
    const asks: Array<{ asked: number; room: number }> = [];
    const sqs = {
      send: (command: unknown) => {
        if (command instanceof ReceiveMessageCommand)
          asks.push({
            asked: command.input.MaxNumberOfMessages ?? 1,
            room: 30 - (started.length - released),
          });
        return stack.clients.sqs.send(command as ReceiveMessageCommand);
      },
    } as unknown as SQSClient;
    const input = receiveQueue(
      sqs,
      queueUrl,
      (body) => {
        started.push(body);
        if (started.length - released > 30) overBound.push(started.length - released);
        return closing ? Promise.resolve() : new Promise<void>((r) => gates.set(body, r));
      },
      { concurrent: true, receivers: 1, maxInFlight: 30 },
    );
    try {
      // One loop, none resolved: waiting for a receive's handlers, it would stop at 10.
      await waitFor(
        '30 bodies handed over',
        () => started.length,
        20_000,
        (n) => n >= 30,
      );
      assert.equal(await left(queueUrl), 35, 'none deleted while their handlers run');

      // One resolves: its message alone is deleted, and its room goes to the 31st body.
      release(1);
      await waitFor(
        'the released body deleted',
        () => left(queueUrl),
        20_000,
        (n) => n <= 34,
      );
      await waitFor(
        'the 31st body handed over',
        () => started.length,
        20_000,
        (n) => n >= 31,
      );
      assert.equal(started.length, 31, 'one room, one body');
      assert.equal(await left(queueUrl), 34, 'only the resolved message deleted');

      // Four more: four deletes, four more bodies (the last ones on the queue).
      release(4);
      await waitFor(
        'the four deleted',
        () => left(queueUrl),
        20_000,
        (n) => n <= 30,
      );
      await waitFor(
        'every body handed over',
        () => started.length,
        20_000,
        (n) => n >= 35,
      );
      assert.equal(await left(queueUrl), 30, 'only the five resolved messages deleted');

      // stop() waits for the handlers still in flight, then for their deletes.
      let stopped = false;
      const stopping = input.stop().then(() => (stopped = true));
      assert.equal(await left(queueUrl), 30, 'nothing deleted by stopping');
      assert.equal(stopped, false, 'stop() resolved with 30 handlers in flight');
      release(30);
      await stopping;
      assert.equal(await left(queueUrl), 0, 'every message deleted once stop() resolved');
    } finally {
      closing = true;
      release(started.length);
      await input.stop();
    }
    assert.deepEqual([...started].sort(), [...bodies].sort());
    assert.deepEqual(overBound, [], 'never more than maxInFlight bodies handled at once');
    assert.ok(
      asks.every(({ asked, room }) => asked <= Math.min(10, room)),
      `a receive asked for more than its room: ${JSON.stringify(asks)}`,
    );
  });

  it('does not delete a body whose handler rejected: SQS hands it out again', async () => {
    const queueUrl = await createQueue(1);
    await send(queueUrl, ['bad', 'good']);
    const seen: string[] = [];
    const errors: unknown[] = [];
    const input = receiveQueue(
      stack.clients.sqs,
      queueUrl,
      (body) => {
        seen.push(body);
        return body === 'bad' && seen.filter((b) => b === 'bad').length === 1
          ? Promise.reject(new Error('dead letter not written'))
          : Promise.resolve();
      },
      { onError: (e) => errors.push(e) },
    );
    await waitFor(
      'bad handed out again',
      () => seen.filter((b) => b === 'bad').length === 2,
      20_000,
    );
    await waitFor('the queue to empty', async () => (await left(queueUrl)) === 0, 20_000);
    await input.stop();
    assert.equal(seen.filter((b) => b === 'good').length, 1);
    assert.match(String(errors[0]), /dead letter not written/);
  });
});
