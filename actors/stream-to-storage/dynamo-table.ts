/**
 * The hot table port on DynamoDB: upserts by `id` (so redeliveries are harmless), with a TTL attribute. Puts
 * arriving within a few milliseconds are grouped into BatchWriteItem calls of up to 25 items; unprocessed items
 * are resent with backoff; each caller's promise settles with its own item's fate.
 *
 * At most `maxConcurrentBatches` calls are in flight (default 2); the rest wait here, in fuller batches. Without
 * the bound a busy writer had hundreds of calls queued on the client's sockets and at DynamoDB Local's one
 * SQLite lock, and the lease renewals and checkpoints sharing the client waited behind them until they timed out:
 * leases were lost and shards stalled. DynamoDB Local even loses throughput with concurrent writers (measured,
 * in memory: 25-item batches one at a time ~1,900 items/s, two ~1,950, four ~1,050, eight ~480); on AWS two
 * calls of 25 items still cover a few thousand items/s.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

import { portFailure } from '../../runtime/errors.ts';
import { backoff, type BackoffPolicy, defaultBackoff, sleep } from '../../runtime/retry.ts';

/** Writes items by key; resolves when the item is stored. Rejects with a PortFailure. */
export interface HotTable {
  readonly put: (item: Readonly<Record<string, unknown>>) => Promise<void>;
  /** Waits for every pending put. */
  readonly flush: () => Promise<void>;
}

interface Pending {
  readonly item: Readonly<Record<string, unknown>>;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

const BATCH = 25; // DynamoDB's BatchWriteItem limit

/** Tuning of {@link createDynamoTable}. */
export interface HotTableOptions {
  /** How long a put waits for others to share its batch (default 5 ms). */
  readonly lingerMs?: number;
  /** Backoff of failed or unprocessed writes. */
  readonly retry?: BackoffPolicy;
  /** BatchWriteItem calls in flight at most (default 2); puts beyond wait, in fuller batches. */
  readonly maxConcurrentBatches?: number;
}

/**
 * Creates the port.
 * @example const table = createDynamoTable(clients.doc, 'prestacop-messages'); await table.put({ id, ... });
 */
export const createDynamoTable = (
  doc: DynamoDBDocumentClient,
  tableName: string,
  options: HotTableOptions = {},
): HotTable => {
  const retry = options.retry ?? defaultBackoff;
  const maxBatches = Math.max(1, options.maxConcurrentBatches ?? 2);
  const queue: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();

  const write = async (batch: Pending[]): Promise<void> => {
    // Two puts of one id in a batch are rejected by DynamoDB: keep the last, settle both with it.
    const byId = new Map<unknown, Pending[]>();
    for (const p of batch) byId.set(p.item.id, [...(byId.get(p.item.id) ?? []), p]);
    let items = [...byId.values()].map((ps) => ps.at(-1)!.item);
    for (let attempt = 1; items.length > 0; attempt++) {
      try {
        const out = await doc.send(
          new BatchWriteCommand({
            RequestItems: { [tableName]: items.map((Item) => ({ PutRequest: { Item } })) },
          }),
        );
        items = (out.UnprocessedItems?.[tableName] ?? []).flatMap((r) =>
          r.PutRequest?.Item ? [r.PutRequest.Item] : [],
        );
        if (items.length === 0) break;
        if (attempt > retry.retries)
          throw new Error(`${items.length} items still unprocessed after ${attempt} attempts`);
      } catch (e) {
        const failure = portFailure('dynamodb', e);
        if (!failure.retriable && byId.size > 1) {
          // One bad item (e.g. over the 400 KB item limit) fails the whole call: never let it take its batch
          // mates down with it (they would be dead-lettered, so lost to the table). Write each alone instead.
          await isolate(byId, new Set(items.map((i) => i.id)));
          return;
        }
        if (!failure.retriable || attempt > retry.retries) {
          batch.forEach((p) => p.reject(failure));
          return;
        }
      }
      await sleep(backoff(attempt, retry, Math.random));
    }
    batch.forEach((p) => p.resolve());
  };

  // After a non-retriable batch failure: the ids still unwritten, one call each (in order, within this batch's slot
  // of the bound), each caller settled by its own item's fate; ids written by earlier attempts are done.
  const isolate = async (byId: Map<unknown, Pending[]>, unwritten: Set<unknown>): Promise<void> => {
    for (const [id, ps] of byId)
      if (unwritten.has(id)) await write(ps);
      else ps.forEach((p) => p.resolve());
  };

  // Starts batches while below the bound; each finished batch starts the next (a partial one: it has waited).
  const drain = (): void => {
    timer = undefined;
    while (queue.length > 0 && inFlight.size < maxBatches) {
      const batch = queue.splice(0, BATCH);
      const p: Promise<void> = write(batch).finally(() => {
        inFlight.delete(p);
        if (queue.length > 0 && timer === undefined) drain();
      });
      inFlight.add(p);
    }
  };

  return {
    put: (item) =>
      new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (queue.length >= BATCH) drain();
        else timer ??= setTimeout(drain, options.lingerMs ?? 5);
      }),
    flush: async () => {
      if (timer) clearTimeout(timer);
      drain();
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
};
