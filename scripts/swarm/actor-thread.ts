/**
 * A declared actor on a thread of its own (`actor-worker.ts`), as each runs on a host of its own when deployed: in
 * one thread the swarm's three consumers (storage writer, alert system, watchdog) shared one event loop, and from
 * 5,000 drones on the storage writer got what the other two left it and stored less than at 2,000 (docs/scale.md).
 * On threads the kernel shares the cores among them, and the writer holds its rate.
 *
 * The swarm sees the thread as a `RunningService`: its events come out of the swarm's hub (status line, metrics,
 * log), its metric calls land in the swarm's registry, its log lines in the swarm's log, and `healthy()` and
 * `deadLetters()` answer from its last news.
 */
import { E } from '../../runtime/codec.ts';
import { type ConfigError, configError } from '../../runtime/errors.ts';
import type { EventHub } from '../../runtime/events.ts';
import { type MetricsRegistry, replayMetrics } from '../../runtime/metrics.ts';
import type { RunningService } from '../../runtime/service.ts';
import type { ActorJob, FromActor, ToActor } from './actor-protocol.ts';
import { tsxWorker } from './tsx-worker.ts';

/** Where the thread's news goes in the swarm. */
export interface ActorThreadSinks {
  readonly events: EventHub;
  readonly metrics: MetricsRegistry;
  /** One log line as pino wrote it (ends with a newline). */
  readonly log: (line: string) => void;
}

/**
 * Starts the catalog actor `job.name` in a worker thread; resolves once it runs (or with the refusal of its
 * config), rejects if the thread fails first. `stop()` resolves once the actor stopped and its last news arrived,
 * and rejects if the thread died or its stop failed.
 *
 * @example const writer = await startActorThread({ name: 'stream-to-storage', target, env, logLevel }, sinks);
 */
export const startActorThread = (
  job: ActorJob,
  sinks: ActorThreadSinks,
): Promise<E.Either<ConfigError, RunningService>> => {
  const worker = tsxWorker(new URL('./actor-worker.ts', import.meta.url), job);
  let healthy = false;
  let deadLetters: number | undefined;
  let exitCode = 0;
  let settled = false; // start's promise
  let finished = false; // the thread ended as asked (stopped, refused) or said why not (failed)
  let stopped!: () => void;
  let ended!: (e: Error) => void;
  const end = new Promise<void>((resolve, reject) => ((stopped = resolve), (ended = reject)));
  end.catch(() => undefined); // reported to whoever stops it, never an unhandled rejection

  return new Promise((resolve, reject) => {
    const running: RunningService = {
      healthy: () => healthy,
      deadLetters: () => deadLetters ?? 0,
      exitCode: () => exitCode,
      stop: async (signal) => {
        worker.postMessage({ kind: 'stop', ...(signal ? { signal } : {}) } satisfies ToActor);
        try {
          await end;
        } finally {
          await worker.terminate();
        }
      },
    };
    const died = (e: Error): void => {
      finished = true;
      healthy = false;
      if (!settled) {
        settled = true;
        reject(e);
      }
      ended(e);
    };
    worker.on('message', (m: FromActor) => {
      switch (m.kind) {
        case 'news':
          for (const e of m.events) sinks.events.emit(e.type, e.actor, e.payload);
          replayMetrics(sinks.metrics, m.metrics);
          for (const line of m.log) sinks.log(line);
          healthy = m.healthy;
          deadLetters = m.deadLetters;
          return;
        case 'started':
          settled = true;
          healthy = true;
          resolve(E.right(running));
          return;
        case 'refused':
          settled = true;
          finished = true;
          resolve(E.left(configError(m.issues)));
          void worker.terminate();
          return;
        case 'stopped':
          exitCode = m.exitCode;
          healthy = false;
          finished = true;
          stopped();
          return;
        case 'failed':
          died(new Error(`${job.name}'s thread failed: ${m.message}`));
          return;
      }
    });
    worker.on('error', (e: Error) => died(e));
    worker.on('exit', (code) => {
      if (!finished)
        died(new Error(`${job.name}'s thread exited (code ${code}) before it was stopped`));
    });
  });
};
