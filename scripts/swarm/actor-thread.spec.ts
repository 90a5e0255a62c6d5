import assert from 'node:assert/strict';

import { E } from '../../runtime/codec.ts';
import { createEventHub, type RuntimeEvent } from '../../runtime/events.ts';
import { MetricsRegistry } from '../../runtime/metrics.ts';
import type { RunningService } from '../../runtime/service.ts';
import { startActorThread } from './actor-thread.ts';

// Nothing listens here: the fixture makes no call.
const nowhere = 'http://127.0.0.1:9';
const target = {
  kind: 'local',
  region: 'us-east-1',
  endpoints: { kinesis: nowhere, dynamodb: nowhere, s3: nowhere, sns: nowhere, sqs: nowhere },
} as const;
const catalog = new URL('./actor-thread.fixture.ts', import.meta.url).href;

/** The fixture actor on a thread, with what reached the swarm's side. */
const onThread = async (env: Record<string, string>, name = 'fixture') => {
  const events = createEventHub();
  const seen: RuntimeEvent[] = [];
  events.events$.subscribe((e) => seen.push(e));
  const metrics = new MetricsRegistry();
  const lines: string[] = [];
  const started = await startActorThread(
    { name, catalog, target, env, logLevel: 'info' },
    { events, metrics, log: (line) => void lines.push(line) },
  );
  return { started, seen, metrics, lines };
};

const running = (started: E.Either<unknown, RunningService>): RunningService => {
  if (E.isLeft(started)) throw new Error(`refused: ${JSON.stringify(started.left)}`);
  return started.right;
};

describe('swarm > an actor on a thread of its own', function () {
  this.timeout(30_000); // a thread loads tsx and its modules first

  it("hands the swarm the actor's events, metric calls, log lines, dead letters and exit code", async () => {
    const { started, seen, metrics, lines } = await onThread({ FIXTURE_COUNT: '42' });
    const actor = running(started);
    assert.equal(actor.healthy(), true);
    await actor.stop();
    assert.deepEqual(
      seen.map((e) => e.type),
      ['actor.started', 'actor.processed', 'actor.stopped'],
    );
    assert.deepEqual(seen[1]?.payload, { count: 42 });
    assert.equal(metrics.value('fixture_total', { mode: 'run' }), 42);
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; actor: string });
    assert.deepEqual(
      logged.map((l) => [l.actor, l.msg]),
      [
        ['fixture', 'fixture started'],
        ['fixture', 'fixture stopped'],
      ],
    );
    assert.equal(actor.deadLetters?.(), 3);
    assert.equal(actor.exitCode?.(), 7);
    assert.equal(actor.healthy(), false); // stopped
  });

  it("resolves with the actor's refusal of its config, and with a name the catalog does not have", async () => {
    const refused = await onThread({ FIXTURE_MODE: 'refuse' });
    assert.ok(E.isLeft(refused.started));
    assert.deepEqual(refused.started.left.issues, ['FIXTURE_MODE says no']);
    const unknown = await onThread({}, 'nobody');
    assert.ok(E.isLeft(unknown.started));
    assert.deepEqual(unknown.started.left.issues, ['no actor nobody in the catalog']);
  });

  it('turns unhealthy when its thread dies, and stop() rejects with why', async () => {
    const actor = running((await onThread({ FIXTURE_MODE: 'die' })).started);
    for (let i = 0; i < 100 && actor.healthy(); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(actor.healthy(), false);
    await assert.rejects(actor.stop(), /the fixture died/);
  });

  it("rejects stop() when the actor's own stop fails", async () => {
    const actor = running((await onThread({ FIXTURE_MODE: 'fail-stop' })).started);
    await assert.rejects(
      actor.stop(),
      /fixture's thread failed: Error: the fixture could not stop/,
    );
  });
});
