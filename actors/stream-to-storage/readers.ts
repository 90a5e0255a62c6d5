/**
 * Reading back what the writer stored: the archive's NDJSON batches (deduplicated by id, raw copies counted)
 * and the hot table by id. For the swarm's summary, the tests and the analysis.
 */
import { gunzipSync } from 'node:zlib';

import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

import { batchGetItems } from '../../runtime/aws/batch-get.ts';

/** Every archived line of a type, object by object (objects modified since `since`, if given). */
export async function* archivedLines(
  s3: S3Client,
  bucket: string,
  options: { readonly type: string; readonly since?: Date; readonly prefix?: string },
): AsyncGenerator<string> {
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: `${options.prefix ?? 'archive/'}type=${options.type}/`,
        ContinuationToken: token,
      }),
    );
    for (const o of page.Contents ?? []) {
      if (!o.Key || (options.since && o.LastModified && o.LastModified < options.since)) continue;
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
      const text = gunzipSync(await body.Body!.transformToByteArray()).toString('utf8');
      for (const line of text.split('\n')) if (line.trim() !== '') yield line;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** How many of `ids` the archive holds (distinct), and how many raw copies of them. */
export const archiveCoverage = async (
  s3: S3Client,
  bucket: string,
  ids: ReadonlySet<string>,
  options: { readonly type: string; readonly since?: Date },
): Promise<{ distinct: number; rawCopies: number }> => {
  const seen = new Set<string>();
  let rawCopies = 0;
  for await (const line of archivedLines(s3, bucket, options)) {
    const id = (JSON.parse(line) as { id?: unknown }).id;
    if (typeof id === 'string' && ids.has(id)) {
      rawCopies++;
      seen.add(id);
    }
  }
  return { distinct: seen.size, rawCopies };
};

/** Which of `ids` the hot table holds (runtime's `batchGetItems`). */
export const storedIds = async (
  doc: DynamoDBDocumentClient,
  table: string,
  ids: ReadonlyArray<string>,
): Promise<Set<string>> =>
  new Set(
    (await batchGetItems(doc, table, ids, { projection: 'id' })).map((item) => item.id as string),
  );
