/**
 * The swarm's fleet flown in a worker thread (`fleet-worker.ts`) at a lower priority, so the drones no longer take
 * the event loop, and the core, from the consumers they feed: in one thread the storage writer fell behind
 * during the flight from 2,000 drones on (docs/scale.md). The swarm keeps the ids and counts the worker sends,
 * and re-emits its events on its own hub (metrics and logs as before).
 */
import { noCounts, type RunningFleet } from '../../actors/drone-simulator/service.ts';
import type { EventHub } from '../../runtime/events.ts';
import type { FleetJob, FromFleet, ToFleet } from './fleet-protocol.ts';
import { tsxWorker } from './tsx-worker.ts';

export interface FleetThread extends RunningFleet {
  /**
   * Resolves once the thread flies (its modules take seconds to load under tsx), saying whether its lower
   * priority took effect, and why not.
   */
  readonly ready: Promise<{ readonly applied: boolean; readonly why?: string }>;
}

/**
 * Starts the fleet in a worker thread. `stop()` resolves once every message made has been published (or counted
 * failed) and the last ids have arrived; it rejects if the thread died, since its ids would then be incomplete.
 *
 * @example const fleet = startFleetThread({ target, stream, leaseTable, bucket, fleet: cfg, nice: 10, events });
 */
export const startFleetThread = ({
  events,
  ...job
}: FleetJob & { readonly events: EventHub }): FleetThread => {
  const worker = tsxWorker(new URL('./fleet-worker.ts', import.meta.url), job);

  const counts = noCounts();
  const alarmIds = new Set<string>();
  const alarmIdsTried = new Set<string>();
  const sentIds = new Set<string>();
  let flying!: (p: { readonly applied: boolean; readonly why?: string }) => void;
  let failedToFly!: (e: Error) => void;
  const ready = new Promise<{ readonly applied: boolean; readonly why?: string }>(
    (resolve, reject) => ((flying = resolve), (failedToFly = reject)),
  );
  let stopped!: () => void;
  let ended!: (e: Error) => void;
  const end = new Promise<void>((resolve, reject) => ((stopped = resolve), (ended = reject)));
  // A death is reported to whoever waits (ready, then stop()): never an unhandled rejection.
  end.catch(() => undefined);
  const died = (e: Error): void => (failedToFly(e), ended(e));
  let done = false;

  worker.on('message', (m: FromFleet) => {
    switch (m.kind) {
      case 'tried':
        alarmIdsTried.add(m.id);
        return;
      case 'news':
        Object.assign(counts, m.counts);
        for (const id of m.sent) sentIds.add(id);
        for (const id of m.alarms) alarmIds.add(id);
        for (const e of m.events) events.emit(e.type, e.actor, e.payload);
        return;
      case 'priority':
        flying(m);
        return;
      case 'stopped':
        done = true;
        stopped();
        return;
    }
  });
  worker.on('error', (e: Error) => died(e));
  worker.on('exit', (code) => {
    if (!done) died(new Error(`the fleet thread exited (code ${code}) before it was stopped`));
  });

  return {
    counts,
    alarmIds,
    alarmIdsTried,
    sentIds,
    ready,
    stop: async () => {
      worker.postMessage({ kind: 'stop' } satisfies ToFleet);
      await end;
      await worker.terminate();
    },
  };
};
