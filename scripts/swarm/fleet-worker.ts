/**
 * The swarm's fleet in its own thread (`fleet-thread.ts` starts it): the simulated drones, their producer and
 * their AWS clients, at a lower priority than the consumers in the main thread. It keeps no ids itself: each id
 * the stream took goes to the swarm in the next news, and an alarm's id before its publish.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { startDroneFleet } from '../../actors/drone-simulator/service.ts';
import { createS3ImageStore } from '../../actors/drone-simulator/violation-image.ts';
import { createAwsClients } from '../../runtime/aws/clients.ts';
import { createKinesisBus } from '../../runtime/bus/kinesis.ts';
import { createEventHub, type RuntimeEvent } from '../../runtime/events.ts';
import { niceThisThread } from '../../runtime/thread-priority.ts';
import { type FleetJob, type FromFleet, NEWS_EVERY_MS, type ToFleet } from './fleet-protocol.ts';

const job = workerData as FleetJob;
const port = parentPort!;
const say = (m: FromFleet): void => port.postMessage(m);

const priority = job.nice > 0 ? niceThisThread(job.nice) : { applied: true as const };
say({ kind: 'priority', ...priority });

const clients = createAwsClients(job.target);
const events = createEventHub();
const bus = createKinesisBus({
  clients,
  events,
  target: job.target.kind,
  leaseTable: job.leaseTable,
});
let sent: string[] = [];
let alarms: string[] = [];
let happened: RuntimeEvent[] = [];
events.events$.subscribe((e) => happened.push(e));
const fleet = startDroneFleet({
  bus,
  events,
  stream: job.stream,
  fleet: job.fleet,
  clock: { now: Date.now },
  images: createS3ImageStore(clients.s3, job.bucket),
  observer: {
    tried: (id) => say({ kind: 'tried', id }),
    sent: (id, needsHuman) => {
      sent.push(id);
      if (needsHuman) alarms.push(id);
    },
  },
});
const news = (): void => {
  say({ kind: 'news', counts: { ...fleet.counts }, sent, alarms, events: happened });
  sent = [];
  alarms = [];
  happened = [];
};
const ticker = setInterval(news, NEWS_EVERY_MS);

port.on('message', (m: ToFleet) => {
  if (m.kind !== 'stop') return;
  void (async () => {
    await fleet.stop();
    await bus.close();
    clearInterval(ticker);
    news();
    clients.destroy();
    say({ kind: 'stopped' });
    port.close();
  })();
});
