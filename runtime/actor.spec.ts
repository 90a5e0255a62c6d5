import assert from 'node:assert/strict';

import { filter, map } from 'rxjs';

import { type DeadLetterRequest, runActor } from './actor.ts';
import { topic } from './bus/bus.ts';
import { createMemoryBackend, createMemoryBus } from './bus/memory.ts';
import { t } from './codec.ts';
import { portFailure } from './errors.ts';
import { createEventHub, type RuntimeEvent } from './events.ts';

const Msg = t.type({ id: t.string, n: t.number });
type Msg = t.TypeOf<typeof Msg>;
const fast = { initialMs: 1, factor: 2, jitter: 0, maxMs: 5, retries: 3 };

const waitFor = async (ok: () => boolean, ms = 3_000): Promise<void> => {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const setup = () => {
  const backend = createMemoryBackend({ shardsPerStream: 2 });
  const bus = createMemoryBus(backend);
  const tp = topic('in', Msg, (m) => m.id);
  const events = createEventHub();
  const seen: RuntimeEvent[] = [];
  events.events$.subscribe((e) => seen.push(e));
  const letters: DeadLetterRequest[] = [];
  const deadLetter = (l: DeadLetterRequest) => {
    letters.push(l);
    return Promise.resolve();
  };
  return { backend, bus, tp, events, seen, letters, deadLetter };
};

describe('Runtime > runActor', () => {
  it('runs the behaviour, performs effects, then acknowledges', async () => {
    const { bus, tp, events, deadLetter, backend } = setup();
    const done: number[] = [];
    const actor = runActor({
      name: 'doubler',
      events,
      input: () => bus.subscribe(tp, { application: 'doubler' }),
      behaviour: (in$) =>
        in$.pipe(
          filter((m: Msg) => m.n % 2 === 0),
          map((m) => m.n * 10),
        ),
      effect: (out) => {
        done.push(out);
        return Promise.resolve();
      },
      deadLetter,
    });
    await bus.publish(
      tp,
      [0, 1, 2, 3].map((n) => ({ id: `m${n}`, n })),
    );
    await waitFor(() => done.length === 2);
    await actor.stop();
    assert.deepEqual(done.sort(), [0, 20]);
    // Every input, with or without output, was acknowledged: a new subscriber sees nothing old.
    const again = createMemoryBus(backend);
    const redelivered: unknown[] = [];
    const sub = again
      .subscribe(tp, { application: 'doubler' })
      .subscribe((d) => redelivered.push(d));
    await new Promise((r) => setTimeout(r, 20));
    sub.unsubscribe();
    assert.equal(redelivered.length, 0);
  });

  it('dead-letters what does not decode, with its reasons and bytes, and keeps going', async () => {
    const { bus, tp, events, deadLetter, letters, seen } = setup();
    const done: string[] = [];
    const actor = runActor({
      name: 'a',
      events,
      input: () => bus.subscribe(tp, { application: 'a' }),
      behaviour: (in$) => in$.pipe(map((m: Msg) => m.id)),
      effect: (id) => (done.push(id), Promise.resolve()),
      deadLetter,
    });
    await bus.publishRaw('in', [
      { partitionKey: 'x', data: Buffer.from('{oops') },
      { partitionKey: 'x', data: Buffer.from('{"id":1}') },
    ]);
    await bus.publish(tp, [{ id: 'ok', n: 1 }]);
    await waitFor(() => done.length === 1 && letters.length === 2);
    await actor.stop();
    assert.equal(letters[0]!.errorTag, 'DecodeFailure');
    assert.match(letters[0]!.reasons.join(), /not JSON/);
    assert.equal(Buffer.from(letters[0]!.raw).toString(), '{oops');
    assert.match(letters[1]!.reasons.join(), /at \.id/);
    assert.equal(seen.filter((e) => e.type === 'bus.dead_lettered').length, 2);
  });

  it('retries a retriable port failure, then succeeds', async () => {
    const { bus, tp, events, deadLetter, letters, seen } = setup();
    let calls = 0;
    const actor = runActor({
      name: 'a',
      events,
      retry: fast,
      input: () => bus.subscribe(tp, { application: 'a' }),
      behaviour: (in$) => in$,
      effect: () =>
        ++calls < 3
          ? Promise.reject(portFailure('dynamodb', new Error('slow'), true))
          : Promise.resolve(),
      deadLetter,
    });
    await bus.publish(tp, [{ id: 'x', n: 1 }]);
    await waitFor(() => calls === 3);
    await actor.stop();
    assert.equal(letters.length, 0);
    assert.equal(seen.filter((e) => e.type === 'bus.retry').length, 2);
  });

  it('dead-letters after retries run out, and at once for a non-retriable failure', async () => {
    const { bus, tp, events, deadLetter, letters } = setup();
    const actor = runActor({
      name: 'a',
      events,
      retry: fast,
      input: () => bus.subscribe(tp, { application: 'a' }),
      behaviour: (in$) => in$,
      effect: (m: Msg) =>
        Promise.reject(
          portFailure(
            's3',
            new Error(m.id === 'flaky' ? 'down' : 'access denied'),
            m.id === 'flaky',
          ),
        ),
      deadLetter,
    });
    await bus.publish(tp, [
      { id: 'flaky', n: 1 },
      { id: 'denied', n: 2 },
    ]);
    await waitFor(() => letters.length === 2);
    await actor.stop();
    const byTag = Object.fromEntries(letters.map((l) => [l.errorTag, l]));
    assert.equal(byTag.RetriesExhausted?.attempts, 4);
    assert.match(byTag.RetriesExhausted.reasons.join(), /gave up after 4 attempts/);
    assert.equal(byTag.PortFailure?.attempts, 1);
  });

  it('restarts after a defect and redelivers; a delivery that keeps crashing is dead-lettered', async () => {
    const { bus, tp, events, deadLetter, letters, seen } = setup();
    const done: string[] = [];
    const actor = runActor({
      name: 'a',
      events,
      restart: { ...fast, retries: Infinity },
      input: () => bus.subscribe(tp, { application: 'a' }),
      behaviour: (in$) =>
        in$.pipe(
          map((m: Msg) => {
            if (m.id === 'bomb') throw new Error('bug');
            return m.id;
          }),
        ),
      effect: (id) => (done.push(id), Promise.resolve()),
      deadLetter,
    });
    await bus.publish(tp, [{ id: 'bomb', n: 1 }]);
    await waitFor(() => letters.length === 1);
    await bus.publish(tp, [{ id: 'fine', n: 2 }]);
    await waitFor(() => done.includes('fine'));
    await actor.stop();
    assert.equal(letters[0]!.errorTag, 'Defect');
    assert.ok(seen.filter((e) => e.type === 'actor.crashed').length >= 3);
    assert.equal(seen.at(-1)!.type, 'actor.stopped');
  });

  it('stops gracefully: in-flight effects finish and are acknowledged', async () => {
    const { bus, tp, events, deadLetter, backend } = setup();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let started = 0;
    const actor = runActor({
      name: 'a',
      events,
      input: () => bus.subscribe(tp, { application: 'a' }),
      behaviour: (in$) => in$,
      effect: () => (started++, gate),
      deadLetter,
    });
    await bus.publish(tp, [{ id: 'slow', n: 1 }]);
    await waitFor(() => started === 1);
    const stopped = actor.stop();
    release();
    await stopped;
    assert.equal(actor.healthy(), false);
    const redelivered: unknown[] = [];
    const sub = createMemoryBus(backend)
      .subscribe(tp, { application: 'a' })
      .subscribe((d) => redelivered.push(d));
    await new Promise((r) => setTimeout(r, 20));
    sub.unsubscribe();
    assert.equal(redelivered.length, 0);
  });
});
