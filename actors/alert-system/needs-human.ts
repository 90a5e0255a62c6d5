/**
 * Which dead letters may need a person, decided here and nowhere else: the alert system dead-letters a message it
 * could not turn into a published alarm (over its limits, an id conflict, a store or topic that kept failing, a
 * defect), and a person must hear of one whose bytes carried a code that needs a human, or that could not be read
 * at all. Each such dead letter gets a note (`protocol/needs-human.ts`) that the operator console counts, and a
 * metric here.
 *
 * Bounded: bytes over the message size limit are never parsed, nor is a packed record (dead-lettered whole: over
 * the reader's limits, a gzip bomb, or one that killed its consumer), so a hostile record costs nothing more here
 * than it did in the reader. Those are `unreadable`: they may have carried an alarm.
 */
import type { DeadLetterPort } from '../../runtime/actor.ts';
import { PACK_MAGIC } from '../../runtime/bus/kinesis-packing.ts';
import { toDeadLetter } from '../../runtime/dead-letter.ts';
import type { Logger } from '../../runtime/log.ts';
import type { MetricsRegistry } from '../../runtime/metrics.ts';
import { DRONE_MESSAGE_MAX_BYTES } from '../protocol/drone-message.ts';
import { type NeedsHumanVerdict } from '../protocol/needs-human.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** What a dead letter's bytes say: a code that needs a human, unreadable within bounds, or neither. */
export type DeadLetterVerdict =
  | { readonly _tag: 'code'; readonly code: number }
  | { readonly _tag: 'unreadable'; readonly why: string }
  | { readonly _tag: 'none' };

/** One note on a dead letter that may need a person. */
export interface NeedsHumanNote {
  readonly actor: string;
  readonly verdict: NeedsHumanVerdict;
  /** The dead letter's id (`runtime/dead-letter.ts`): its object is `dead-letter/actor=<actor>/date=…/<id>.json`. */
  readonly deadLetterId: string;
  readonly code?: number;
  /** Why it was dead-lettered (the error's lines) and, when unreadable, why it could not be read. */
  readonly reasons: ReadonlyArray<string>;
  readonly at: number;
}

/** Where notes go (S3 `needs-human/`, see `s3-needs-human.ts`). Rejects when it could not write. */
export interface NeedsHumanNotes {
  readonly put: (note: NeedsHumanNote) => Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// behaviour

const startsWith = (raw: Uint8Array, prefix: Uint8Array): boolean =>
  raw.length >= prefix.length && prefix.every((b, i) => raw[i] === b);

/**
 * Reads a dead letter's bytes for a violation code, parsing at most `maxBytes` (default the message size limit).
 * A `violationCode` is read as the decoder reads it (a number or a digit string, v1 and legacy alike); one that is
 * present but not a code is `unreadable`.
 *
 * @example
 * deadLetterVerdict(Buffer.from('{"violationCode":"14"}'), [14]); // { _tag: 'code', code: 14 }
 */
export const deadLetterVerdict = (
  raw: Uint8Array,
  humanCodes: ReadonlyArray<number>,
  maxBytes = DRONE_MESSAGE_MAX_BYTES,
): DeadLetterVerdict => {
  if (startsWith(raw, PACK_MAGIC))
    return {
      _tag: 'unreadable',
      why: 'a packed record dead-lettered whole: its messages were not read',
    };
  if (raw.length > maxBytes)
    return {
      _tag: 'unreadable',
      why: `${raw.length} bytes, over the ${maxBytes}-byte message limit: not read`,
    };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    return { _tag: 'unreadable', why: 'not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { _tag: 'unreadable', why: 'not a JSON object' };
  const c = (json as { violationCode?: unknown }).violationCode;
  if (c === undefined || c === null || (typeof c === 'string' && c.trim() === ''))
    return { _tag: 'none' };
  const code = typeof c === 'string' && /^\d{1,2}$/.test(c.trim()) ? Number(c) : c;
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 1 || code > 99)
    return { _tag: 'unreadable', why: 'a violationCode that is not a code (1-99)' };
  return humanCodes.includes(code) ? { _tag: 'code', code } : { _tag: 'none' };
};

const NEEDS_HUMAN = 'prestacop_dead_letters_needing_human_total';
const NEEDS_HUMAN_HELP =
  'Dead letters whose bytes carried a code that needs a human (verdict=code) or could not be read (verdict=unreadable)';

/**
 * Wraps a dead-letter port: after the dead letter is written, its bytes are judged ({@link deadLetterVerdict}) and
 * one that may need a person is noted (`notes`), counted (`onNoted`, the metric) and logged at warn. A note that
 * cannot be written rejects like the dead letter would (the actor crashes and the input comes again: the same
 * dead letter and note are written again, under the same keys).
 *
 * @example
 * const deadLetter = withNeedsHumanNotes(createS3DeadLetters(s3, bucket, Date.now), { humanCodes, notes, now: Date.now });
 */
export const withNeedsHumanNotes = (
  deadLetter: DeadLetterPort,
  o: {
    readonly humanCodes: ReadonlyArray<number>;
    readonly notes: NeedsHumanNotes;
    readonly now: () => number;
    readonly metrics?: MetricsRegistry;
    readonly log?: Logger;
    readonly onNoted?: (verdict: NeedsHumanVerdict) => void;
  },
): DeadLetterPort => {
  return async (req) => {
    await deadLetter(req);
    const verdict = deadLetterVerdict(req.raw, o.humanCodes);
    if (verdict._tag === 'none') return;
    const at = o.now();
    // The id derives from the record's position (the bytes are not needed for it).
    const id = toDeadLetter({ ...req, raw: new Uint8Array(), at }).id;
    await o.notes.put({
      actor: req.actor,
      verdict: verdict._tag,
      deadLetterId: id,
      ...(verdict._tag === 'code' ? { code: verdict.code } : {}),
      reasons: [...req.reasons, ...(verdict._tag === 'unreadable' ? [verdict.why] : [])],
      at,
    });
    o.metrics?.inc(NEEDS_HUMAN, NEEDS_HUMAN_HELP, { verdict: verdict._tag });
    o.onNoted?.(verdict._tag);
    o.log?.warn(
      {
        deadLetterId: id,
        verdict: verdict._tag,
        ...(verdict._tag === 'code' ? { code: verdict.code } : {}),
      },
      verdict._tag === 'code'
        ? `dead letter ${id} carried code ${verdict.code}, which needs a human: look at it`
        : `dead letter ${id} could not be read (${verdict.why}): it may need a human`,
    );
  };
};
