/**
 * A drone's silence, as the drone watchdog reports it on the alarm topic beside the alarms: `drone.silent` when a
 * drone has sent nothing for the watchdog's `--silent-after-seconds`, `drone.back` when it speaks again (which
 * clears it). Not violations: the console shows them apart, and the alert system's readers ignore them. Ids are
 * derived, so a re-publish keeps its id and the console shows each once.
 */
import type { t } from '../../runtime/codec.ts';
import { derivedId, struct, taggedUnion } from './codec-kit.ts';
import { DroneId, eventHead, MessageId, NonNegativeInt, PositiveInt } from './primitives.ts';
import { UtcTime } from './time.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/**
 * A drone gone silent: nothing from it since `lastSeenAt` (when the watchdog last read one of its messages), for
 * at least `silentAfterMs`. `id` = `<droneId>:silent:<lastSeenAt>` (checked): one silence, one id.
 */
export const DroneSilent = derivedId(
  struct(
    'DroneSilent',
    {
      ...eventHead('drone.silent'),
      droneId: DroneId,
      lastSeenAt: UtcTime,
      silentAfterMs: PositiveInt,
      raisedAt: UtcTime,
    },
    {},
  ),
  (e) => droneSilentId(e.droneId, e.lastSeenAt),
);
export type DroneSilent = t.TypeOf<typeof DroneSilent>;

/**
 * A silent drone heard again: clears `silentId`. `id` = `<silentId>:back` (checked); `silentForMs` runs from the
 * last message before the silence to the first after it.
 */
export const DroneBack = derivedId(
  struct(
    'DroneBack',
    {
      ...eventHead('drone.back'),
      silentId: MessageId,
      droneId: DroneId,
      silentForMs: NonNegativeInt,
      backAt: UtcTime,
    },
    {},
  ),
  (e) => `${e.silentId}:back`,
);
export type DroneBack = t.TypeOf<typeof DroneBack>;

/** What the watchdog publishes, dispatched on `type`. */
export const DroneWatchEvent = taggedUnion('DroneWatchEvent', {
  'drone.silent': DroneSilent,
  'drone.back': DroneBack,
});
export type DroneWatchEvent = t.TypeOf<typeof DroneWatchEvent>;

// ---------------------------------------------------------------------------------------------------------------
// constructors

/** The id of a drone's silence since `lastSeenAt`. */
export const droneSilentId = (droneId: DroneId, lastSeenAt: UtcTime): MessageId =>
  `${droneId}:silent:${lastSeenAt}` as MessageId;

/**
 * A `drone.silent`, with its derived id.
 * @example toDroneSilent({ droneId, lastSeenAt, silentAfterMs: 30_000, raisedAt })
 */
export const toDroneSilent = (e: Omit<DroneSilent, 'type' | 'v' | 'id'>): DroneSilent => ({
  droneId: e.droneId,
  lastSeenAt: e.lastSeenAt,
  silentAfterMs: e.silentAfterMs,
  raisedAt: e.raisedAt,
  type: 'drone.silent',
  v: 1,
  id: droneSilentId(e.droneId, e.lastSeenAt),
});

/**
 * The `drone.back` that clears a silence.
 * @example toDroneBack(silent, utcTimeOf(now), now - epochMsOf(silent.lastSeenAt))
 */
export const toDroneBack = (
  silent: DroneSilent,
  backAt: UtcTime,
  silentForMs: number,
): DroneBack => ({
  type: 'drone.back',
  v: 1,
  id: `${silent.id}:back` as MessageId,
  silentId: silent.id,
  droneId: silent.droneId,
  silentForMs: Math.max(0, Math.round(silentForMs)),
  backAt,
});
