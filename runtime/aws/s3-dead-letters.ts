/**
 * The dead-letter port on S3: one JSON object per dead letter, under
 * `dead-letter/actor=<actor>/date=YYYY-MM-DD/<id>.json`, so an operator can list, read and replay them. The key
 * derives from the input's position, so dead-lettering the same input twice overwrites one object.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

import type { DeadLetterPort } from '../actor.ts';
import { toDeadLetter } from '../dead-letter.ts';
import { portFailure } from '../errors.ts';

/** Key-safe form of a dead letter id. */
const safe = (id: string) => id.replace(/[^A-Za-z0-9._=-]+/g, '_');

/**
 * Creates the port.
 * @example const deadLetter = createS3DeadLetters(clients.s3, 'prestacop-archive', Date.now);
 */
export const createS3DeadLetters = (
  s3: S3Client,
  bucket: string,
  now: () => number,
  prefix = 'dead-letter/',
): DeadLetterPort & { readonly count: () => number } => {
  let count = 0;
  const port = async (req: Parameters<DeadLetterPort>[0]): Promise<void> => {
    const letter = toDeadLetter({
      actor: req.actor,
      error: req.error,
      raw: req.raw,
      source: req.source,
      attempts: req.attempts,
      at: now(),
    });
    const key = `${prefix}actor=${req.actor}/date=${letter.at.slice(0, 10)}/${safe(letter.id)}.json`;
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: JSON.stringify(letter),
          ContentType: 'application/json',
        }),
      );
      count++;
    } catch (e) {
      throw portFailure('s3', e);
    }
  };
  return Object.assign(port, { count: () => count });
};
