/**
 * What the swarm and a declared actor on a thread of its own say to each other (`actor-thread.ts` ↔
 * `actor-worker.ts`): plain data, copied by `postMessage`.
 */
import type { AwsTarget } from '../../runtime/aws/target.ts';
import type { RuntimeEvent } from '../../runtime/events.ts';
import type { LogLevel } from '../../runtime/log.ts';
import type { MetricOp } from '../../runtime/metrics.ts';
import type { StopSignal } from '../../runtime/service.ts';

/** The worker's `workerData`: which catalog actor, on which target, with the env its `start` reads. */
export interface ActorJob {
  readonly name: string;
  /** The module whose `CATALOG` names it (a `file:` URL): actors/catalog.ts unless given (specs give their own). */
  readonly catalog?: string;
  readonly target: AwsTarget;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logLevel: LogLevel;
}

/** Swarm → worker. */
export type ToActor = { readonly kind: 'stop'; readonly signal?: StopSignal };

/**
 * Worker → swarm. `news` comes every {@link NEWS_EVERY_MS} from `started` on, and once more before `stopped`: the
 * actor's events, its metric calls and its log lines since the last one, and its state now.
 */
export type FromActor =
  | { readonly kind: 'started' }
  | { readonly kind: 'refused'; readonly issues: readonly string[] }
  | {
      readonly kind: 'news';
      readonly events: readonly RuntimeEvent[];
      readonly metrics: readonly MetricOp[];
      readonly log: readonly string[];
      readonly healthy: boolean;
      readonly deadLetters: number | undefined;
    }
  | { readonly kind: 'stopped'; readonly exitCode: number }
  | { readonly kind: 'failed'; readonly message: string };

export const NEWS_EVERY_MS = 100;
