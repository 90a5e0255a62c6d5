/**
 * What a drone says, version 1: the seed's fields (`location`, `time`, `droneId`, optionally `violationCode` and
 * `violationImageId`) plus an id, a per-drone sequence number, a `type` and a version. The seed's plain JSON is
 * accepted too, through `DroneMessageIn` (drone-message-in.ts), which normalises it into this shape.
 */
import { t } from '../../runtime/codec.ts';
import { crossCheck, type Problem, refine, struct } from './codec-kit.ts';
import {
  Address,
  DroneId,
  Location,
  MessageId,
  NonNegativeInt,
  ViolationCode,
  ViolationImageId,
} from './primitives.ts';
import { UtcTime } from './time.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** The id prefix of messages normalised from the seed's legacy JSON (which has no id and no sequence number). */
export const LEGACY_ID_PREFIX = 'legacy:';

/**
 * The largest drone message the contract accepts: 256 KiB of JSON as received. Enforced where bytes are decoded
 * (`DroneMessageIn` declares it; the bus's decoder checks it before parsing), so every consumer refuses the same
 * messages: a message is stored in the hot table and the archive, or dead-lettered by both, never half. A decoded
 * message is far smaller (unknown keys are stripped, every text field is bounded), so it always fits a DynamoDB
 * item (400 KB).
 */
export const DRONE_MESSAGE_MAX_BYTES = 256 * 1024;

/**
 * A drone message's id: a {@link MessageId} of at most 160 characters, so that a conflict alarm's id
 * (`<id>#<sha256>`, see alarm.ts) and its follow-ups stay within a MessageId's 256.
 */
export const DroneMessageId = refine(MessageId, (s) => s.length <= 160, 'DroneMessageId');

/** The legacy id's shape: `legacy:<droneId>:<16 hex>` (see `DroneMessageLegacy`). */
const LEGACY_ID = /^legacy:([^:]+):[0-9a-f]{16}$/;

const DroneMessageFields = struct(
  'DroneMessage',
  {
    type: t.literal('drone.message'),
    v: t.literal(1),
    id: DroneMessageId,
    droneId: DroneId,
    time: UtcTime,
    location: Location,
  },
  {
    seq: NonNegativeInt,
    violationCode: ViolationCode,
    violationImageId: ViolationImageId,
    address: Address,
  },
);

/**
 * A drone message, v1, as it travels on the `drones` stream. Fields:
 * - `id`: unique and stable across redeliveries, and tied to its drone: it starts with `<droneId>:` (drones write
 *   `<droneId>:<seq>`, {@link droneMessageId}), or is a legacy id `legacy:<droneId>:<16 hex>`; at most 160
 *   characters. So a drone can only ever reuse its own ids, never suppress another drone's message. Consumers
 *   deduplicate by id and content (`messageHash`): the same id with other content is a conflict, not a redelivery.
 * - `seq`: the drone's own counter from 0, to detect loss and reordering. Required, except on messages
 *   normalised from legacy JSON (id starting with `legacy:`), which never had one.
 * - `time`: when the drone observed it (UtcTime). `location`: where (lat/lon, `-0` normalised).
 * - `address`: optional free text, at most 200 characters; control and bidi-control characters are stripped.
 * - `violationCode` (1–99) and `violationImageId`: both or neither. A code without its image is not evidence an
 *   operator can act on, and an image without a code is not a violation, so either half alone is rejected. The
 *   image id is at most 128 characters; a control or bidi-control character in it rejects the message.
 * - The whole message is at most {@link DRONE_MESSAGE_MAX_BYTES} as received (checked by `DroneMessageIn`).
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
    const legacy = LEGACY_ID.exec(m.id);
    if (
      m.id.startsWith(LEGACY_ID_PREFIX)
        ? legacy?.[1] !== m.droneId
        : !m.id.startsWith(`${m.droneId}:`)
    )
      return {
        at: 'id',
        why: `must start with "${m.droneId}:" (or be "${LEGACY_ID_PREFIX}${m.droneId}:<16 hex>"): an id belongs to its drone`,
      };
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
