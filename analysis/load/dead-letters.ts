/**
 * The dead letters beside the archive (`dead-letter/actor=<actor, '/' → '.'>/day=YYYY-MM-DD/<id>.json`, one
 * `runtime.dead_letter` object each, written by `runtime/aws/s3-dead-letters.ts`; letters written before are under
 * `actor=<actor with its '/'>/date=…`, and count with the new ones, under the new name), counted per actor and reason
 * (the error's `_tag`: `DecodeFailure`, `IdConflict`, `PortFailure`, `Defect`…) for the report's data quality.
 *
 * Bounded: a dead letter carries its input's bytes (up to a whole Kinesis record, base64), so only the head of an
 * object is read (`headBytes`, a ranged GET: the tag comes before the reasons and the bytes), and at most
 * `maxObjects` of them; the rest are counted by actor from their key, as `not_read`. The listing stops at
 * `maxListed` keys (`truncated`). Nothing is cached: dead letters are few, and one can be written again.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

import { actorPartition } from '../../runtime/dead-letter.ts';
import { relayoutKey } from '../archive/layout.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** Dead letters per actor and reason. */
export interface DeadLetterTally {
  /** Sorted by actor, then reason. `reason` is the error's tag, `not_read` (over `maxObjects`) or `unreadable`. */
  readonly byReason: ReadonlyArray<{
    readonly actor: string;
    readonly reason: string;
    readonly n: number;
  }>;
  /** Keys listed (each counted in `byReason`). */
  readonly listed: number;
  /** More keys exist than were listed (`maxListed`): the counts are lower bounds. */
  readonly truncated: boolean;
}

/** Limits of a tally. */
export interface DeadLetterLimits {
  readonly maxObjects?: number;
  readonly maxListed?: number;
  readonly headBytes?: number;
  readonly prefix?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

/** The actor of a key, either layout: the old one's value may hold a `/`, up to the `date=`/`day=` folder. */
const ACTOR = /^actor=([A-Za-z0-9._=/-]{1,128}?)\/(?:day|date)=\d{4}-\d{2}-\d{2}\//;
const TAG = /"errorTag":"([A-Za-z][A-Za-z0-9_]{0,63})"/;

/**
 * Counts the bucket's dead letters.
 *
 * @example
 * const tally = await tallyDeadLetters(clients.s3, 'prestacop-archive');
 */
export const tallyDeadLetters = async (
  s3: S3Client,
  bucket: string,
  limits: DeadLetterLimits = {},
): Promise<DeadLetterTally> => {
  const { maxObjects = 1_000, maxListed = 100_000, headBytes = 4_096 } = limits;
  const prefix = limits.prefix ?? 'dead-letter/';
  const counts = new Map<string, number>();
  const add = (actor: string, reason: string) => {
    const k = `${actor}\u0000${reason}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  };
  let token: string | undefined;
  let listed = 0;
  let truncated = false;
  const seen = new Set<string>();
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined || o.Key.endsWith('/')) continue;
      if (listed >= maxListed) {
        truncated = true;
        break;
      }
      // The same letter in both layouts (a relayout killed between its copy and its delete) counts once.
      const moved = relayoutKey(o.Key) ?? o.Key;
      if (seen.has(moved)) continue;
      seen.add(moved);
      const named = ACTOR.exec(o.Key.slice(prefix.length))?.[1];
      const actor = named === undefined ? 'unknown' : actorPartition(named);
      if (listed++ >= maxObjects) {
        add(actor, 'not_read');
        continue;
      }
      const head = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: o.Key, Range: `bytes=0-${headBytes - 1}` }),
      );
      const text = (await head.Body?.transformToString('utf8')) ?? '';
      add(actor, TAG.exec(text.slice(0, headBytes))?.[1] ?? 'unreadable');
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined && !truncated);
  return {
    byReason: [...counts]
      .map(([k, n]) => {
        const [actor = '', reason = ''] = k.split('\u0000');
        return { actor, reason, n };
      })
      .sort((a, b) =>
        a.actor === b.actor ? (a.reason < b.reason ? -1 : 1) : a.actor < b.actor ? -1 : 1,
      ),
    listed,
    truncated: truncated || token !== undefined,
  };
};
