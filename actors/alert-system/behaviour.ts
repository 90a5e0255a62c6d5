/**
 * Which drone messages raise an alarm: exactly those whose violation code needs a human, one alarm per message,
 * never throttled, merged or sampled. The alarm's id is the message's id, so a redelivered message raises the
 * same alarm again (same id): deduplication is the alarm store's job, by id, because the runtime applies the
 * behaviour to one delivery at a time and an in-memory `distinct` would not survive the restart that
 * at-least-once delivery implies anyway (README, "A behaviour runs per delivery").
 */
import { filter, map, type Observable } from 'rxjs';

import type { t } from '../../runtime/codec.ts';
import { type AlarmRaised, toAlarmRaised } from '../protocol/alarm.ts';
import type { DroneMessage, ViolationMessage } from '../protocol/drone-message.ts';
import { boroughAt } from '../protocol/nyc.ts';
import { clockOffMs, type ClockWindow, DEFAULT_CLOCK_WINDOW, utcTimeOf } from '../protocol/time.ts';
import { needsHuman } from '../protocol/violation-codes.ts';
import type { Clock } from './ports.ts';

/** What the behaviour needs. */
export interface AlertConfig {
  /** Violation codes that need a human (`DEFAULT_HUMAN_CODES` unless configured). */
  readonly humanCodes: ReadonlyArray<number>;
  /** Gives `raisedAt`; a port, so marble tests run in virtual time. */
  readonly clock: Clock;
}

/**
 * The behaviour: messages in, alarms out. The borough comes from the position (`unknown` over water or outside
 * the city); `raisedAt` from the clock.
 *
 * @example
 * deliveries$.pipe(alertSystem({ humanCodes: DEFAULT_HUMAN_CODES, clock: { now: Date.now } }))
 */
export const alertSystem = (cfg: AlertConfig) => {
  // A Set: the check runs on every message of the stream, and configured lists may be long.
  const codes = new Set(cfg.humanCodes);
  return (messages$: Observable<DroneMessage>): Observable<AlarmRaised> =>
    messages$.pipe(
      filter((m): m is ViolationMessage => needsHuman(codes, m)),
      map((m) =>
        toAlarmRaised(m, utcTimeOf(cfg.clock.now()), boroughAt(m.location.lat, m.location.lon)),
      ),
    );
};

/**
 * The alarm as delivered: marked with `clockOffMs` when the drone's time lies outside `window` around the stream's
 * arrival time (`arrivedAt`, from the delivery), so the console says the drone's clock is off. Never withheld: a
 * drone whose clock is a year behind still raises its alarm. Pure; the service applies it to each delivery.
 *
 * @example effect: (alarm, from) => delivery.deliver(withClockCheck(alarm, from.arrivedAt))
 */
export const withClockCheck = (
  alarm: AlarmRaised,
  arrivedAt: number,
  window: ClockWindow = DEFAULT_CLOCK_WINDOW,
): AlarmRaised => {
  const off = clockOffMs(alarm.time, arrivedAt, window);
  return off === undefined ? alarm : { ...alarm, clockOffMs: Math.round(off) as t.Int };
};
