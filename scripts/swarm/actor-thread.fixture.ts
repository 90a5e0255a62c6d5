/**
 * A catalog of one actor for actor-thread.spec.ts, run in a worker thread as the swarm runs its actors. What it
 * does is chosen by `FIXTURE_MODE` in its env: `run` (emits, counts and logs what `FIXTURE_COUNT` says, dead-letters
 * 3), `refuse` (its config is refused), `die` (its thread throws 50 ms after start), `fail-stop` (its stop rejects).
 */
import { E } from '../../runtime/codec.ts';
import { configError } from '../../runtime/errors.ts';
import type { Launchable } from '../../runtime/launcher.ts';

const start: Launchable['start'] = (ctx, env) => {
  const mode = env['FIXTURE_MODE'] ?? 'run';
  if (mode === 'refuse') return Promise.resolve(E.left(configError(['FIXTURE_MODE says no'])));
  const count = Number(env['FIXTURE_COUNT'] ?? '1');
  ctx.events.emit('actor.started', 'fixture', { instance: 'thread' });
  ctx.events.emit('actor.processed', 'fixture/drones', { count });
  ctx.metrics.inc('fixture_total', 'Counted by the fixture', { mode }, count);
  ctx.log.info({ count }, 'fixture started');
  if (mode === 'die')
    setTimeout(() => {
      throw new Error('the fixture died');
    }, 50);
  return Promise.resolve(
    E.right({
      healthy: () => true,
      deadLetters: () => 3,
      exitCode: () => 7,
      stop: () => {
        if (mode === 'fail-stop') return Promise.reject(new Error('the fixture could not stop'));
        ctx.events.emit('actor.stopped', 'fixture', { reason: 'asked' });
        ctx.log.info('fixture stopped');
        return Promise.resolve();
      },
    }),
  );
};

export const CATALOG = [{ actor: { name: 'fixture', start } }];
