import assert from 'node:assert/strict';

import { delay, filter, map, mergeMap, type Observable, of, throwError, timer } from 'rxjs';

import { gated, within } from '../test/helpers/promises.ts';
import { waitFor } from '../test/helpers/wait-for.ts';
import {
  type ActorSpec,
  collect,
  type DeadLetterRequest,
  type LastStep,
  runActor,
  type Settle,
} from './actor.ts';
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

type Setup = ReturnType<typeof setup>;

/**
 * runActor named `a` on the setup's bus, its dead letters and events, restarting fast: a test gives what it is
 * about (its behaviour, effect, policies).
 */
const start = <Out>(
  s: Setup,
  spec: Pick<ActorSpec<Msg, Out>, 'behaviour' | 'effect'> & Partial<ActorSpec<Msg, Out>>,
) =>
  runActor<Msg, Out>({
    name: 'a',
    events: s.events,
    input: () => s.bus.subscribe(s.tp, { application: spec.name ?? 'a' }),
    deadLetter: s.deadLetter,
    restart: { ...fast, retries: Infinity },
    ...spec,
  });

/** Waits until `probe` counts exactly `n`. */
const until = (what: string, probe: () => number, n: number) =>
  waitFor(what, probe, 3_000, (v) => v === n);

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
    const s = setup();
    const done: number[] = [];
    const actor = start(s, {
      name: 'doubler',
      behaviour: (in$) =>
        in$.pipe(
          filter((m: Msg) => m.n % 2 === 0),
          map((m) => m.n * 10),
        ),
      effect: (out) => (done.push(out), Promise.resolve()),
    });
    await s.bus.publish(
      s.tp,
      [0, 1, 2, 3].map((n) => ({ id: `m${n}`, n })),
    );
    await until('2 handled', () => done.length, 2);
    await actor.stop();
    assert.deepEqual(done.sort(), [0, 20]);
    // Every input, with or without output, was acknowledged: a new subscriber would see nothing old.
    assert.equal(unacknowledged(s.backend, 'doubler', 'in'), 0);
  });

  it('performs the outputs of a behaviour that emits later (a promise, a timer), then acknowledges', async () => {
    const s = setup();
    const done: number[] = [];
    const actor = start(s, {
      name: 'later',
      behaviour: (in$) =>
        in$.pipe(
          mergeMap((m: Msg) => Promise.resolve(m.n)),
          mergeMap((n) => of(n, n + 100).pipe(delay(1))),
        ),
      effect: (out) => (done.push(out), Promise.resolve()),
    });
    await s.bus.publish(
      s.tp,
      [1, 2].map((n) => ({ id: `m${n}`, n })),
    );
    await until('4 handled', () => done.length, 4);
    await actor.stop();
    assert.deepEqual(
      done.sort((a, b) => a - b),
      [1, 2, 101, 102],
    );
    assert.equal(unacknowledged(s.backend, 'later', 'in'), 0);
  });

  it('dead-letters what does not decode, with its reasons and bytes, and keeps going', async () => {
    const s = setup();
    const done: string[] = [];
    const actor = start(s, {
      behaviour: (in$) => in$.pipe(map((m: Msg) => m.id)),
      effect: (id) => (done.push(id), Promise.resolve()),
    });
    await s.bus.publishRaw('in', [
      { partitionKey: 'x', data: Buffer.from('{oops') },
      { partitionKey: 'x', data: Buffer.from('{"id":1}') },
    ]);
    await s.bus.publish(s.tp, [{ id: 'ok', n: 1 }]);
    await waitFor(
      '1 handled and 2 dead letters',
      () => ({ done: done.length, letters: s.letters.length }),
      3_000,
      (n) => n.done === 1 && n.letters === 2,
    );
    await actor.stop();
    const [first, second] = s.letters;
    assert.equal(first!.errorTag, 'DecodeFailure');
    assert.match(first!.reasons.join(), /not JSON/);
    assert.equal(Buffer.from(first!.raw).toString(), '{oops');
    assert.match(second!.reasons.join(), /at \.id/);
    assert.equal(s.seen.filter((e) => e.type === 'bus.dead_lettered').length, 2);
  });

  it('retries a retriable port failure, then succeeds', async () => {
    const s = setup();
    let calls = 0;
    const actor = start(s, {
      retry: fast,
      behaviour: (in$) => in$,
      effect: () =>
        ++calls < 3
          ? Promise.reject(portFailure('dynamodb', new Error('slow'), true))
          : Promise.resolve(),
    });
    await s.bus.publish(s.tp, [{ id: 'x', n: 1 }]);
    await until('3 calls', () => calls, 3);
    await actor.stop();
    assert.equal(s.letters.length, 0);
    assert.equal(s.seen.filter((e) => e.type === 'bus.retry').length, 2);
  });

  it('treats an effect that throws before returning its promise as failing: retried, or a defect naming the delivery', async () => {
    const s = setup();
    let calls = 0;
    const done: string[] = [];
    const actor = start(s, {
      retry: fast,
      behaviour: (in$) => in$,
      effect: (m) => {
        if (m.id === 'bug') throw new Error('not a port failure');
        if (m.id === 'once' && ++calls === 1)
          throw portFailure('dynamodb', new Error('throttled'), true);
        done.push(m.id);
        return Promise.resolve();
      },
    });
    await s.bus.publish(s.tp, [{ id: 'once', n: 1 }]);
    await waitFor('the retried message done', () => done.includes('once'), 3_000);
    await s.bus.publish(s.tp, [{ id: 'bug', n: 2 }]);
    await until('a dead letter', () => s.letters.length, 1);
    await actor.stop();
    assert.equal(s.seen.filter((e) => e.type === 'bus.retry').length, 1);
    assert.equal(s.letters[0]!.errorTag, 'Defect');
    const bug = s.backend.streams
      .get('in')!
      .flat()
      .find((r) => r.partitionKey === 'bug')!;
    assert.equal(s.letters[0]!.source.sequence, String(bug.sequence));
    assert.equal(unacknowledged(s.backend, 'a', 'in'), 0);
  });

  it('dead-letters after retries run out, and at once for a non-retriable failure', async () => {
    const s = setup();
    const actor = start(s, {
      retry: fast,
      behaviour: (in$) => in$,
      effect: (m) =>
        Promise.reject(
          portFailure(
            's3',
            new Error(m.id === 'flaky' ? 'down' : 'access denied'),
            m.id === 'flaky',
          ),
        ),
    });
    await s.bus.publish(s.tp, [
      { id: 'flaky', n: 1 },
      { id: 'denied', n: 2 },
    ]);
    await until('2 dead letters', () => s.letters.length, 2);
    await actor.stop();
    const byTag = Object.fromEntries(s.letters.map((l) => [l.errorTag, l]));
    assert.equal(byTag.RetriesExhausted?.attempts, 4);
    assert.match(byTag.RetriesExhausted.reasons.join(), /gave up after 4 attempts/);
    assert.equal(byTag.PortFailure?.attempts, 1);
  });

  it('restarts after a defect and redelivers; a delivery that keeps crashing is dead-lettered', async () => {
    const s = setup();
    const done: string[] = [];
    const actor = start(s, {
      behaviour: (in$) =>
        in$.pipe(
          map((m: Msg) => {
            if (m.id === 'bomb') throw new Error('bug');
            return m.id;
          }),
        ),
      effect: (id) => (done.push(id), Promise.resolve()),
    });
    await s.bus.publish(s.tp, [{ id: 'bomb', n: 1 }]);
    await until('a dead letter', () => s.letters.length, 1);
    await s.bus.publish(s.tp, [{ id: 'fine', n: 2 }]);
    await waitFor('the next message handled', () => done.includes('fine'), 3_000);
    await actor.stop();
    assert.equal(s.letters[0]!.errorTag, 'Defect');
    assert.ok(s.seen.filter((e) => e.type === 'actor.crashed').length >= 3);
    assert.equal(s.seen.at(-1)!.type, 'actor.stopped');
  });

  it('stops gracefully: in-flight effects finish and are acknowledged', async () => {
    const s = setup();
    const { gate, release } = gated();
    let started = 0;
    const actor = start(s, { behaviour: (in$) => in$, effect: () => (started++, gate) });
    await s.bus.publish(s.tp, [{ id: 'slow', n: 1 }]);
    await until('the slow effect to start', () => started, 1);
    const stopped = actor.stop();
    release();
    await stopped;
    assert.equal(actor.healthy(), false);
    assert.equal(unacknowledged(s.backend, 'a', 'in'), 0);
  });

  it('stop() waits for the effects of a crashed incarnation, and a restart does not inherit them', async () => {
    // The old incarnation's slow effect outlives its crash; its completion must neither settle nor stall the next
    // incarnation (they once shared the in-flight counter and subscription), and stop() waits for it.
    const s = setup();
    const { gate, release } = gated();
    let started = 0;
    let finished = 0;
    const actor = start(s, {
      behaviour: crashesOnFirstBomb(),
      effect: async (m) => {
        if (m.id !== 'slow') return;
        started++;
        await gate;
        finished++;
      },
    });
    await s.bus.publish(s.tp, [{ id: 'slow', n: 1 }]);
    await until('the slow effect to start', () => started, 1);
    await s.bus.publish(s.tp, [{ id: 'bomb', n: 2 }]);
    await waitFor('a crash', () => s.seen.some((e) => e.type === 'actor.crashed'), 3_000);
    const stopped = actor.stop();
    release();
    await within(stopped, 1_000, 'stop()');
    assert.equal(finished, started, 'stop() returned while an effect was still running');
    assert.equal(s.seen.at(-1)!.type, 'actor.stopped');
  });

  it('restarts only after the crashed incarnation drained, then processes what it left', async () => {
    const s = setup();
    const { gate, release } = gated();
    const log: string[] = [];
    const actor = start(s, {
      behaviour: crashesOnFirstBomb(),
      effect: async (m) => {
        log.push(`start ${m.id}`);
        if (m.id === 'slow' && !log.includes('end slow')) await gate;
        log.push(`end ${m.id}`);
      },
    });
    await s.bus.publish(s.tp, [{ id: 'slow', n: 1 }]);
    await until('the slow effect to start', () => log.length, 1);
    await s.bus.publish(s.tp, [{ id: 'bomb', n: 2 }]);
    await waitFor('a crash', () => s.seen.some((e) => e.type === 'actor.crashed'), 3_000);
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
    assert.equal(unacknowledged(s.backend, 'a', 'in'), 0);
  });
});

/** Resolves once every microtask queued so far (and those they queue) has run. */
const afterMicrotasks = () => new Promise<void>((r) => setImmediate(r));

describe('Runtime > runActor > last steps', () => {
  const processed = (s: Setup) =>
    s.seen.reduce((n, e) => (e.type === 'actor.processed' ? n + e.payload.count : n), 0);

  it('takes a delivery out of the concurrency bound while its last steps wait, and acknowledges it when all have settled', async () => {
    const s = setup();
    const waiting: Array<{ id: string; done: Settle }> = [];
    const actor = start<Msg>(s, {
      concurrency: 1,
      // `pair` has two outputs, so two last steps.
      behaviour: (in$) => in$.pipe(mergeMap((m) => (m.id === 'pair' ? of(m, m) : of(m)))),
      effect: (m) => Promise.resolve<LastStep>((done) => waiting.push({ id: m.id, done })),
    });
    await s.bus.publish(s.tp, [
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
      { id: 'pair', n: 3 },
    ]);
    // One slot, yet every delivery got through its effect: waiting on a last step holds no slot.
    await until('four last steps', () => waiting.length, 4);
    assert.equal(processed(s), 0, 'nothing is acknowledged before its last step settles');
    waiting.find((w) => w.id === 'a')!.done.settle();
    await until('a acknowledged', () => processed(s), 1);
    const [first, second] = waiting.filter((w) => w.id === 'pair');
    first!.done.settle();
    // An acknowledgement runs in microtasks (the memory bus acks synchronously): once they have run, not before.
    await afterMicrotasks();
    assert.equal(processed(s), 1, 'pair waits for its second step');
    second!.done.settle();
    await until('pair acknowledged', () => processed(s), 2);
    // stop() waits for the step still open (b), then everything is acknowledged.
    let stopped = false;
    const stopping = actor.stop().then(() => (stopped = true));
    await afterMicrotasks();
    assert.equal(stopped, false, 'stop() must wait for the last step of b');
    waiting.find((w) => w.id === 'b')!.done.settle();
    await within(stopping, 1_000, 'stop()');
    assert.equal(unacknowledged(s.backend, 'a', 'in'), 0);
  });

  it('crashes the actor when a last step fails: its delivery is not acknowledged, and the next incarnation stores it', async () => {
    const s = setup();
    const attempts: string[] = [];
    const actor = start<Msg>(s, {
      behaviour: (in$) => in$,
      effect: (m) => {
        attempts.push(m.id);
        const firstTime = attempts.length === 1;
        return Promise.resolve<LastStep>((done) =>
          setTimeout(() =>
            done.settle(firstTime ? portFailure('s3', new Error('batch lost')) : undefined),
          ),
        );
      },
    });
    await s.bus.publish(s.tp, [{ id: 'x', n: 1 }]);
    await waitFor('a crash', () => s.seen.some((e) => e.type === 'actor.crashed'), 3_000);
    await until('x stored by the next incarnation', () => processed(s), 1);
    await within(actor.stop(), 1_000, 'stop()');
    assert.deepEqual(attempts, ['x', 'x']);
    assert.equal(unacknowledged(s.backend, 'a', 'in'), 0);
    assert.equal(s.letters.length, 0, 'a failed last step is redelivered, not dead-lettered');
  });

  it('treats a last step that throws instead of settling as a defect naming the delivery, and stop() does not hang on it', async () => {
    const s = setup();
    let calls = 0;
    const actor = start<Msg>(s, {
      behaviour: (in$) => in$,
      effect: () =>
        Promise.resolve<LastStep>((done) => {
          if (calls++ === 0) throw new Error('step bug');
          done.settle();
        }),
    });
    await s.bus.publish(s.tp, [{ id: 'x', n: 1 }]);
    await until('x stored by the next incarnation', () => processed(s), 1);
    const crash = s.seen.find((e) => e.type === 'actor.crashed');
    assert.match(JSON.stringify(crash), /step bug/);
    await within(actor.stop(), 1_000, 'stop()');
    assert.equal(unacknowledged(s.backend, 'a', 'in'), 0);
  });
});

describe('Runtime > collect', () => {
  it('gives the values of a synchronous observable at once, as an array, not a promise', () => {
    assert.deepEqual(collect(of(1, 2, 3).pipe(map((n) => n * 2))), [2, 4, 6]);
    assert.deepEqual(collect(of(1).pipe(filter(() => false))), []);
  });

  it('throws a synchronous error', () => {
    assert.throws(() => collect(throwError(() => new Error('boom'))), /boom/);
  });

  it('gives a promise of every value when the observable completes later, and rejects with a later error', async () => {
    const later = collect(timer(1).pipe(mergeMap(() => of('a', 'b'))));
    assert.ok(later instanceof Promise);
    assert.deepEqual(await later, ['a', 'b']);
    const failing = collect(timer(1).pipe(mergeMap(() => throwError(() => new Error('late')))));
    await assert.rejects(Promise.resolve(failing), /late/);
  });
});
