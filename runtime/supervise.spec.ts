import assert from 'node:assert/strict';

import { waitFor } from '../test/helpers/wait-for.ts';
import type { Delivery } from './bus/bus.ts';
import { E } from './codec.ts';
import { portFailure } from './errors.ts';
import { createEventHub, type RuntimeEvent } from './events.ts';
import {
  createPerformer,
  type DeadLetterRequest,
  Defect,
  type Incarnation,
  supervise,
} from './supervise.ts';

const fast = { initialMs: 1, factor: 2, jitter: 0, maxMs: 5, retries: 3 };

/** An incarnation the test drives: it crashes, stops and finishes draining when told to. */
const driven = () => {
  let crash: (e: unknown) => void = () => undefined;
  let stop: () => void = () => undefined;
  let drained: () => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => ((stop = resolve), (crash = reject)));
  const draining = new Promise<void>((r) => (drained = r));
  const incarnation: Incarnation = { finished, stop, drain: () => draining };
  return { incarnation, crash, drained };
};

const setup = (restart = { ...fast, retries: Infinity }) => {
  const events = createEventHub();
  const seen: RuntimeEvent[] = [];
  events.events$.subscribe((e) => seen.push(e));
  const built: Array<ReturnType<typeof driven>> = [];
  const crashes: unknown[] = [];
  const handle = supervise({
    name: 'a',
    events,
    restart,
    incarnation: () => {
      const next = driven();
      built.push(next);
      return next.incarnation;
    },
    onCrash: (e) => crashes.push(e),
  });
  return { handle, built, seen, crashes };
};

describe('Runtime > supervise', () => {
  it('builds the next incarnation only after the crashed one drained', async () => {
    const { handle, built, seen, crashes } = setup();
    const order: string[] = [];
    built[0]!.crash(new Defect(new Error('bug')));
    await waitFor('the crash', () => seen.some((e) => e.type === 'actor.crashed'), 3_000);
    assert.equal(handle.healthy(), false);
    // The drain is still pending, so nothing can have built another one yet.
    assert.equal(built.length, 1);
    order.push('drained');
    built[0]!.drained();
    await waitFor(
      'the restart',
      () => built.length,
      3_000,
      (n) => n === 2,
    );
    order.push('restarted');
    assert.equal(handle.healthy(), true);
    await handle.stop();
    assert.deepEqual(order, ['drained', 'restarted']);
    assert.equal(crashes.length, 1);
    const crashed = seen.find((e) => e.type === 'actor.crashed');
    assert.match(String(crashed?.type === 'actor.crashed' && crashed.payload.error), /bug/);
    assert.deepEqual(
      seen.map((e) => e.type),
      ['actor.started', 'actor.crashed', 'actor.stopped'],
    );
  });

  it('stop() during a drain waits for it, and builds no other incarnation', async () => {
    const { handle, built, seen } = setup();
    const order: string[] = [];
    built[0]!.crash(new Error('bug'));
    await waitFor('the crash', () => seen.some((e) => e.type === 'actor.crashed'), 3_000);
    const stopped = handle.stop().then(() => order.push('stopped'));
    order.push('drained');
    built[0]!.drained();
    await stopped;
    assert.deepEqual(order, ['drained', 'stopped']);
    assert.equal(built.length, 1);
  });

  it('stop() while waiting to restart ends the wait at once', async () => {
    const { handle, built, seen } = setup({ ...fast, initialMs: 60_000, maxMs: 60_000 });
    built[0]!.drained();
    built[0]!.crash(new Error('bug'));
    await waitFor('the crash', () => seen.some((e) => e.type === 'actor.crashed'), 3_000);
    const t0 = Date.now();
    await handle.stop();
    assert.ok(Date.now() - t0 < 10_000, 'stop() waited for the restart backoff');
    assert.equal(built.length, 1);
    await handle.done;
  });
});

describe('Runtime > createPerformer', () => {
  const source = { stream: 's', shardId: 'shard-0', sequence: '7', subSequence: 0 };
  const parked = () => ({ source, raw: Buffer.from('bytes') });
  const setupPerformer = () => {
    const events = createEventHub();
    const seen: RuntimeEvent[] = [];
    events.events$.subscribe((e) => seen.push(e));
    const letters: DeadLetterRequest[] = [];
    const performer = createPerformer({
      name: 'a',
      events,
      retry: fast,
      deadLetter: (l) => (letters.push(l), Promise.resolve()),
    });
    return { performer, seen, letters };
  };

  it('retries a retriable failure, then dead-letters the parked input with the attempts', async () => {
    const { performer, seen, letters } = setupPerformer();
    await performer.perform(
      () => Promise.reject(portFailure('sns', new Error('down'), true)),
      parked,
    );
    assert.equal(seen.filter((e) => e.type === 'bus.retry').length, 3);
    assert.equal(letters.length, 1);
    assert.equal(letters[0]!.errorTag, 'RetriesExhausted');
    assert.equal(letters[0]!.attempts, 4);
    assert.deepEqual(letters[0]!.source, source);
    assert.equal(Buffer.from(letters[0]!.raw).toString(), 'bytes');
  });

  it('crashes with a Defect naming the source for what is not a RuntimeError', async () => {
    const { performer, letters } = setupPerformer();
    await assert.rejects(
      performer.perform(() => Promise.reject(new TypeError('bug')), parked),
      (e: unknown) => e instanceof Defect && e.source === source && e.cause instanceof TypeError,
    );
    assert.equal(letters.length, 0);
  });

  it('succeeds on a retry after failures: each retry reported once, nothing dead-lettered', async () => {
    const { performer, seen, letters } = setupPerformer();
    let calls = 0;
    await performer.perform(
      () =>
        ++calls < 3
          ? Promise.reject(portFailure('s3', new Error('slow down'), true))
          : Promise.resolve(),
      parked,
    );
    assert.equal(calls, 3);
    assert.deepEqual(
      seen
        .filter((e) => e.type === 'bus.retry')
        .map((e) => e.type === 'bus.retry' && e.payload.attempt),
      [1, 2],
    );
    assert.equal(letters.length, 0);
  });

  it('dead-letters a non-retriable failure after one attempt, with the failure itself', async () => {
    const { performer, seen, letters } = setupPerformer();
    let calls = 0;
    await performer.perform(
      () => (calls++, Promise.reject(portFailure('s3', new Error('denied'), false))),
      parked,
    );
    assert.equal(calls, 1);
    assert.equal(seen.filter((e) => e.type === 'bus.retry').length, 0);
    assert.equal(letters[0]!.errorTag, 'PortFailure');
    assert.equal(letters[0]!.attempts, 1);
  });

  it('treats an effect that throws before returning its promise as failing: a Defect naming the source', async () => {
    const { performer } = setupPerformer();
    await assert.rejects(
      performer.perform(() => {
        throw new TypeError('sync bug');
      }, parked),
      (e: unknown) => e instanceof Defect && e.source === source && e.cause instanceof TypeError,
    );
  });

  it('dead-letters and acknowledges an undecodable delivery', async () => {
    const { performer, seen, letters } = setupPerformer();
    let acked = 0;
    const failure = { _tag: 'DecodeFailure', topic: 's', issues: ['not JSON'] } as const;
    const d: Delivery<unknown> = {
      payload: E.left(failure),
      source,
      raw: Buffer.from('{oops'),
      arrivedAt: 0,
      ack: () => (acked++, Promise.resolve()),
    };
    await performer.rejectUndecodable(d, failure);
    assert.equal(acked, 1);
    assert.equal(letters[0]!.errorTag, 'DecodeFailure');
    assert.deepEqual(
      seen.map((e) => e.type),
      ['bus.decode_failed', 'bus.dead_lettered'],
    );
  });
});
