/**
 * `npm run archive:relayout`: moves the objects written in the layout before issue 18 (`date=` partitions, a
 * dead letter's actor with its `/`) to the current one (`layout.ts` `relayoutKey`). Copy, then delete: idempotent
 * (a moved object is not listed again), and safe to kill (both copies meanwhile read as one: `listing.ts`).
 */
import { CopyObjectCommand, DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';

import { ARCHIVE_PREFIX, DEAD_LETTER_PREFIX, relayoutKey } from './layout.ts';
import { listKeys } from './listing.ts';

/** What a run did (or, dry, would do). */
export interface RelayoutResult {
  readonly listed: number;
  readonly moved: ReadonlyArray<{ readonly from: string; readonly to: string }>;
}

/**
 * Moves every object of the old layout under `archive/` and `dead-letter/`.
 *
 * @example
 * const { moved } = await relayout(clients.s3, 'prestacop-archive', { dryRun: true, progress: console.log });
 */
export const relayout = async (
  s3: S3Client,
  bucket: string,
  options: { readonly dryRun: boolean; readonly progress: (line: string) => void },
): Promise<RelayoutResult> => {
  let listed = 0;
  const moved: Array<{ from: string; to: string }> = [];
  for (const prefix of [ARCHIVE_PREFIX, DEAD_LETTER_PREFIX])
    for await (const { key } of listKeys(s3, bucket, prefix)) {
      listed++;
      const to = relayoutKey(key);
      if (to === undefined) continue;
      moved.push({ from: key, to });
      options.progress(`${options.dryRun ? 'would move' : 'moving'} ${key} → ${to}`);
      if (options.dryRun) continue;
      await s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: to,
          // URL-encoded, as S3 wants it; our keys hold only [A-Za-z0-9._=/-], which encodeURI keeps.
          CopySource: encodeURI(`${bucket}/${key}`),
        }),
      );
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    }
  return { listed, moved };
};
