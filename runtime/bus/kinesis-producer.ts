/**
 * The Kinesis producer (the KPL's job, in-process): batches publishes into PutRecords requests, resends only the
 * entries that failed, with exponential backoff and jitter, keeps per-key order (see `kinesis-batch.ts`), stays
 * under per-shard limits when asked to, optionally packs small messages into one record, and bounds the messages it
 * holds: `publish()` waits for room when the buffer is full.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';

import { portFailure } from '../errors.ts';
import type { EventHub } from '../events.ts';
import type { RawRecord } from './bus.ts';
import { Capacity, Ticket } from './kinesis-capacity.ts';
import { RECORD_MAX_BYTES } from './kinesis-packing.ts';
import { StreamProducer, type StreamProducerSettings } from './kinesis-stream-producer.ts';

/** Producer settings plus the buffer bound. */
export interface ProducerSettings extends StreamProducerSettings {
  /** Bytes of message data held (queued or in flight) before `publish()` waits. */
  readonly maxBufferedBytes: number;
  /** Messages held before `publish()` waits. */
  readonly maxBufferedMessages: number;
}

/** Clients and instrumentation of a producer; `now` and `random` are injectable for tests. */
export interface ProducerDeps {
  readonly kinesis: KinesisClient;
  readonly events?: EventHub;
  /** Name on the events this producer emits. */
  readonly actor: string;
  readonly now?: () => number;
  readonly random?: () => number;
}

/**
 * Publishes raw records to any number of streams. Used by `createKinesisBus`; use it directly only for tools that
 * write bytes (benchmarks, replays).
 * @example
 * const producer = new KinesisProducer(settings, { kinesis, actor: 'bench' });
 * await producer.publish('prestacop-drones', [{ partitionKey: 'drone-1', data: bytes }]);
 * await producer.close();
 */
export class KinesisProducer {
  private readonly streams = new Map<string, StreamProducer>();
  private readonly capacity: Capacity;
  private closed = false;
  /** publish() calls not settled yet (some may still wait for room): close() waits for them all. */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly settings: ProducerSettings,
    private readonly deps: ProducerDeps,
  ) {
    this.capacity = new Capacity(settings.maxBufferedBytes, settings.maxBufferedMessages);
  }

  /**
   * Resolves when every record is accepted by the stream; rejects with a PortFailure when one is given up (not
   * retriable, or retries exhausted). Records too large for Kinesis are refused before anything is sent.
   */
  publish(stream: string, records: ReadonlyArray<RawRecord>): Promise<void> {
    const p = this.enqueue(stream, records);
    this.pending.add(p);
    const forget = () => void this.pending.delete(p);
    p.then(forget, forget);
    return p;
  }

  private async enqueue(stream: string, records: ReadonlyArray<RawRecord>): Promise<void> {
    if (this.closed) throw portFailure('kinesis', new Error('producer is closed'), false);
    const tooLarge = records.find(
      (r) => r.data.length + Buffer.byteLength(r.partitionKey, 'utf8') > RECORD_MAX_BYTES,
    );
    if (tooLarge)
      throw portFailure(
        'kinesis',
        new Error(`record of ${tooLarge.data.length} bytes exceeds Kinesis' 1 MiB record limit`),
        false,
      );
    if (records.some((r) => r.partitionKey.length === 0 || r.partitionKey.length > 256))
      throw portFailure('kinesis', new Error('partition keys must be 1 to 256 characters'), false);
    const ticket = new Ticket(records.length);
    const producer = this.streamProducer(stream);
    for (const r of records) {
      // Backpressure: wait for room only when there is none (the common path stays synchronous).
      if (!this.capacity.tryAcquire(r.data.length)) await this.capacity.acquire(r.data.length);
      if (ticket.settled) {
        this.capacity.release(r.data.length, 1);
        break;
      }
      producer.enqueue(r.partitionKey, r.data, ticket);
    }
    return ticket.done;
  }

  /** Messages and bytes held now (queued or in flight). */
  get buffered(): { readonly bytes: number; readonly messages: number } {
    return this.capacity.used;
  }

  /** Refuses further publishes, sends everything held or still waiting for room, and waits for the outcome. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.pending.size > 0) {
      await this.flush();
      await Promise.allSettled([...this.pending]);
    }
    await this.flush();
  }

  /** Sends everything held now, without waiting for the linger, and waits for the outcome. */
  async flush(): Promise<void> {
    await Promise.all([...this.streams.values()].map((p) => p.flush()));
  }

  private streamProducer(stream: string): StreamProducer {
    let p = this.streams.get(stream);
    if (!p) {
      p = new StreamProducer(stream, this.settings, {
        kinesis: this.deps.kinesis,
        capacity: this.capacity,
        events: this.deps.events,
        actor: this.deps.actor,
        now: this.deps.now ?? Date.now,
        random: this.deps.random ?? Math.random,
      });
      this.streams.set(stream, p);
    }
    return p;
  }
}
