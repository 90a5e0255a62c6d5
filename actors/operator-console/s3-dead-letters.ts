/**
 * Dead letters of the console: queue bodies that were not an alarm event, as `runtime.dead_letter` records under
 * `dead-letter/actor=operator-console/date=YYYY-MM-DD/<id>.json` in the archive bucket, beside the other actors'.
 * An SQS message has no bus position, so the id is the hash of the bytes: the same body twice is one object.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

import { toDeadLetter } from '../../runtime/dead-letter.ts';
import { decodeFailure, portFailure } from '../../runtime/errors.ts';
import type { DeadLetters } from './ports.ts';

/**
 * Creates the port.
 * @example await createS3ConsoleDeadLetters(clients.s3, 'prestacop-archive', Date.now).put(body, ['not JSON']);
 */
export const createS3ConsoleDeadLetters = (
  s3: S3Client,
  bucket: string,
  now: () => number,
  actor = 'operator-console',
): DeadLetters => ({
  put: async (body, reasons) => {
    const letter = toDeadLetter({
      actor,
      error: decodeFailure('alarm-queue', reasons),
      raw: body,
      at: now(),
    });
    const key = `dead-letter/actor=${actor}/date=${letter.at.slice(0, 10)}/${letter.id.replace(/[^A-Za-z0-9._=-]+/g, '_')}.json`;
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: JSON.stringify(letter),
          ContentType: 'application/json',
        }),
      );
    } catch (e) {
      throw portFailure('s3', e);
    }
  },
});
