import assert from 'node:assert/strict';

import { filter, map, type Observable } from 'rxjs';

import { waitFor } from '../test/helpers/wait-for.ts';
import { type DeadLetterRequest, runActor } from './actor.ts';
import { topic } from './bus/bus.ts';
import { createMemoryBackend, createMemoryBus, type MemoryBackend } from './bus/memory.ts';
import { t } from './codec.ts';
import { portFailure } from './errors.ts';
import { createEventHub, type RuntimeEvent } from './events.ts';

const Msg = t.type({ id: t.string, n: t.number });
type Msg = t.TypeOf<typeof Msg>;
const fast = { initialMs: 1, factor: 2, jitter: 0, maxMs: 5, retries: 3 };

/**
 * Records of `stream` past `application`'s checkpoint: what a restarted subscriber would be handed again. Read
 * from the backend's state, so "nothing is redelivered" needs no wait for something not to happen.
 */
const unacknowledged = (backend: MemoryBackend, application: string, stream: string): number => {
  const checkpoints = backend.checkpoints.get(application)?.get(stream);
  return (backend.streams.get(stream) ?? []).reduce(
    (n, shard, i) => n + shard.filter((r) => r.sequence > (checkpoints?.get(i) ?? 0)).length,
    0,
  );
};

/** Settles with `p`, or rejects if it has not settled `ms` after the call. */
const within = <A>(p: Promise<A>, ms: number, what: string): Promise<A> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
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

/** A promise the test settles by hand: an effect awaits `gate` until the test calls `release`. */
const gated = (): { readonly gate: Promise<void>; readonly release: () => void } => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  return { gate, release };
};

/** A behaviour that throws on the first message with id `bomb` (a crash) and passes everything else through. */
const crashesOnFirstBomb = (): ((in$: Observable<Msg>) => Observable<Msg>) => {
  let bombs = 0;
  return (in$) =>
    in$.pipe(
      map((m: Msg) => {
        if (m.id === 'bomb' && bombs++ === 0) throw new Error('bug');
        return m;
      }),
    );
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
    await waitFor(
      '2 handled',
      () => done.length,
      3_000,
      (n) => n === 2,
    );
    await actor.stop();
    assert.deepEqual(done.sort(), [0, 20]);
    // Every input, with or without output, was acknowledged: a new subscriber would see nothing old.
    assert.equal(unacknowledged(backend, 'doubler', 'in'), 0);
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
    await waitFor(
      '1 handled and 2 dead letters',
      () => ({ done: done.length, letters: letters.length }),
      3_000,
      (s) => s.done === 1 && s.letters === 2,
    );
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
    await waitFor(
      '3 calls',
      () => calls,
      3_000,
      (n) => n === 3,
    );
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
    await waitFor(
      '2 dead letters',
      () => letters.length,
      3_000,
      (n) => n === 2,
    );
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
    await waitFor(
      'a dead letter',
      () => letters.length,
      3_000,
      (n) => n === 1,
    );
    await bus.publish(tp, [{ id: 'fine', n: 2 }]);
    await waitFor(
      'the next message handled',
      () => done,
      3_000,
      (d) => d.includes('fine'),
    );
    await actor.stop();
    assert.equal(letters[0]!.errorTag, 'Defect');
    assert.ok(seen.filter((e) => e.type === 'actor.crashed').length >= 3);
    assert.equal(seen.at(-1)!.type, 'actor.stopped');
  });

  it('stops gracefully: in-flight effects finish and are acknowledged', async () => {
    const { bus, tp, events, deadLetter, backend } = setup();
    const { gate, release } = gated();
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
    await waitFor(
      'the slow effect to start',
      () => started,
      3_000,
      (n) => n === 1,
    );
    const stopped = actor.stop();
    release();
    await stopped;
    assert.equal(actor.healthy(), false);
    assert.equal(unacknowledged(backend, 'a', 'in'), 0);
  });

  it('stop() waits for the effects of a crashed incarnation, and a restart does not inherit them', async () => {
    // The old incarnation's slow effect outlives its crash; its completion must neither settle nor stall the next
    // incarnation (they once shared the in-flight counter and subscription), and stop() waits for it.
    const { bus, tp, events, deadLetter, seen } = setup();
    const { gate, release } = gated();
    let started = 0;
    let finished = 0;
    const actor = runActor({
      name: 'a',
      events,
      restart: { ...fast, retries: Infinity },
      input: () => bus.subscribe(tp, { application: 'a' }),
      behaviour: crashesOnFirstBomb(),
      effect: async (m) => {
        if (m.id !== 'slow') return;
        started++;
        await gate;
        finished++;
      },
      deadLetter,
    });
    await bus.publish(tp, [{ id: 'slow', n: 1 }]);
    await waitFor(
      'the slow effect to start',
      () => started,
      3_000,
      (n) => n === 1,
    );
    await bus.publish(tp, [{ id: 'bomb', n: 2 }]);
    await waitFor('a crash', () => seen.some((e) => e.type === 'actor.crashed'), 3_000);
    const stopped = actor.stop();
    release();
    await within(stopped, 1_000, 'stop()');
    assert.equal(finished, started, 'stop() returned while an effect was still running');
    assert.equal(seen.at(-1)!.type, 'actor.stopped');
  });

  it('restarts only after the crashed incarnation drained, then processes what it left', async () => {
    const { bus, tp, events, deadLetter, seen, backend } = setup();
    const { gate, release } = gated();
    const log: string[] = [];
    const actor = runActor({
      name: 'a',
      events,
      restart: { ...fast, retries: Infinity },
      input: () => bus.subscribe(tp, { application: 'a' }),
      behaviour: crashesOnFirstBomb(),
      effect: async (m) => {
        log.push(`start ${m.id}`);
        if (m.id === 'slow' && !log.includes('end slow')) await gate;
        log.push(`end ${m.id}`);
      },
      deadLetter,
    });
    await bus.publish(tp, [{ id: 'slow', n: 1 }]);
    await waitFor(
      'the slow effect to start',
      () => log,
      3_000,
      (l) => l.length === 1,
    );
    await bus.publish(tp, [{ id: 'bomb', n: 2 }]);
    await waitFor('a crash', () => seen.some((e) => e.type === 'actor.crashed'), 3_000);
    release();
    await waitFor(
      'both slow effects and the bomb to end',
      () => log,
      3_000,
      (l) => l.filter((e) => e === 'end slow').length === 2 && l.includes('end bomb'),
    );
    // The next incarnation started after the old one's effect ended, and redelivered what it had not acknowledged.
    assert.ok(log.indexOf('end slow') < log.lastIndexOf('start slow'), log.join(', '));
    await within(actor.stop(), 1_000, 'stop()');
    assert.equal(unacknowledged(backend, 'a', 'in'), 0);
  });
});
