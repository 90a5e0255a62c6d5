/**
 * When an alarm nobody acknowledged becomes an escalation: `afterMs` after it was raised (the alert system's
 * `raisedAt`, so every console instance and every restart computes the same moment). Pure: timers on the default
 * scheduler (virtual under `TestScheduler.run`), time from the Clock port.
 */
import {
  asyncScheduler,
  connect,
  filter,
  map,
  mergeMap,
  type Observable,
  type SchedulerLike,
  take,
  takeUntil,
  timer,
} from 'rxjs';

import type { Clock } from './ports.ts';

/** What the escalation timer needs to know. */
export type EscalationInput =
  /** An alarm is shown (each id once: the console deduplicates first). */
  | { readonly type: 'shown'; readonly alarmId: string; readonly raisedAtMs: number }
  /** Someone acknowledged it, or it was escalated already (recorded, by this or another instance). */
  | { readonly type: 'settled'; readonly alarmId: string };

/** An escalation that is due: the alarm, and how long after its raise. */
export interface EscalationDue {
  readonly alarmId: string;
  readonly afterMs: number;
}

/**
 * Emits each shown alarm once `afterMs` passed since its raise, unless it was settled before. An alarm shown
 * after its deadline (a restart, a late delivery) is due at once.
 *
 * @example
 * inputs$.pipe(escalations({ afterMs: 60_000, clock })).subscribe((due) => escalate(due.alarmId));
 */
export const escalations =
  (cfg: {
    readonly afterMs: number;
    readonly clock: Clock;
    /** Where the timers run (default rxjs's async scheduler); a test passes a virtual one. */
    readonly scheduler?: SchedulerLike;
  }) =>
  (inputs$: Observable<EscalationInput>): Observable<EscalationDue> =>
    inputs$.pipe(
      connect((shared$) =>
        shared$.pipe(
          filter((i): i is Extract<EscalationInput, { type: 'shown' }> => i.type === 'shown'),
          mergeMap((shown) =>
            timer(
              Math.max(0, shown.raisedAtMs + cfg.afterMs - cfg.clock.now()),
              cfg.scheduler ?? asyncScheduler,
            ).pipe(
              map(() => ({
                alarmId: shown.alarmId,
                afterMs: Math.max(0, cfg.clock.now() - shown.raisedAtMs),
              })),
              takeUntil(
                shared$.pipe(
                  filter((i) => i.type === 'settled' && i.alarmId === shown.alarmId),
                  take(1),
                ),
              ),
            ),
          ),
        ),
      ),
    );
