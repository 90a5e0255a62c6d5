/**
 * The producer of one stream: a queue of records (single messages, or packs of one key's messages), sent as
 * PutRecords requests by a pump that respects the request limits, per-key order, the per-shard rate limits and the
 * bound on requests in flight. Failed entries of a request go back into the queue with a backoff; the others are
 * done. See `kinesis-batch.ts` for the ordering rules.
 */
import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';

import { isRetriableCause, portFailure } from '../errors.ts';
import type { EventHub } from '../events.ts';
import { backoff, type BackoffPolicy } from '../retry.ts';
import { fitsInPack, mergeBySeq, type Pending, selectBatch, wireSize } from './kinesis-batch.ts';
import type { Capacity, Ticket } from './kinesis-capacity.ts';
import { type Compression, PACK_LIMITS, packRecord } from './kinesis-packing.ts';
import { type ShardRate, ShardRateLimiter } from './kinesis-rate-limit.ts';
import { ShardMapLoader } from './kinesis-shards.ts';

/** Producer settings (see `KinesisBusOptions.producer` for their meaning and defaults). */
export interface StreamProducerSettings {
  readonly maxRecordsPerRequest: number;
  readonly maxBytesPerRequest: number;
  readonly maxRequestsInFlight: number;
  readonly lingerMs: number;
  readonly strictOrder: boolean;
  readonly shardRate: ShardRate | false;
  readonly packing:
    | false
    | {
        readonly maxRecordBytes: number;
        readonly maxMessages: number;
        readonly compression: Compression;
        readonly scope: 'shard' | 'key';
      };
  readonly retry: BackoffPolicy;
  readonly shardMapRefreshMs: number;
}

/** Shared parts a stream producer uses: the client, the buffer bound, events, clock and randomness. */
export interface StreamProducerDeps {
  readonly kinesis: KinesisClient;
  readonly capacity: Capacity;
  readonly events: EventHub | undefined;
  readonly actor: string;
  readonly now: () => number;
  readonly random: () => number;
}

/** Sends the records of one stream. Created and driven by `KinesisProducer`. */
export class StreamProducer {
  private queue: Pending<Ticket>[] = [];
  private readonly openPacks = new Map<string, Pending<Ticket>>();
  private readonly busy = new Set<string>();
  private inFlight = 0;
  private seq = 0;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  /** Set by flush() until the queue drains: send without lingering. */
  private urgent = false;
  private idle: Array<() => void> = [];
  private readonly limiter: ShardRateLimiter | undefined;
  /** For rate limits and shard-wide packs; undefined when neither is on. */
  private readonly maps: ShardMapLoader | undefined;

  constructor(
    private readonly stream: string,
    private readonly s: StreamProducerSettings,
    private readonly d: StreamProducerDeps,
  ) {
    this.limiter = s.shardRate ? new ShardRateLimiter(s.shardRate) : undefined;
    const wanted = this.limiter !== undefined || (s.packing && s.packing.scope === 'shard');
    this.maps = wanted
      ? new ShardMapLoader(d.kinesis, stream, s.shardMapRefreshMs, {
          // Packs filed under the old map must not take more messages: a key that moved to another shard would
          // join a pack queued before its own earlier messages.
          loaded: () => {
            for (const p of this.openPacks.values()) p.open = false;
            this.openPacks.clear();
          },
          failed: (e) =>
            this.d.events?.emit('port.failed', this.d.actor, {
              port: 'kinesis',
              retriable: true,
              error: `ListShards ${stream}: ${String(e)}`,
            }),
          settled: () => this.pump(),
        })
      : undefined;
    this.maps?.refresh(d.now()); // load it now, so the first packs are already shard-wide
  }

  /**
   * Queues one message (its room in the buffer is already taken). With packing, it joins the open pack of its key,
   * or of its shard with shard-wide packing (the KPL's aggregation: many keys, one record, routed by the first key;
   * until the shard map is loaded, packs are per key).
   */
  enqueue(partitionKey: string, data: Uint8Array, owner: Ticket): void {
    const packing = this.s.packing;
    const packKey = !packing
      ? undefined
      : packing.scope === 'shard'
        ? (this.maps?.current?.shardFor(partitionKey) ?? `key:${partitionKey}`)
        : partitionKey;
    const pack = packKey === undefined ? undefined : this.openPacks.get(packKey);
    // Raw bytes shorter than any JSON object go alone (readers refuse a pack holding one), and the open pack closes
    // so that the key's later messages stay behind them.
    const packable = data.length >= PACK_LIMITS.minMessageBytes;
    if (packing && pack && packable && fitsInPack(pack, data.length, packing)) {
      pack.parts.push(data);
      pack.owners.push(owner);
      pack.payloadBytes += data.length;
      pack.keys.add(partitionKey);
    } else {
      if (pack && packKey !== undefined && !packable) {
        pack.open = false;
        this.openPacks.delete(packKey);
      }
      const r: Pending<Ticket> = {
        seq: this.seq++,
        partitionKey,
        keyBytes: Buffer.byteLength(partitionKey, 'utf8'),
        keys: new Set([partitionKey]),
        parts: [data],
        owners: [owner],
        payloadBytes: data.length,
        open: packKey !== undefined && packable,
        packKey: packable ? packKey : undefined,
        attempts: 0,
        notBefore: 0,
        enqueuedAt: this.d.now(),
      };
      this.queue.push(r);
      if (packKey !== undefined && packable) this.openPacks.set(packKey, r);
    }
    this.schedule();
  }

  /** Sends everything now (no linger) and resolves when nothing is queued or in flight. */
  flush(): Promise<void> {
    this.urgent = true;
    this.pump();
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  // Many publish() calls in one tick share a request: pump once, after them.
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private wakeAt(at: number): void {
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.pump();
      },
      Math.max(0, at - this.d.now()),
    );
  }

  private pump(): void {
    while (this.inFlight < this.s.maxRequestsInFlight && this.queue.length > 0) {
      // Rate limits need the map: wait for the first one (without a map, one shared bucket is used).
      if (this.maps?.refresh(this.d.now()) && this.limiter) return;
      const now = this.d.now();
      const budget = this.limiter?.budget(now);
      const sel = selectBatch(this.queue, {
        now,
        busyKeys: this.busy,
        maxRecords: this.s.maxRecordsPerRequest,
        maxBytes: this.s.maxBytesPerRequest,
        strictOrder: this.s.strictOrder,
        admit: budget && ((r) => budget.admit(this.shardOf(r), wireSize(r))),
      });
      const wake = Math.min(sel.wakeAt ?? Infinity, budget?.wakeAt() ?? Infinity);
      if (sel.batch.length === 0) {
        if (wake < Infinity) this.wakeAt(wake);
        return;
      }
      // Linger only while another request is out: an idle producer sends at once (latency), a busy one gathers.
      const lingerEnd = Math.min(...sel.batch.map((r) => r.enqueuedAt)) + this.s.lingerMs;
      if (!sel.full && !this.urgent && this.inFlight > 0 && now < lingerEnd) {
        this.wakeAt(Math.min(lingerEnd, wake));
        return;
      }
      budget?.commit();
      this.queue = sel.rest;
      for (const r of sel.batch) {
        r.open = false;
        if (r.packKey !== undefined && this.openPacks.get(r.packKey) === r)
          this.openPacks.delete(r.packKey);
        for (const k of r.keys) this.busy.add(k);
      }
      this.inFlight++;
      void this.send(sel.batch).finally(() => {
        this.inFlight--;
        this.pump();
        this.notifyIdle();
      });
    }
  }

  private notifyIdle(): void {
    if (this.queue.length > 0 || this.inFlight > 0) return;
    this.urgent = false;
    const waiting = this.idle;
    this.idle = [];
    waiting.forEach((w) => w());
  }

  private async seal(r: Pending<Ticket>): Promise<void> {
    if (r.data !== undefined) return;
    const estimate = wireSize(r);
    r.data =
      r.parts.length === 1
        ? r.parts[0]!
        : await packRecord(r.parts, this.s.packing ? this.s.packing.compression : undefined);
    const saved = estimate - wireSize(r);
    if (saved !== 0 && this.limiter && r.shardId)
      this.limiter.adjust(r.shardId, -saved, this.d.now());
  }

  private async send(batch: Pending<Ticket>[]): Promise<void> {
    const failed: Array<{ r: Pending<Ticket>; cause: unknown }> = [];
    try {
      await Promise.all(batch.map((r) => this.seal(r)));
      const res = await this.d.kinesis.send(
        new PutRecordsCommand({
          StreamName: this.stream,
          Records: batch.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey })),
        }),
      );
      const results = res.Records ?? [];
      const ok: Pending<Ticket>[] = [];
      batch.forEach((r, i) => {
        const e = results[i];
        // A missing result entry counts as failed: resending may duplicate, not resending may lose.
        if (e === undefined) failed.push({ r, cause: new Error('PutRecords: no result entry') });
        else if (e.ErrorCode)
          failed.push({ r, cause: { name: e.ErrorCode, message: e.ErrorMessage } });
        else ok.push(r);
      });
      this.accept(ok);
    } catch (e) {
      for (const r of batch) failed.push({ r, cause: e });
    }
    if (failed.length > 0) this.retryOrGiveUp(failed);
    for (const r of batch) for (const k of r.keys) this.busy.delete(k);
  }

  private accept(records: ReadonlyArray<Pending<Ticket>>): void {
    if (records.length === 0) return;
    let bytes = 0;
    for (const r of records) {
      bytes += wireSize(r);
      this.d.capacity.release(r.payloadBytes, r.parts.length);
      for (const o of r.owners) o.accepted();
    }
    this.d.events?.emit('bus.published', this.d.actor, {
      stream: this.stream,
      records: records.length,
      bytes,
    });
  }

  private retryOrGiveUp(failed: ReadonlyArray<{ r: Pending<Ticket>; cause: unknown }>): void {
    const now = this.d.now();
    const back: Pending<Ticket>[] = [];
    let maxDelay = 0;
    let maxAttempt = 0;
    for (const { r, cause } of failed) {
      r.attempts++;
      const retriable = isRetriableCause(cause);
      if (!retriable || r.attempts > this.s.retry.retries) {
        this.giveUp(r, cause, retriable);
        continue;
      }
      const delay = backoff(r.attempts, this.s.retry, this.d.random);
      r.notBefore = now + delay;
      maxDelay = Math.max(maxDelay, delay);
      maxAttempt = Math.max(maxAttempt, r.attempts);
      back.push(r);
    }
    if (back.length === 0) return;
    this.queue = mergeBySeq(this.queue, back);
    this.d.events?.emit('bus.publish_retry', this.d.actor, {
      stream: this.stream,
      failed: back.length,
      attempt: maxAttempt,
      delayMs: maxDelay,
    });
  }

  private giveUp(r: Pending<Ticket>, cause: unknown, retriable: boolean): void {
    const failure = portFailure('kinesis', cause, retriable);
    this.d.events?.emit('port.failed', this.d.actor, {
      port: 'kinesis',
      retriable,
      error: `PutRecords to ${this.stream} gave up after ${r.attempts} attempts: ${failure.message}`,
    });
    this.d.capacity.release(r.payloadBytes, r.parts.length);
    for (const o of r.owners) o.failed(failure);
  }

  private shardOf(r: Pending<Ticket>): string {
    r.shardId ??= this.maps?.current?.shardFor(r.partitionKey) ?? 'unmapped';
    return r.shardId;
  }
}
