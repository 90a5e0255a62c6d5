/**
 * The notes port on S3: one small JSON object per dead letter that may need a person, under
 * `needs-human/actor=<actor>/verdict=<code|unreadable>/<dead letter id>.json` in the archive bucket (the key
 * layout is the protocol's, so the operator console can count them without reading them).
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

import { portFailure } from '../../runtime/errors.ts';
import { deadLetterKey, needsHumanKey } from '../protocol/needs-human.ts';
import type { NeedsHumanNotes } from './needs-human.ts';

/**
 * Creates the port.
 * @example const notes = createS3NeedsHumanNotes(clients.s3, 'prestacop-archive');
 */
export const createS3NeedsHumanNotes = (s3: S3Client, bucket: string): NeedsHumanNotes => ({
  put: async (note) => {
    const at = new Date(note.at).toISOString();
    const body = {
      type: 'dead_letter.needs_human',
      v: 1,
      ...note,
      at,
      // Where the letter itself is: the day folder is the day it was written (this note's, but for a midnight).
      deadLetterKey: deadLetterKey('dead-letter/', note.actor, at, note.deadLetterId),
    };
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: needsHumanKey(note.actor, note.verdict, note.deadLetterId),
          Body: JSON.stringify(body),
          ContentType: 'application/json',
        }),
      );
    } catch (e) {
      throw portFailure('s3', e);
    }
  },
});
