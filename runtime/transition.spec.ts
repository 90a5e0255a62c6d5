import assert from 'node:assert/strict';
import { setTimeout } from 'node:timers/promises';

import { gated, within } from '../test/helpers/promises.ts';
import { waitFor } from '../test/helpers/wait-for.ts';
import { topic } from './bus/bus.ts';
import { createMemoryBus } from './bus/memory.ts';
import { t } from './codec.ts';
import { createEventHub, type RuntimeEvent } from './events.ts';
import type { DeadLetterRequest } from './supervise.ts';
import { runTransitions, type Transition } from './transition.ts';

const Msg = t.type({ id: t.string });
type Msg = t.TypeOf<typeof Msg>;
const fast = { initialMs: 1, factor: 2, jitter: 0, maxMs: 5, retries: Infinity };

describe('Runtime > runTransitions', () => {
  it('restarts from the initial state only after the crashed incarnation drained, and stop() waits for it', async () => {
    // A dead letter is being written when a tick crashes the transition: the next incarnation must not start, nor
    // stop() return, before it is written (the crashed incarnation's work is drained, as runActor's is).
    const bus = createMemoryBus();
    const events = createEventHub();
    const seen: RuntimeEvent[] = [];
    events.events$.subscribe((e) => seen.push(e));
    const { gate, release } = gated();
    const letters: DeadLetterRequest[] = [];
    let written = false;
    let bomb = false;
    let subscriptions = 0;
    const step: Transition<number, Msg, never> = (n, input) => {
      if (input.kind === 'tick' && bomb) throw new Error('bug');
      return [n + 1, []];
    };
    const actor = runTransitions({
      name: 'a',
      events,
      input: () => (
        subscriptions++,
        bus.subscribe(
          topic('in', Msg, (m) => m.id),
          { application: 'a' },
        )
      ),
      initial: 0,
      step,
      tickMs: 5,
      restart: fast,
      effect: () => Promise.resolve(),
      deadLetter: async (l) => {
        letters.push(l);
        await gate;
        await setTimeout(10); // a write that takes a while once it can go
        written = true;
      },
      encodeCommand: () => new Uint8Array(),
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
    assert.equal(subscriptions, 1, 'a new incarnation started before the crashed one drained');
    assert.equal(seen.filter((e) => e.type === 'bus.dead_lettered').length, 1);
  });

  it('restarts after a crash with the state from `initial`', async () => {
    const bus = createMemoryBus();
    const events = createEventHub();
    const seen: RuntimeEvent[] = [];
    events.events$.subscribe((e) => seen.push(e));
    let crashed = false;
    const states: number[] = [];
    const actor = runTransitions<number, Msg, never>({
      name: 'a',
      events,
      input: () =>
        bus.subscribe(
          topic('in', Msg, (m) => m.id),
          { application: 'a' },
        ),
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
      restart: fast,
      effect: () => Promise.resolve(),
      deadLetter: () => Promise.resolve(),
      encodeCommand: () => new Uint8Array(),
    });
    await waitFor(
      'a crash, then the state counted up again from 0',
      () => states,
      3_000,
      (s) => crashed && s.lastIndexOf(0) > s.indexOf(2) && s.at(-1)! >= 2,
    );
    await actor.stop();
    assert.equal(seen.filter((e) => e.type === 'actor.crashed').length, 1);
  });
});
