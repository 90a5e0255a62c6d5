import assert from 'node:assert/strict';
import { setTimeout } from 'node:timers/promises';

import { gated, within } from '../test/helpers/promises.ts';
import { waitFor } from '../test/helpers/wait-for.ts';
import { topic } from './bus/bus.ts';
import { createMemoryBus } from './bus/memory.ts';
import { t } from './codec.ts';
import { createEventHub, type RuntimeEvent } from './events.ts';
import type { DeadLetterRequest } from './supervise.ts';
import { runTransitions, type TransitionActorSpec } from './transition.ts';

const Msg = t.type({ id: t.string });
type Msg = t.TypeOf<typeof Msg>;
const fast = { initialMs: 1, factor: 2, jitter: 0, maxMs: 5, retries: Infinity };

/**
 * A transition actor reading topic `in` of a fresh memory bus, every runtime event kept in `seen`; `spec` gives
 * the transition and overrides the rest (effects and dead letters succeed, ticks every second, fast restarts).
 */
const start = <S, C>(
  spec: Pick<TransitionActorSpec<S, Msg, C>, 'initial' | 'step'> &
    Partial<TransitionActorSpec<S, Msg, C>>,
) => {
  const bus = createMemoryBus();
  const events = createEventHub();
  const seen: RuntimeEvent[] = [];
  events.events$.subscribe((e) => seen.push(e));
  let subscriptions = 0;
  const actor = runTransitions<S, Msg, C>({
    name: 'a',
    events,
    input: () => (
      subscriptions++,
      bus.subscribe(
        topic('in', Msg, (m) => m.id),
        { application: 'a' },
      )
    ),
    tickMs: 1_000,
    restart: fast,
    effect: () => Promise.resolve(),
    deadLetter: () => Promise.resolve(),
    encodeCommand: () => new Uint8Array(),
    ...spec,
  });
  /** Publishes messages with these ids, in order, on one shard. */
  const publish = (...ids: string[]) =>
    bus.publish(
      topic('in', Msg, () => 'k'),
      ids.map((id) => ({ id })),
    );
  const count = (type: RuntimeEvent['type']) => seen.filter((e) => e.type === type).length;
  return { bus, actor, seen, count, publish, subscriptions: () => subscriptions };
};

describe('Runtime > runTransitions', () => {
  it('restarts from the initial state only after the crashed incarnation drained, and stop() waits for it', async () => {
    // A dead letter is being written when a tick crashes the transition: the next incarnation must not start, nor
    // stop() return, before it is written (the crashed incarnation's work is drained, as runActor's is).
    const { gate, release } = gated();
    const letters: DeadLetterRequest[] = [];
    let written = false;
    let bomb = false;
    const { bus, actor, seen, count, subscriptions } = start<number, never>({
      initial: 0,
      step: (n, input) => {
        if (input.kind === 'tick' && bomb) throw new Error('bug');
        return [n + 1, []];
      },
      tickMs: 5,
      deadLetter: async (l) => {
        letters.push(l);
        await gate;
        await setTimeout(10); // a write that takes a while once it can go
        written = true;
      },
    });
    await bus.publishRaw('in', [{ partitionKey: 'k', data: Buffer.from('{oops') }]);
    await waitFor('the dead letter to begin', () => letters.length, 3_000);
    bomb = true;
    await waitFor('the crash', () => seen.some((e) => e.type === 'actor.crashed'), 3_000);
    bomb = false;
    const stopped = actor.stop();
    release();
    await within(stopped, 1_000, 'stop()');
    assert.equal(written, true, 'stop() returned while a dead letter was still being written');
    assert.equal(subscriptions(), 1, 'a new incarnation started before the crashed one drained');
    assert.equal(count('bus.dead_lettered'), 1);
  });

  it('restarts after a crash with the state from `initial`', async () => {
    let crashed = false;
    const states: number[] = [];
    const { actor, count } = start<number, never>({
      initial: 0,
      step: (n, input) => {
        states.push(n);
        if (input.kind === 'tick' && n === 2 && !crashed) {
          crashed = true;
          throw new Error('bug');
        }
        return [n + 1, []];
      },
      tickMs: 1,
    });
    await waitFor(
      'a crash, then the state counted up again from 0',
      () => states,
      3_000,
      (s) => crashed && s.lastIndexOf(0) > s.indexOf(2) && s.at(-1)! >= 2,
    );
    await actor.stop();
    assert.equal(count('actor.crashed'), 1);
  });

  const ackedIn = async (concurrency: number | undefined) => {
    const { gate, release } = gated();
    const done: string[] = [];
    const started: string[] = [];
    const { actor, count, publish } = start<null, string>({
      initial: null,
      step: (s, input) => [s, input.kind === 'message' ? [input.message.id] : []],
      ...(concurrency === undefined ? {} : { concurrency }),
      effect: async (id) => {
        started.push(id);
        if (id === 'slow') await gate;
        done.push(id);
      },
    });
    await publish('slow', 'quick');
    return { actor, release, done, started, acked: () => count('actor.processed') };
  };

  it('performs the commands of `concurrency` steps at once: a slow one holds back neither the next nor its ack', async () => {
    const { actor, release, done, acked } = await ackedIn(8);
    try {
      await waitFor('the quick one performed and acknowledged', acked, 3_000);
      assert.deepEqual(done, ['quick']);
    } finally {
      release();
      await within(actor.stop(), 1_000, 'stop()');
    }
    assert.deepEqual(done, ['quick', 'slow']);
  });

  it('performs them one step after the other by default', async () => {
    const { actor, release, done, started } = await ackedIn(undefined);
    await waitFor('the slow one started', () => started.length, 3_000);
    release();
    await waitFor('both performed', () => done.length === 2, 3_000);
    await within(actor.stop(), 1_000, 'stop()');
    assert.deepEqual(done, ['slow', 'quick']);
  });

  it('dead-letters as a defect an input that crashed it three times, then goes on', async () => {
    const letters: DeadLetterRequest[] = [];
    const performed: string[] = [];
    const { actor, count, publish } = start<null, string>({
      initial: null,
      step: (s, input) => {
        if (input.kind === 'message' && input.message.id === 'bomb') throw new Error('bug');
        return [s, input.kind === 'message' ? [input.message.id] : []];
      },
      effect: (id) => (performed.push(id), Promise.resolve()),
      deadLetter: (l) => (letters.push(l), Promise.resolve()),
    });
    await publish('bomb', 'next');
    try {
      await waitFor('the next message performed', () => performed.includes('next'), 5_000);
    } finally {
      await actor.stop();
    }
    assert.equal(count('actor.crashed'), 3);
    assert.equal(letters.length, 1);
    assert.equal(letters[0]!.errorTag, 'Defect');
    assert.equal(JSON.parse(Buffer.from(letters[0]!.raw).toString()).id, 'bomb');
  });
});
