/**
 * Drone messages for the specs of the actors that read the drone stream: decoded, as the bus hands them over, so a
 * fixture that breaks the contract fails where it is written rather than as a dead letter in the test.
 */
import {
  DroneMessage,
  hasViolation,
  type ViolationMessage,
} from '../../actors/protocol/drone-message.ts';
import { droneIdOf } from '../../actors/protocol/primitives.ts';

/** Times Square: in Manhattan. */
export const TIMES_SQUARE = { lat: 40.758, lon: -73.9855 };
/** Inside Brooklyn's outline. */
export const BROOKLYN = { lat: 40.6782, lon: -73.9442 };

/** What a test may change of a message; `code` adds a violation (with an image id of its own). */
export interface MessageFixture {
  readonly code?: number;
  readonly location?: { readonly lat: number; readonly lon: number };
  /** The drone's own clock (default 2026-11-27T18:00:00.000Z). */
  readonly time?: string;
}

/**
 * Message `seq` of drone number `drone`, at Times Square unless told, decoded (throws on a bad fixture).
 * @example const human = droneMessage(1, 1, { code: 40, location: BROOKLYN });
 */
export const droneMessage = (
  drone: number,
  seq: number,
  extra: MessageFixture = {},
): DroneMessage => {
  const droneId = droneIdOf(drone);
  const decoded = DroneMessage.decode({
    type: 'drone.message',
    v: 1,
    id: `${droneId}:${seq}`,
    droneId,
    seq,
    time: extra.time ?? '2026-11-27T18:00:00.000Z',
    location: extra.location ?? TIMES_SQUARE,
    ...(extra.code === undefined
      ? {}
      : { violationCode: extra.code, violationImageId: `img-${droneId}-${seq}` }),
  });
  if (decoded._tag === 'Left') throw new Error(`bad fixture: drone ${drone}, seq ${seq}`);
  return decoded.right;
};

/**
 * A message that reports violation `code`.
 * @example toAlarmRaised(violationMessage(1, 7, 40), raisedAt)
 */
export const violationMessage = (
  drone: number,
  seq: number,
  code: number,
  extra: Omit<MessageFixture, 'code'> = {},
): ViolationMessage => {
  const m = droneMessage(drone, seq, { ...extra, code });
  if (!hasViolation(m)) throw new Error('bad fixture: no violation');
  return m;
};
