/**
 * What a drone says, version 1: the seed's fields (`location`, `time`, `droneId`, optionally `violationCode` and
 * `violationImageId`) plus an id, a per-drone sequence number, a `type` and a version. The seed's plain JSON is
 * accepted too, through `DroneMessageIn` (drone-message-in.ts), which normalises it into this shape.
 */
import { t } from '../../runtime/codec.ts';
import { crossCheck, type Problem, struct } from './codec-kit.ts';
import {
  DroneId,
  Location,
  MessageId,
  NonBlankString,
  NonNegativeInt,
  ViolationCode,
} from './primitives.ts';
import { UtcTime } from './time.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** The id prefix of messages normalised from the seed's legacy JSON (which has no id and no sequence number). */
export const LEGACY_ID_PREFIX = 'legacy:';

const DroneMessageFields = struct(
  'DroneMessage',
  {
    type: t.literal('drone.message'),
    v: t.literal(1),
    id: MessageId,
    droneId: DroneId,
    time: UtcTime,
    location: Location,
  },
  {
    seq: NonNegativeInt,
    violationCode: ViolationCode,
    violationImageId: NonBlankString,
    address: NonBlankString,
  },
);

/**
 * A drone message, v1, as it travels on the `drones` stream. Fields:
 * - `id`: unique and stable across redeliveries; drones write `<droneId>:<seq>` ({@link droneMessageId}),
 *   consumers treat it as opaque and deduplicate by it.
 * - `seq`: the drone's own counter from 0, to detect loss and reordering. Required, except on messages
 *   normalised from legacy JSON (id starting with `legacy:`), which never had one.
 * - `time`: when the drone observed it (UtcTime). `location`: where (lat/lon, `-0` normalised); `address`: optional.
 * - `violationCode` (1–99) and `violationImageId`: both or neither. A code without its image is not evidence an
 *   operator can act on, and an image without a code is not a violation, so either half alone is rejected.
 *
 * Unknown keys are stripped. Decode with `DroneMessage` only where nothing but v1 can arrive (our own archive);
 * at the edge use `DroneMessageIn`.
 *
 * @example
 * const m = DroneMessage.decode({
 *   type: 'drone.message', v: 1, id: 'drone-0001:0', droneId: 'drone-0001', seq: 0,
 *   time: '2026-11-27T18:49:16.123Z', location: { lat: 40.7128, lon: -74.006 },
 *   violationCode: 40, violationImageId: 'img-0001-0',
 * }); // right(...)
 */
export const DroneMessage = crossCheck(
  DroneMessageFields,
  (m): Problem | undefined => {
    if (m.seq === undefined && !m.id.startsWith(LEGACY_ID_PREFIX))
      return {
        at: 'seq',
        why: `required (only ids starting with "${LEGACY_ID_PREFIX}" may omit it)`,
      };
    if (m.violationCode !== undefined && m.violationImageId === undefined)
      return { at: 'violationImageId', why: 'required when violationCode is present' };
    if (m.violationCode === undefined && m.violationImageId !== undefined)
      return { at: 'violationCode', why: 'required when violationImageId is present' };
    return undefined;
  },
  'DroneMessage',
);
export type DroneMessage = t.TypeOf<typeof DroneMessage>;

/** The JSON shape of a {@link DroneMessage} (what `DroneMessage.encode` returns). */
export type DroneMessageJson = t.OutputOf<typeof DroneMessage>;

/** The two fields a message carries when it reports a violation. */
export interface Violation {
  readonly violationCode: ViolationCode;
  readonly violationImageId: string;
}

/** A drone message that reports a violation (narrowed by {@link hasViolation}). */
export type ViolationMessage = DroneMessage & Violation;

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * The id a drone gives its message number `seq`: `<droneId>:<seq>`. Deterministic, so a resend after a crash
 * carries the same id and every consumer deduplicates it.
 *
 * @example
 * droneMessageId(droneIdOf(1), 17); // 'drone-0001:17'
 */
export const droneMessageId = (droneId: DroneId, seq: number): MessageId =>
  `${droneId}:${seq}` as MessageId; // a DroneId has no spaces and ≤ 64 chars, so this is a MessageId

// ---------------------------------------------------------------------------------------------------------------
// utils

/**
 * Whether a message reports a violation; narrows it so `violationCode` and `violationImageId` are defined.
 *
 * @example
 * const alarms = messages.filter(hasViolation).map((m) => m.violationCode);
 */
export const hasViolation = (m: DroneMessage): m is ViolationMessage =>
  m.violationCode !== undefined && m.violationImageId !== undefined;

/** Whether a message was normalised from the seed's legacy JSON (so it has no `seq`). */
export const isLegacy = (m: DroneMessage): boolean => m.id.startsWith(LEGACY_ID_PREFIX);
