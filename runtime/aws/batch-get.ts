/**
 * Reading many items of one table by their hash key, with BatchGetItem: at most 100 keys a call (DynamoDB's limit),
 * and the keys a call returns unprocessed (throttling, the 16 MB response cap) asked again. One loop for every
 * reader that checks what a writer stored, so the paging and the retry are written and tested once.
 */
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';

import { backoff, type BackoffPolicy, sleep } from '../retry.ts';

/** DynamoDB's cap on the keys of one BatchGetItem call. */
const keysPerCall = 100;

/** Options of {@link batchGetItems}. */
export interface BatchGetOptions {
  /** The hash key attribute (default `id`). */
  readonly key?: string;
  /** A ProjectionExpression (default: the whole item); name the key attribute in it to tell items apart. */
  readonly projection?: string;
  /** Strongly consistent reads (default false: eventually consistent, half the read units). */
  readonly consistent?: boolean;
  /** Calls per page of 100 keys before the keys still unprocessed are given up (default 10). */
  readonly attempts?: number;
  /** Wait before asking again for unprocessed keys, as AWS advises (default 50 ms ×2, 1 s cap). */
  readonly backoff?: BackoffPolicy;
}

const unprocessedBackoff: BackoffPolicy = {
  initialMs: 50,
  factor: 2,
  jitter: 0.2,
  maxMs: 1_000,
  retries: Infinity,
};

/** Thrown when keys stay unprocessed after every attempt: a reader says so rather than under-count. */
export class UnprocessedKeysError extends Error {
  constructor(
    readonly table: string,
    readonly unprocessed: number,
  ) {
    super(`BatchGetItem on ${table}: ${unprocessed} keys still unprocessed after every attempt`);
  }
}

/**
 * The items of `table` whose key is one of `ids`, in no particular order; ids not in the table are absent. Reads
 * 100 keys a call and asks again, after a short backoff, for the unprocessed ones; rejects with {@link UnprocessedKeysError} if some stay
 * unprocessed after `attempts` calls, and with the SDK's error if a call fails.
 * @example
 * const items = await batchGetItems(clients.doc, 'prestacop-alarms', ['drone-0001:17'], {
 *   projection: 'id, publishedAt',
 * });
 */
export const batchGetItems = async (
  doc: Pick<DynamoDBDocumentClient, 'send'>,
  table: string,
  ids: ReadonlyArray<string>,
  options: BatchGetOptions = {},
): Promise<Array<Record<string, unknown>>> => {
  const key = options.key ?? 'id';
  const attempts = options.attempts ?? 10;
  const items: Array<Record<string, unknown>> = [];
  for (let i = 0; i < ids.length; i += keysPerCall) {
    let keys: Array<Record<string, unknown>> | undefined = ids
      .slice(i, i + keysPerCall)
      .map((id) => ({ [key]: id }));
    for (let attempt = 0; keys && keys.length > 0 && attempt < attempts; attempt++) {
      if (attempt > 0)
        await sleep(backoff(attempt, options.backoff ?? unprocessedBackoff, Math.random));
      const out: BatchGetCommandOutput = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: keys,
              ...(options.projection === undefined
                ? {}
                : { ProjectionExpression: options.projection }),
              ...(options.consistent ? { ConsistentRead: true } : {}),
            },
          },
        }),
      );
      items.push(...(out.Responses?.[table] ?? []));
      keys = out.UnprocessedKeys?.[table]?.Keys;
    }
    if (keys && keys.length > 0) throw new UnprocessedKeysError(table, keys.length);
  }
  return items;
};
