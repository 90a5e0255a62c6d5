/**
 * The hot table port on DynamoDB: one item per `id`, with a TTL attribute, **first write wins**: an item carries
 * its content hash (`messageHash`), a put of an id already stored with the same hash is a redelivery (resolved,
 * nothing written), and a put of an id stored with another hash is refused (`IdConflict`, carrying the stored
 * version): a reused or forged id never overwrites what is stored. Puts arriving within a few milliseconds are
 * grouped into calls of up to 25 items; unprocessed items are resent with backoff; each caller's promise settles
 * with its own item's fate.
 *
 * How the table refuses an overwrite: BatchWriteItem takes no condition, and almost every put is a new id, so the
 * common case stays one BatchWriteItem per 25 items, preceded by a BatchGetItem of up to 100 keys (consistent
 * reads, projected to `id` and `messageHash`) that sorts them into new (written), already stored (skipped) and
 * conflicting (refused; one GetItem fetches the stored version for the dead letter). The reads of the next puts
 * overlap the writes of the last ones (see `pump`). Cost: one read call per four write calls, 25 read units per 25
 * write units on AWS (consistent reads of items under 4 KB; a read unit costs about a
 * fifth of a write unit), and a redelivery no longer writes at all. The alternatives cost more where it matters:
 * a conditional PutItem per item is 25 calls instead of 1 (DynamoDB Local: ~170 items/s one at a time against
 * ~1,900 in batches), and TransactWriteItems costs two write units per item and fails the whole call on one
 * condition. What the read cannot see: two writers storing two versions of one id between one's read and its
 * write. In one process, puts of one id are serialised (the second waits for the first to settle), so it would
 * take two processes holding one shard at once (a lease takeover) and a drone reusing an id within that
 * millisecond window: then the last write wins, as before.
 *
 * At most `maxConcurrentBatches` calls are in flight (default 2); the rest wait here, in fuller batches. Without
 * the bound a busy writer had hundreds of calls queued on the client's sockets and at DynamoDB Local's one
 * SQLite lock, and the lease renewals and checkpoints sharing the client waited behind them until they timed out:
 * leases were lost and shards stalled. DynamoDB Local even loses throughput with concurrent writers (measured,
 * in memory: 25-item batches one at a time ~1,900 items/s, two ~1,950, four ~1,050, eight ~480); on AWS two
 * calls of 25 items still cover a few thousand items/s.
 */
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';

import { batchGetItems } from '../../runtime/aws/batch-get.ts';
import type { DocSender } from '../../runtime/aws/dynamodb-wire.ts';
import { idConflict, portFailure } from '../../runtime/errors.ts';
import { Fifo } from '../../runtime/fifo.ts';
import { backoff, type BackoffPolicy, defaultBackoff, sleep } from '../../runtime/retry.ts';

/** An item of the hot table: its key and the content hash that tells a redelivery from a conflict. */
export interface HotItem {
  readonly id: string;
  readonly messageHash: string;
  readonly [attribute: string]: unknown;
}

/** Writes items by key, first write wins. */
export interface HotTable {
  /**
   * Resolves when the item is stored, or was already (same `messageHash`). Rejects with an `IdConflict` when the id
   * holds another hash (nothing written), or a PortFailure.
   */
  readonly put: (item: HotItem) => Promise<void>;
  /** Waits for every pending put. */
  readonly flush: () => Promise<void>;
}

/**
 * A put waiting for its batch. Settling it also forgets it as its id's last put (`lastPut`), if it still is: one
 * object per put, no `then` of its own (thousands wait at once when the table is the bottleneck).
 */
class Pending {
  promise!: Promise<void>;
  private done!: () => void;
  private failed!: (e: unknown) => void;

  private constructor(
    readonly item: HotItem,
    private readonly lastPut: Map<string, Promise<void>>,
  ) {}

  static create(item: HotItem, lastPut: Map<string, Promise<void>>): Pending {
    const p = new Pending(item, lastPut);
    p.promise = new Promise<void>((resolve, reject) => {
      p.done = resolve;
      p.failed = reject;
    });
    return p;
  }

  resolve(): void {
    this.forget();
    this.done();
  }

  reject(e: unknown): void {
    this.forget();
    this.failed(e);
  }

  private forget(): void {
    if (this.lastPut.get(this.item.id) === this.promise) this.lastPut.delete(this.item.id);
  }
}

const BATCH = 25; // DynamoDB's BatchWriteItem limit
const CHECK_BATCH = 100; // BatchGetItem's limit

/** Tuning of {@link createDynamoTable}. */
export interface HotTableOptions {
  /** How long a put waits for others to share its batch (default 5 ms). */
  readonly lingerMs?: number;
  /** Backoff of failed or unprocessed writes. */
  readonly retry?: BackoffPolicy;
  /** BatchWriteItem calls in flight at most (default 2); puts beyond wait, in fuller batches. */
  readonly maxConcurrentBatches?: number;
  /** BatchGetItem calls (the overwrite check, 100 keys each) in flight at most (default 2). */
  readonly maxConcurrentChecks?: number;
}

/**
 * Creates the port.
 * @example const table = createDynamoTable(clients.doc, 'prestacop-messages'); await table.put({ id, ... });
 */
export const createDynamoTable = (
  doc: DocSender,
  tableName: string,
  options: HotTableOptions = {},
): HotTable => {
  const retry = options.retry ?? defaultBackoff;
  const maxBatches = Math.max(1, options.maxConcurrentBatches ?? 2);
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();

  /** The stored hash of each of `ids` that the table holds (`null`: stored without a hash). */
  const storedHashes = async (ids: ReadonlyArray<string>): Promise<Map<string, string | null>> => {
    const items = await batchGetItems(doc, tableName, ids, {
      projection: 'id, messageHash',
      consistent: true,
    });
    return new Map(
      items.map((item) => [
        String(item.id),
        typeof item.messageHash === 'string' ? item.messageHash : null,
      ]),
    );
  };

  const conflictOf = async (item: HotItem, storedHash: string) => {
    const out = await doc.send(
      new GetCommand({ TableName: tableName, Key: { id: item.id }, ConsistentRead: true }),
    );
    return idConflict({
      store: 'hot-table',
      id: item.id,
      hash: item.messageHash,
      storedHash,
      stored: JSON.stringify(out.Item ?? null),
    });
  };

  /**
   * Settles the puts whose id is stored already: a redelivery (same hash, or an item from before hashes) is done,
   * another hash is a conflict. Returns the puts still to write.
   */
  const settleStored = async (batch: Pending[]): Promise<Pending[]> => {
    let stored: Map<string, string | null>;
    try {
      stored = await storedHashes(batch.map((p) => p.item.id));
    } catch (e) {
      // Retried by the caller's runtime like a failed write (retriable or not, as the SDK error says).
      batch.forEach((p) => p.reject(portFailure('dynamodb', e)));
      return [];
    }
    const rest: Pending[] = [];
    for (const p of batch) {
      const hash = stored.get(p.item.id);
      if (hash === undefined) rest.push(p);
      else if (hash === null || hash === p.item.messageHash) p.resolve();
      else
        await conflictOf(p.item, hash).then(
          (conflict) => p.reject(conflict),
          (e: unknown) => p.reject(portFailure('dynamodb', e)),
        );
    }
    return rest;
  };

  const write = async (batch: Pending[]): Promise<void> => {
    // Puts of one id are serialised (`put`), so a batch holds each id once; grouped anyway, to stay correct.
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
          r.PutRequest?.Item ? [r.PutRequest.Item as HotItem] : [],
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

  // Two stages, each with its own bound, so the read of the next puts overlaps the writes of the last ones (one
  // after the other, 25 at a time, the read's round trip halved the table's rate). Checks take up to 100 puts per
  // BatchGetItem (its limit) once that many wait or the linger has passed; what they find new waits for a write
  // slot. Checks stop starting while a few batches' worth already wait to be written: backpressure reaches `put`.
  const toCheck = new Fifo<Pending>();
  const toWrite: Pending[] = [];
  const checks = new Set<Promise<void>>();
  const maxChecks = Math.max(1, options.maxConcurrentChecks ?? 2);
  const writeBacklog = CHECK_BATCH * 2;

  const track = (set: Set<Promise<void>>, work: Promise<void>) => {
    const p: Promise<void> = work.finally(() => {
      set.delete(p);
      pump();
    });
    set.add(p);
  };

  const pump = (lingered = false): void => {
    if (lingered) timer = undefined;
    while (toWrite.length > 0 && inFlight.size < maxBatches)
      track(inFlight, write(toWrite.splice(0, BATCH)));
    while (
      toCheck.size > 0 &&
      checks.size < maxChecks &&
      toWrite.length < writeBacklog &&
      (toCheck.size >= CHECK_BATCH || timer === undefined)
    )
      track(
        checks,
        settleStored(toCheck.take(CHECK_BATCH)).then((rest) => {
          toWrite.push(...rest);
        }),
      );
  };

  /** The last put of each id not yet settled: the next put of that id waits for it, so it sees what it stored. */
  const lastPut = new Map<string, Promise<void>>();
  const enqueue = (item: HotItem): Promise<void> => {
    const p = Pending.create(item, lastPut);
    toCheck.push(p);
    if (toCheck.size >= CHECK_BATCH) pump();
    else if (timer === undefined && checks.size === 0)
      timer = setTimeout(() => pump(true), options.lingerMs ?? 5);
    return p.promise;
  };

  return {
    put: (item) => {
      const before = lastPut.get(item.id);
      if (before === undefined) {
        // The usual case: its pending put forgets it when settled.
        const mine = enqueue(item);
        lastPut.set(item.id, mine);
        return mine;
      }
      const mine = before.catch(() => undefined).then(() => enqueue(item));
      lastPut.set(item.id, mine);
      const forget = () => {
        if (lastPut.get(item.id) === mine) lastPut.delete(item.id);
      };
      mine.then(forget, forget);
      return mine;
    },
    flush: async () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      pump();
      while (checks.size + inFlight.size > 0) {
        await Promise.all([...checks, ...inFlight]);
        pump();
      }
    },
  };
};
