/**
 * The alert system's notes on dead letters that may need a person, counted from S3 by listing their keys
 * (`needs-human/actor=<actor>/verdict=<code|unreadable>/<dead letter id>.json`, see `protocol/needs-human.ts`): no
 * object is read, and the listing is bounded (`maxKeys`, 1,000 a page), beyond which the counts say "at least".
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

import { portFailure } from '../../runtime/errors.ts';
import {
  deadLetterPrefixOf,
  NEEDS_HUMAN_PREFIX,
  parseNeedsHumanKey,
} from '../protocol/needs-human.ts';
import type { NeedsHumanSource, NeedsHumanSummary } from './ports.ts';

/** Dead letters named on the page. */
const EXAMPLES = 5;

/**
 * Creates the source.
 * @example const { code, unreadable } = await createS3NeedsHumanSource(clients.s3, 'prestacop-archive').summary();
 */
export const createS3NeedsHumanSource = (
  s3: S3Client,
  bucket: string,
  maxKeys = 10_000,
): NeedsHumanSource => ({
  summary: async () => {
    const counts = { code: 0, unreadable: 0 };
    const examples: Array<NeedsHumanSummary['examples'][number]> = [];
    const actors = new Set<string>();
    let token: string | undefined;
    let listed = 0;
    try {
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: NEEDS_HUMAN_PREFIX,
            ContinuationToken: token,
          }),
        );
        for (const o of page.Contents ?? []) {
          const note = o.Key === undefined ? undefined : parseNeedsHumanKey(o.Key);
          if (note === undefined) continue;
          listed++;
          counts[note.verdict]++;
          actors.add(note.actor);
          examples.push({ verdict: note.verdict, deadLetter: note.deadLetter });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined && listed < maxKeys);
    } catch (e) {
      throw portFailure('s3', e);
    }
    const [only] = actors;
    return {
      ...counts,
      truncated: token !== undefined,
      notes: `s3://${bucket}/${NEEDS_HUMAN_PREFIX}`,
      letters: `s3://${bucket}/${actors.size === 1 && only !== undefined ? deadLetterPrefixOf(only) : 'dead-letter/'}`,
      // Codes first: `verdict=code/` lists before `verdict=unreadable/` within an actor, but not across actors.
      examples: [...examples]
        .sort((a, b) => (a.verdict === b.verdict ? 0 : a.verdict === 'code' ? -1 : 1))
        .slice(0, EXAMPLES),
    };
  },
});
