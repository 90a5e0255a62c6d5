/**
 * The dead-letter port on S3: one JSON object per dead letter, under
 * `dead-letter/actor=<actor, '/' → '.'>/day=YYYY-MM-DD/<id>.json` (`deadLetterKey`), so an operator can list, read and replay them. The key
 * derives from the letter's id (the input's position, or the hash of its bytes when it has none), so
 * dead-lettering the same input twice overwrites one object.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

import type { DeadLetterPort } from '../actor.ts';
import { type DeadLetter, deadLetterKey, toDeadLetter } from '../dead-letter.ts';
import { decodeFailure, portFailure } from '../errors.ts';

/** Writes one letter; rejects with a PortFailure (`s3`) if S3 refuses it. */
const putLetter = async (
  s3: S3Client,
  bucket: string,
  prefix: string,
  letter: DeadLetter,
): Promise<void> => {
  const key = deadLetterKey(prefix, letter.actor, letter.at, letter.id);
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
};

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
    await putLetter(s3, bucket, prefix, letter);
    count++;
  };
  return Object.assign(port, { count: () => count });
};

/** Dead letters for bodies that did not decode, from an input with no bus position. */
export interface BodyDeadLetters {
  /** Writes the body with the reasons it did not decode; rejects with a PortFailure (`s3`). */
  readonly put: (body: string | Uint8Array, reasons: ReadonlyArray<string>) => Promise<void>;
}

/**
 * The same store for an input that is not a bus record (a queue message's body): each letter is a
 * `DecodeFailure` of `input`, with no source, and its id is the hash of the bytes, so the same body twice is one
 * object. Use {@link createS3DeadLetters} for what `runActor` dead-letters.
 * @example
 * const letters = createS3BodyDeadLetters(clients.s3, 'prestacop-archive', Date.now, { actor: 'console', input: 'alarm-queue' });
 * await letters.put('{oops', ['not JSON']);
 */
export const createS3BodyDeadLetters = (
  s3: S3Client,
  bucket: string,
  now: () => number,
  options: { readonly actor: string; readonly input: string; readonly prefix?: string },
): BodyDeadLetters => ({
  put: (body, reasons) =>
    putLetter(
      s3,
      bucket,
      options.prefix ?? 'dead-letter/',
      toDeadLetter({
        actor: options.actor,
        error: decodeFailure(options.input, reasons),
        raw: body,
        at: now(),
      }),
    ),
});
