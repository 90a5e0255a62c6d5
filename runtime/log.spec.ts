import assert from 'node:assert/strict';

import { map, of } from 'rxjs';

import { waitFor } from '../test/helpers/wait-for.ts';
import { runActor } from './actor.ts';
import { type Delivery, topic } from './bus/bus.ts';
import { createMemoryBackend, createMemoryBus } from './bus/memory.ts';
import { E, t } from './codec.ts';
import { decodeFailure } from './errors.ts';
import { createEventHub } from './events.ts';
import { createLogger, logEvents } from './log.ts';

const Msg = t.type({ id: t.string });

/** An actor whose events are logged as a service logs them, into `lines` (one parsed JSON object a line). */
const loggedActor = (input: () => ReturnType<ReturnType<typeof createMemoryBus>['subscribe']>) => {
  const lines: Record<string, unknown>[] = [];
  const events = createEventHub();
  const log = createLogger('test', 'info', {
    write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>),
  });
  const unlog = logEvents(events.events$, log);
  const letters: unknown[] = [];
  const actor = runActor({
    name: 'a',
    events,
    input,
    behaviour: (in$) => in$.pipe(map(() => 'out')),
    effect: () => Promise.resolve(),
    deadLetter: (l) => (letters.push(l), Promise.resolve()),
  });
  /** Waits for the one dead letter the test causes, then stops the actor and its logging. */
  const stopAfterDeadLetter = async () => {
    await waitFor(
      'the dead letter',
      () => letters.length,
      3_000,
      (n) => n === 1,
    );
    await actor.stop();
    unlog();
  };
  return { lines, stopAfterDeadLetter };
};

const deadLetterLines = (lines: ReadonlyArray<Record<string, unknown>>) =>
  lines.filter((l) => l['event'] === 'bus.dead_lettered' || l['event'] === 'bus.decode_failed');

describe('Runtime > logEvents', () => {
  it('logs a per-message event at debug, with its payload, and only when debug is on', () => {
    for (const level of ['debug', 'info'] as const) {
      const lines: Record<string, unknown>[] = [];
      const events = createEventHub();
      const log = createLogger('test', level, {
        write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>),
      });
      const unlog = logEvents(events.events$, log);
      events.emit('actor.processed', 'a', { count: 3 });
      events.emit('actor.started', 'a', { instance: '1' });
      unlog();
      const processed = lines.filter((l) => l['event'] === 'actor.processed');
      if (level === 'debug')
        assert.deepEqual(
          processed.map((l) => [l['actor'], l['count']]),
          [['a', 3]],
        );
      else assert.equal(processed.length, 0);
      assert.equal(lines.filter((l) => l['event'] === 'actor.started').length, 1);
    }
  });

  it("names a dead letter's stream, shard and sequence on its log lines (memory bus)", async () => {
    const bus = createMemoryBus(createMemoryBackend({ shardsPerStream: 1 }));
    const tp = topic('in', Msg, (m) => m.id);
    const { lines, stopAfterDeadLetter } = loggedActor(() =>
      bus.subscribe(tp, { application: 'a' }),
    );
    await bus.publish(tp, [{ id: 'ok' }]);
    await bus.publishRaw('in', [{ partitionKey: 'x', data: Buffer.from('{oops') }]);
    await stopAfterDeadLetter();
    const logged = deadLetterLines(lines);
    assert.deepEqual(
      logged.map((l) => l['event']),
      ['bus.decode_failed', 'bus.dead_lettered'],
    );
    for (const l of logged) {
      assert.equal(l['stream'], 'in');
      assert.equal(typeof l['shardId'], 'string');
      assert.notEqual(l['shardId'], '');
      assert.equal(l['sequence'], '2'); // the second record published
      assert.equal(l['subSequence'], 0);
    }
    assert.equal(logged[1]!['level'], 40); // warn
    assert.equal(logged[1]!['errorTag'], 'DecodeFailure');
  });

  it('names the index inside a packed record', async () => {
    const packed: Delivery<{ id: string }> = {
      payload: E.left(decodeFailure('drones', ['not JSON'])),
      source: {
        stream: 'drones',
        shardId: 'shardId-000000000003',
        sequence: '49650000000000000000000000000000000000000000000000000042',
        subSequence: 17,
      },
      raw: Buffer.from('{oops'),
      arrivedAt: 0,
      ack: () => Promise.resolve(),
    };
    const { lines, stopAfterDeadLetter } = loggedActor(() => of(packed));
    await stopAfterDeadLetter();
    const [line] = deadLetterLines(lines).filter((l) => l['event'] === 'bus.dead_lettered');
    assert.deepEqual(
      {
        stream: line!['stream'],
        shardId: line!['shardId'],
        sequence: line!['sequence'],
        subSequence: line!['subSequence'],
      },
      packed.source,
    );
  });
});
