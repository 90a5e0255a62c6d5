/**
 * Stored records as parsed JSON, one at a time: the lines of the archive's gzip NDJSON batches (from the local
 * cache) and the items of a DynamoDB table. Both are ports the report reads through; a line that is not JSON is
 * yielded as `undefined`, so the decoder counts it instead of the run failing.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';

/**
 * Every JSON line of gzip NDJSON files, in file order; blank lines are skipped.
 *
 * @example
 * for await (const json of jsonLines(files)) appendRecord(tables, 'drone.message', json);
 */
export async function* jsonLines(files: ReadonlyArray<string>): AsyncGenerator<unknown> {
  for (const file of files) {
    const lines = createInterface({
      input: createReadStream(file).pipe(createGunzip()),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      try {
        yield JSON.parse(line) as unknown;
      } catch {
        yield undefined;
      }
    }
  }
}

/**
 * Every item of a DynamoDB table, page by page (a Scan: the analysis reads the whole hot table once).
 *
 * @example
 * for await (const item of tableItems(clients.doc, 'prestacop-messages')) appendRecord(tables, 'drone.message', item);
 */
export async function* tableItems(
  doc: DynamoDBDocumentClient,
  table: string,
): AsyncGenerator<Record<string, unknown>> {
  let key: Record<string, unknown> | undefined;
  do {
    const page: ScanCommandOutput = await doc.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: key }),
    );
    for (const item of page.Items ?? []) yield item;
    key = page.LastEvaluatedKey;
  } while (key);
}
