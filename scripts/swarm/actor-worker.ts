/**
 * One declared actor in its own thread (`actor-thread.ts` starts it): the catalog entry started as its host runs
 * it, on AWS clients, an event hub and a logger of the thread's own. Its events, metric calls and log lines go to
 * the swarm in the next news, where the swarm's hub, registry and log file take them as if they were its own.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { createAwsClients } from '../../runtime/aws/clients.ts';
import { E } from '../../runtime/codec.ts';
import { createEventHub, type RuntimeEvent } from '../../runtime/events.ts';
import type { Launchable } from '../../runtime/launcher.ts';
import { createLogger } from '../../runtime/log.ts';
import { RecordingRegistry } from '../../runtime/metrics.ts';
import { type ActorJob, type FromActor, NEWS_EVERY_MS, type ToActor } from './actor-protocol.ts';

const job = workerData as ActorJob;
const port = parentPort!;
const say = (m: FromActor): void => port.postMessage(m);

const run = async (): Promise<void> => {
  const { CATALOG } = (
    job.catalog === undefined ? await import('../../actors/catalog.ts') : await import(job.catalog)
  ) as { readonly CATALOG: ReadonlyArray<{ readonly actor: Pick<Launchable, 'name' | 'start'> }> };
  const entry = CATALOG.find((e) => e.actor.name === job.name);
  if (entry === undefined)
    return say({ kind: 'refused', issues: [`no actor ${job.name} in the catalog`] });
  const clients = createAwsClients(job.target);
  const events = createEventHub();
  const metrics = new RecordingRegistry();
  let lines: string[] = [];
  const log = createLogger('swarm', job.logLevel, {
    write: (line: string) => void lines.push(line),
  });
  let happened: RuntimeEvent[] = [];
  events.events$.subscribe((e) => happened.push(e));

  const started = await entry.actor.start(
    { clients, events, metrics, log: log.child({ actor: job.name }) },
    job.env,
  );
  if (E.isLeft(started)) {
    clients.destroy();
    return say({ kind: 'refused', issues: started.left.issues });
  }
  const service = started.right;
  const news = (): void => {
    say({
      kind: 'news',
      events: happened,
      metrics: metrics.take(),
      log: lines,
      healthy: service.healthy(),
      deadLetters: service.deadLetters?.(),
    });
    happened = [];
    lines = [];
  };
  const ticker = setInterval(news, NEWS_EVERY_MS);
  say({ kind: 'started' });

  port.on('message', (m: ToActor) => {
    if (m.kind !== 'stop') return;
    void service.stop(m.signal).then(
      () => {
        clearInterval(ticker);
        news();
        clients.destroy();
        say({ kind: 'stopped', exitCode: service.exitCode?.() ?? 0 });
        port.close();
      },
      (e: unknown) => {
        clearInterval(ticker);
        news();
        say({ kind: 'failed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
        port.close();
      },
    );
  });
};

void run().catch((e: unknown) => {
  say({ kind: 'failed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  port.close();
});
