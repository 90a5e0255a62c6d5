/**
 * Which drone messages raise an alarm, as a pure transition (`runtime/transition.ts`): exactly those whose violation
 * code needs a human, one alarm per message, never throttled, merged or sampled. The alarm's id is the message's
 * id, so a redelivered message raises the same alarm again (same id): what was already delivered is decided by the
 * delivery step (`delivery-step.ts`), which remembers what this process published and asks the alarm store, the
 * record across processes and restarts. This step remembers nothing itself: its state is `null`.
 *
 * Time is the runner's (`raisedAt` is the step's `at`, from the rxjs scheduler, so marble tests run in virtual
 * time); the drone's own clock is only judged against the message's arrival on the stream (`clockOffMs`).
 */
import type { t } from '../../runtime/codec.ts';
import type { Input, Transition } from '../../runtime/transition.ts';
import { type AlarmRaised, toAlarmRaised } from '../protocol/alarm.ts';
import type { DroneMessage } from '../protocol/drone-message.ts';
import { boroughAt } from '../protocol/nyc.ts';
import { clockOffMs, type ClockWindow, DEFAULT_CLOCK_WINDOW, utcTimeOf } from '../protocol/time.ts';
import { needsHuman } from '../protocol/violation-codes.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** What the step needs. */
export interface AlertConfig {
  /** Violation codes that need a human (`DEFAULT_HUMAN_CODES` unless configured). */
  readonly humanCodes: ReadonlyArray<number>;
  /**
   * How far a drone's time may stray from the stream's arrival time before the alarm says its clock is off
   * (default `DEFAULT_CLOCK_WINDOW`). The alarm is raised either way.
   */
  readonly clockWindow?: ClockWindow;
}

/** A drone message as the step sees it: with when it arrived on the stream (the delivery's `arrivedAt`). */
export interface Arrived {
  readonly message: DroneMessage;
  readonly arrivedAt: number;
}

/** Deliver an alarm (record → publish → mark: `delivery.ts`); `arrivedAt` gives the publish latency. */
export interface RaiseAlarm {
  readonly kind: 'raise';
  readonly alarm: AlarmRaised;
  readonly arrivedAt: number;
}

/** The step keeps no state (see above). */
export type AlertState = null;

export const initialAlert: AlertState = null;

// ---------------------------------------------------------------------------------------------------------------
// behaviour

/**
 * The alarm as delivered: marked with `clockOffMs` when the drone's time lies outside `window` around the stream's
 * arrival time (`arrivedAt`), so the console says the drone's clock is off. Never withheld: a drone whose clock is
 * a year behind still raises its alarm.
 *
 * @example withClockCheck(alarm, arrivedAt) // { ...alarm, clockOffMs: -31536000000 } for a drone a year behind
 */
export const withClockCheck = (
  alarm: AlarmRaised,
  arrivedAt: number,
  window: ClockWindow = DEFAULT_CLOCK_WINDOW,
): AlarmRaised => {
  const off = clockOffMs(alarm.time, arrivedAt, window);
  return off === undefined ? alarm : { ...alarm, clockOffMs: Math.round(off) as t.Int };
};

/**
 * The transition: a message that needs a human raises its alarm (borough from the position, `unknown` over water
 * or outside the city; `raisedAt` the step's time); anything else, and a tick, does nothing.
 *
 * @example
 * deliveries$.pipe(transitions(initialAlert, alertStep({ humanCodes: DEFAULT_HUMAN_CODES }), { tickMs: 60_000 }))
 */
export const alertStep = (cfg: AlertConfig): Transition<AlertState, Arrived, RaiseAlarm> => {
  // A Set: the check runs on every message of the stream, and configured lists may be long.
  const codes = new Set(cfg.humanCodes);
  return (s: AlertState, input: Input<Arrived>) => {
    if (input.kind === 'tick') return [s, []];
    const { message: m, arrivedAt } = input.message;
    if (!needsHuman(codes, m)) return [s, []];
    const alarm = toAlarmRaised(m, utcTimeOf(input.at), boroughAt(m.location.lat, m.location.lon));
    return [
      s,
      [{ kind: 'raise', alarm: withClockCheck(alarm, arrivedAt, cfg.clockWindow), arrivedAt }],
    ];
  };
};
