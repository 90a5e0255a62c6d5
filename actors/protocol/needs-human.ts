/**
 * Notes on dead letters that may need a person: the alert system writes one small object per dead letter whose
 * bytes carried a violation code that needs a human (`code`), or could not be read within the message size limit
 * (`unreadable`: a packed record dead-lettered whole, a message over 256 KiB, bytes that are not JSON, a code that
 * is not one); the operator console lists them and shows how many, and where. The alert system alone decides;
 * the console only counts keys. One object per dead letter id, so a dead letter written again after a crash
 * writes the same note: the count is exact whatever the redeliveries.
 *
 *   needs-human/actor=alert-system/verdict=code/<dead letter id, key-safe>.json
 */
import { actorPartition, deadLetterKey, keySafeId } from '../../runtime/dead-letter.ts';

export { deadLetterKey, keySafeId };

/** Why a dead letter may need a person. */
export type NeedsHumanVerdict = 'code' | 'unreadable';

/** Where the notes are, in the archive bucket (apart from `dead-letter/`, which holds the letters themselves). */
export const NEEDS_HUMAN_PREFIX = 'needs-human/';

/** Where an actor's dead letters are, in the same bucket (`runtime/aws/s3-dead-letters.ts`). */
export const deadLetterPrefixOf = (actor: string): string =>
  `dead-letter/actor=${actorPartition(actor)}/`;

/**
 * The key of the note on one dead letter.
 *
 * @example
 * needsHumanKey('alert-system', 'code', 'alert-system:drones/shardId-0/49…/0');
 * // 'needs-human/actor=alert-system/verdict=code/alert-system_drones_shardId-0_49…_0.json'
 */
export const needsHumanKey = (
  actor: string,
  verdict: NeedsHumanVerdict,
  deadLetterId: string,
): string =>
  `${NEEDS_HUMAN_PREFIX}actor=${keySafeId(actor)}/verdict=${verdict}/${keySafeId(deadLetterId)}.json`;

const KEY =
  /^needs-human\/actor=([A-Za-z0-9._=-]+)\/verdict=(code|unreadable)\/([A-Za-z0-9._=-]+)\.json$/;

/**
 * Reads a note's key back: its actor, verdict and (key-safe) dead letter id; undefined for any other key.
 *
 * @example
 * parseNeedsHumanKey('needs-human/actor=alert-system/verdict=unreadable/x.json');
 * // { actor: 'alert-system', verdict: 'unreadable', deadLetter: 'x' }
 */
export const parseNeedsHumanKey = (
  key: string,
):
  | { readonly actor: string; readonly verdict: NeedsHumanVerdict; readonly deadLetter: string }
  | undefined => {
  const m = KEY.exec(key);
  return m ? { actor: m[1]!, verdict: m[2] as NeedsHumanVerdict, deadLetter: m[3]! } : undefined;
};
