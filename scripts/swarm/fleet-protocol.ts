/**
 * What the swarm's fleet thread and the swarm say to each other (`fleet-thread.ts` ↔ `fleet-worker.ts`): plain
 * data, copied by `postMessage`.
 */
import type { FleetConfig } from '../../actors/drone-simulator/behaviour.ts';
import type { FleetCounts } from '../../actors/drone-simulator/service.ts';
import type { AwsTarget } from '../../runtime/aws/target.ts';
import type { RuntimeEvent } from '../../runtime/events.ts';

/** The worker's `workerData`. */
export interface FleetJob {
  readonly target: AwsTarget;
  readonly stream: string;
  readonly leaseTable: string;
  readonly bucket: string;
  readonly fleet: FleetConfig;
  /** The thread's nice value (0-19): the fleet yields the cores to the consumers it feeds. */
  readonly nice: number;
}

/** Swarm → worker. */
export type ToFleet = { readonly kind: 'stop' };

/** Worker → swarm. `news` is sent every {@link NEWS_EVERY_MS} and once more when stopped. */
export type FromFleet =
  | { readonly kind: 'tried'; readonly id: string }
  | {
      readonly kind: 'news';
      readonly counts: FleetCounts;
      /** Ids the stream took since the last news, and which of them need a human. */
      readonly sent: readonly string[];
      readonly alarms: readonly string[];
      readonly events: readonly RuntimeEvent[];
    }
  | { readonly kind: 'priority'; readonly applied: boolean; readonly why?: string }
  | { readonly kind: 'stopped' };

export const NEWS_EVERY_MS = 100;
