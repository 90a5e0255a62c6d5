/**
 * The producer's queue, as pure functions: which queued records go into the next PutRecords request, and where
 * failed ones go back. Kept apart from the I/O so the ordering rules are unit-tested.
 *
 * Ordering per partition key (the trade-off): a key is in at most one request at a time, and a record is never sent
 * before an earlier record of its key that is waiting (for a retry, a rate-limit refill or room in the request). So
 * order per key holds across requests and across retries. Inside one request, Kinesis may accept a later record of a
 * key and refuse an earlier one; the earlier one is then resent after it. `strictOrder` closes that gap by sending at
 * most one record per key per request: exact order, at the cost of throughput when there are few keys (with packing
 * on, that record holds many messages, so the cost is small).
 */
import { packedSize } from './kinesis-packing.ts';

/** PutRecords limits: 500 entries and 5 MiB (data plus partition keys) per request. */
export const PUT_RECORDS_MAX_RECORDS = 500;
/** See {@link PUT_RECORDS_MAX_RECORDS}. */
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;

/**
 * A record waiting to be sent: one message, or (with packing) several messages of one key or of one shard. Each
 * message's partition key is in `keys`, and order is kept per message key, whatever the packing.
 */
export interface Pending<T> {
  /** Enqueue order: the queue is kept sorted by it. */
  readonly seq: number;
  /** The record's partition key (its first message's): it routes the record to the shard of all its messages. */
  readonly partitionKey: string;
  readonly keyBytes: number;
  /** Partition keys of the messages inside (one for a plain record). */
  readonly keys: Set<string>;
  /** The messages, in publish order; `owners[i]` is told when `parts[i]` is accepted or given up. */
  readonly parts: Uint8Array[];
  readonly owners: T[];
  payloadBytes: number;
  /** Still accepting messages (packing); closed once it was taken into a request. */
  open: boolean;
  /** What the open pack is filed under in the producer (a key, or a shard with shard-wide packing). */
  packKey?: string;
  attempts: number;
  /** Not sent before this time (ms): the backoff after a failure. */
  notBefore: number;
  readonly enqueuedAt: number;
  /** The encoded record, set when it is first taken (and kept for resends). */
  data?: Uint8Array;
  /** Shard the key maps to, when per-shard limits are on. */
  shardId?: string;
}

/** Upper bound of the record's size on the wire (data plus key); exact unless gzip will shrink it. */
export const wireSize = (r: Pending<unknown>): number =>
  r.keyBytes +
  (r.data !== undefined
    ? r.data.length
    : r.parts.length === 1
      ? r.payloadBytes
      : packedSize(r.parts.length, r.payloadBytes));

/** Inputs of {@link selectBatch}. */
export interface SelectOptions<T> {
  readonly now: number;
  /** Message keys with a record in a request now. */
  readonly busyKeys: ReadonlySet<string>;
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly strictOrder: boolean;
  /** Rate limit: whether the record's shard may take it now (charges a tentative budget). */
  readonly admit?: (r: Pending<T>) => boolean;
}

/** What {@link selectBatch} picked. */
export interface Selection<T> {
  readonly batch: Pending<T>[];
  readonly rest: Pending<T>[];
  /** The request is as large as it may be: send it now, whatever the linger. */
  readonly full: boolean;
  /** Earliest backoff end among records held back, if any (when to look again). */
  readonly wakeAt: number | undefined;
}

const hasAny = (set: ReadonlySet<string>, keys: ReadonlySet<string>): boolean => {
  for (const k of keys) if (set.has(k)) return true;
  return false;
};

/**
 * Picks the next request from the queue (in order) without breaking per-key order: once a record holding a key is
 * held back, every later record holding that key is held back too.
 * @example const { batch, rest } = selectBatch(queue, { now, busyKeys, maxRecords: 500, maxBytes: 5 << 20, strictOrder: false });
 */
export const selectBatch = <T>(
  queue: ReadonlyArray<Pending<T>>,
  o: SelectOptions<T>,
): Selection<T> => {
  const batch: Pending<T>[] = [];
  const rest: Pending<T>[] = [];
  const blocked = new Set(o.busyKeys);
  const inBatch = new Set<string>();
  let bytes = 0;
  let full = false;
  let wakeAt: number | undefined;
  for (const r of queue) {
    const hold = (): void => {
      for (const k of r.keys) blocked.add(k);
      rest.push(r);
    };
    if (full || hasAny(blocked, r.keys)) {
      hold();
      continue;
    }
    if (r.notBefore > o.now) {
      wakeAt = wakeAt === undefined ? r.notBefore : Math.min(wakeAt, r.notBefore);
      hold();
      continue;
    }
    const size = wireSize(r);
    if (bytes + size > o.maxBytes) {
      // A later, smaller record of other keys may still fit; these keys wait for the next request.
      if (o.maxBytes - bytes < 1024) full = true;
      hold();
      continue;
    }
    if ((o.strictOrder && hasAny(inBatch, r.keys)) || (o.admit && !o.admit(r))) {
      hold();
      continue;
    }
    batch.push(r);
    for (const k of r.keys) inBatch.add(k);
    bytes += size;
    if (batch.length >= o.maxRecords) full = true;
  }
  return { batch, rest, full, wakeAt };
};

/**
 * Puts records back into the queue in enqueue order (failed entries of a request go before any later record of
 * their key, which was held back while they were in flight).
 */
export const mergeBySeq = <T>(
  queue: ReadonlyArray<Pending<T>>,
  back: ReadonlyArray<Pending<T>>,
): Pending<T>[] => {
  if (back.length === 0) return [...queue];
  const sorted = [...back].sort((a, b) => a.seq - b.seq);
  const out: Pending<T>[] = [];
  let i = 0;
  let j = 0;
  while (i < queue.length || j < sorted.length) {
    const q = queue[i];
    const s = sorted[j];
    if (s !== undefined && (q === undefined || s.seq < q.seq)) {
      out.push(s);
      j++;
    } else if (q !== undefined) {
      out.push(q);
      i++;
    }
  }
  return out;
};

/** Whether one more message of `bytes` fits in an open pack under the record and count limits. */
export const fitsInPack = (
  r: Pending<unknown>,
  bytes: number,
  limits: { readonly maxRecordBytes: number; readonly maxMessages: number },
): boolean =>
  r.open &&
  r.data === undefined &&
  r.parts.length < limits.maxMessages &&
  r.keyBytes + packedSize(r.parts.length + 1, r.payloadBytes + bytes) <= limits.maxRecordBytes;
