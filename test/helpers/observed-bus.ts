/**
 * A Kinesis bus on the local stack whose runtime events a spec reads back, for the specs that assert on what the
 * consumer did (leases taken and lost, checkpoints, lag, crashes) rather than only on what it delivered.
 */
import { createKinesisBus, type KinesisBusOptions } from '../../runtime/bus/kinesis.ts';
import { createEventHub, type RuntimeEvent } from '../../runtime/events.ts';

/**
 * A bus (`target: 'local'`, the stack's shared leases table unless `options` name another) and every event it
 * emitted so far, in order.
 * @example const { bus, seen } = observedBus({ clients, consumer: { leaseTimeoutMs: 3_000 } });
 */
export const observedBus = (
  options: Omit<KinesisBusOptions, 'events' | 'leaseTable' | 'target'> & {
    readonly leaseTable?: string;
  },
): { readonly bus: ReturnType<typeof createKinesisBus>; readonly seen: RuntimeEvent[] } => {
  const events = createEventHub();
  const seen: RuntimeEvent[] = [];
  events.events$.subscribe((e) => seen.push(e));
  const bus = createKinesisBus({
    leaseTable: 'prestacop-leases',
    ...options,
    target: 'local',
    events,
  });
  return { bus, seen };
};
