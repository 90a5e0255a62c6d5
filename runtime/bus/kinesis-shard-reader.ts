/**
 * Reads one leased shard: GetRecords polling at a bounded rate, unpacking packed records into one delivery per
 * message, handing deliveries out only while fewer than `maxInFlight` are unacknowledged, and tracking acks so the
 * coordinator can checkpoint the safe position. It stops at once when told (lease lost or released): nothing more
 * is handed out and later acks are ignored, because the shard's next owner will redeliver them.
 *
 * A record that kills its consumer process (out of memory, a native crash) would be reread from the checkpoint and
 * kill every successor, for ever: the count of such deaths must outlive the process, so it is kept on the lease.
 * Before handing out records past its last mark, the reader writes where it started and how far it goes
 * (`AttemptMark`: one write per poll batch) until a checkpoint past where it started is on the lease: from then on
 * a successor ignores the mark (a single kill in steady work), so writing it again would only put a DynamoDB round
 * trip, queued behind the lease's other writes, between every poll and its hand-out. A successor of an owner that
 * died without releasing the lease (an earlier process of this worker id, or an owner whose lease and heartbeat
 * both stopped) goes carefully through the marked records if that owner died before any progress or while going
 * carefully itself (a crash loop; a single kill in steady work costs nothing): in ranges of 1, 2, 4... records,
 * each handed out once the previous
 * one is acknowledged, with a mark naming the range and its first record (the suspect) with its death count,
 * written with the checkpoint. A death counts against the first record of what was in flight only; a record that
 * has killed its consumer `CRASHES_BEFORE_PARKING` times is handed out unread, as one undecodable delivery with
 * the reason, so it is dead-lettered and reading goes on. One crash never parks a record, and a graceful stop or
 * a lease handed over to a live worker counts nothing.
 */
import {
  GetRecordsCommand,
  type GetRecordsOutput,
  GetShardIteratorCommand,
  type GetShardIteratorInput,
} from '@aws-sdk/client-kinesis';

import type { KinesisSender } from '../aws/kinesis-wire.ts';
import { E } from '../codec.ts';
import { decodeFailure, isRetriableCause } from '../errors.ts';
import type { EventHub } from '../events.ts';
import { backoff, type BackoffPolicy, sleep } from '../retry.ts';
import type { Delivery } from './bus.ts';
import { ShardAckTracker, type Tracked } from './checkpointer.ts';
import { AT_TIMESTAMP, type AttemptMark, SHARD_END, TRIM_HORIZON } from './kinesis-leases.ts';
import { isPacked, unpackRecord } from './kinesis-packing.ts';

/** Reader settings (see `KinesisBusOptions.consumer`). */
/** The longest run of hand-outs without a break for other tasks (timers, sockets), in milliseconds. */
const SLICE_MS = 5;

export interface ShardReaderSettings {
  /** Least time between two GetRecords calls on the shard: this application's share of AWS's 5 calls/s. */
  readonly pollIntervalMs: number;
  /** Longest wait between polls of an idle shard (the interval doubles on each empty poll up to this). */
  readonly idlePollMaxMs: number;
  readonly maxRecordsPerPoll: number;
  readonly maxInFlight: number;
  /** Backoff for transient GetRecords failures (retried for ever; the cap bounds the wait). */
  readonly retry: BackoffPolicy;
}

/** What a reader reads, and where its deliveries and outcomes go. */
export interface ShardReaderDeps<A> {
  readonly kinesis: KinesisSender;
  readonly stream: string;
  readonly shardId: string;
  /** The lease's checkpoint: where reading starts. */
  readonly startAt: string;
  readonly decode: (bytes: Uint8Array) => Delivery<A>['payload'];
  readonly deliver: (d: Delivery<A>) => void;
  /** The shard is closed and every delivery of it acknowledged: checkpoint SHARD_END. */
  readonly onEnd: () => void;
  /** A failure that retrying will not fix (e.g. the stream was deleted). */
  readonly onFatal: (e: unknown) => void;
  readonly events: EventHub | undefined;
  readonly actor: string;
  /** The mark left by a predecessor that died without releasing the lease; undefined after a clean handover. */
  readonly previous: AttemptMark | undefined;
  /** Writes a mark (with the checkpoint, if it moved) before records are handed out; false when the lease was lost. */
  readonly mark: (m: AttemptMark) => Promise<boolean>;
}

/** Deaths a suspect record may cause before the next reader hands it out unread (dead-lettered). */
export const CRASHES_BEFORE_PARKING = 3;

const seq = (s: string): bigint => BigInt(s);

// A delivery fetched and not yet handed out, with its place in the record: one object (the hand-out builds the
// delivery with its ack).
interface Queued<A> extends Omit<Delivery<A>, 'ack'> {
  readonly lastInRecord: boolean;
}

/** How long an AT_TIMESTAMP GetShardIterator may take before it is asked again (see `iterator()`). */
const AT_TIMESTAMP_WAIT_MS = 1_000;

const isNamed = (e: unknown, name: string): boolean =>
  typeof e === 'object' && e !== null && (e as { name?: unknown }).name === name;

/** One shard's reader, started by the coordinator when it takes the lease. */
export class ShardReader<A> {
  private readonly tracker = new ShardAckTracker();
  // Fetched, not yet handed out: `queue[head..]` (an index, not shift(), keeps hand-out O(1)).
  private queue: Array<Queued<A> | undefined> = [];
  private head = 0;
  private stopped = false;
  private ended = false;
  private endReported = false;
  private lastFetched: string | undefined;
  private readonly abort = new AbortController();
  private wakeRoom: (() => void) | undefined;
  private wakeDrained: (() => void) | undefined;
  private pumpScheduled = false;
  /** The last record of the predecessor's mark, while this reader goes carefully up to it. */
  private carefulTo: bigint | undefined;
  /** The last record covered by this reader's own mark. */
  private markedTo = -1n;
  /** The last mark written named a suspect (a careful range): the next plain mark must clear it. */
  private suspectMarked = false;
  /** A checkpoint past `startAt` is on the lease: a successor would ignore a plain mark, so none is written. */
  private progressed = false;
  /** Going carefully: records left in the range handed out now, and the size of the next range. */
  private rangeLeft = 0;
  private rangeSize = 1;

  constructor(
    private readonly s: ShardReaderSettings,
    private readonly d: ShardReaderDeps<A>,
  ) {
    // A crash loop dies before any progress (or again while going carefully); a single kill in steady work does not.
    const p = d.previous;
    const loop = p !== undefined && (p.suspect !== undefined || p.from === d.startAt);
    this.carefulTo = loop ? seq(p.to) : undefined;
  }

  /** The newest sequence that is safe to checkpoint (every delivery up to it acknowledged), if any. */
  get checkpoint(): string | undefined {
    return this.ended && this.drained ? SHARD_END : this.tracker.checkpoint?.sequence;
  }

  /**
   * The coordinator wrote a checkpoint of this shard (always past `startAt`: only a moved checkpoint is written).
   * A successor then sees progress and ignores this reader's mark, unless it names a suspect.
   */
  checkpointWritten(): void {
    this.progressed = true;
  }

  /** Deliveries handed out and not yet acknowledged. */
  get inFlight(): number {
    return this.tracker.inFlight;
  }

  /** Starts polling; settles when the reader stops or the shard ends. */
  async run(): Promise<void> {
    try {
      await this.poll();
    } catch (e) {
      if (!this.stopped) this.d.onFatal(e);
    }
  }

  /** Stops at once: no more hand-outs, no more polls, later acks ignored. */
  stop(): void {
    this.stopped = true;
    this.queue = [];
    this.head = 0;
    this.abort.abort(new Error('reader stopped'));
    this.wakeRoom?.();
    this.wakeDrained?.();
  }

  private get queued(): number {
    return this.queue.length - this.head;
  }

  private get drained(): boolean {
    return this.queued === 0 && this.tracker.inFlight === 0;
  }

  private async poll(): Promise<void> {
    let iterator = await this.iterator(this.d.startAt);
    let emptyPolls = 0;
    let failures = 0;
    let nextPollAt = 0;
    while (!this.stopped && iterator !== undefined) {
      await this.roomToRead();
      await sleep(Math.max(0, nextPollAt - Date.now()), this.abort.signal);
      let res: GetRecordsOutput;
      try {
        res = await this.d.kinesis.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: this.s.maxRecordsPerPoll }),
          { abortSignal: this.abort.signal },
        );
        failures = 0;
      } catch (e) {
        if (this.stopped) return;
        // An iterator lives 5 minutes (a consumer held back by backpressure outlives it): get a new one from
        // the last record read, so nothing handed out is read twice.
        if (isNamed(e, 'ExpiredIteratorException')) {
          iterator = await this.iterator(this.lastFetched ?? this.d.startAt);
          continue;
        }
        if (!isRetriableCause(e)) throw e;
        nextPollAt = Date.now() + this.retryDelay(++failures, 'GetRecords', e);
        continue;
      }
      const records = res.Records ?? [];
      const behind = res.MillisBehindLatest ?? 0;
      this.d.events?.emit('bus.lag', this.d.actor, {
        stream: this.d.stream,
        shardId: this.d.shardId,
        millisBehind: behind,
      });
      await this.enqueue(records);
      // Poll at the application's share while there is data; back off on an idle shard.
      emptyPolls = records.length > 0 || behind > 0 ? 0 : emptyPolls + 1;
      const wait =
        emptyPolls === 0
          ? this.s.pollIntervalMs
          : Math.min(this.s.idlePollMaxMs, this.s.pollIntervalMs * 2 ** Math.min(10, emptyPolls));
      nextPollAt = Date.now() + wait;
      iterator = res.NextShardIterator;
    }
    if (iterator === undefined && !this.stopped) {
      this.ended = true;
      this.reportEnd();
    }
  }

  private reportEnd(): void {
    if (!this.ended || this.endReported || this.stopped || !this.drained) return;
    this.endReported = true;
    this.d.events?.emit('bus.shard_ended', this.d.actor, {
      stream: this.d.stream,
      shardId: this.d.shardId,
    });
    this.d.onEnd();
  }

  private retryDelay(attempt: number, op: string, e: unknown): number {
    const delayMs = backoff(attempt, this.s.retry, Math.random);
    this.d.events?.emit('bus.retry', this.d.actor, {
      port: 'kinesis',
      attempt,
      delayMs,
      error: `${op} ${this.d.shardId}: ${e instanceof Error ? e.message : String(e)}`,
    });
    return delayMs;
  }

  private async iterator(from: string): Promise<string | undefined> {
    if (from === SHARD_END) return undefined;
    const position: Partial<GetShardIteratorInput> =
      from === TRIM_HORIZON
        ? { ShardIteratorType: 'TRIM_HORIZON' }
        : from.startsWith(AT_TIMESTAMP)
          ? {
              ShardIteratorType: 'AT_TIMESTAMP',
              Timestamp: new Date(Number(from.slice(AT_TIMESTAMP.length))),
            }
          : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: from };
    const atTimestamp = position.ShardIteratorType === 'AT_TIMESTAMP';
    for (let attempt = 1; ; attempt++) {
      // kinesalite never answers AT_TIMESTAMP while no record is that recent (AWS returns an iterator at the tip):
      // bound the wait and ask again.
      const signal = atTimestamp
        ? AbortSignal.any([this.abort.signal, AbortSignal.timeout(AT_TIMESTAMP_WAIT_MS)])
        : this.abort.signal;
      try {
        const res = await this.d.kinesis.send(
          new GetShardIteratorCommand({
            StreamName: this.d.stream,
            ShardId: this.d.shardId,
            ...position,
          } as GetShardIteratorInput),
          { abortSignal: signal },
        );
        if (res.ShardIterator) return res.ShardIterator;
        // Never read "no iterator" as the shard's end: ask again.
        await sleep(this.s.idlePollMaxMs, this.abort.signal);
      } catch (e) {
        if (this.stopped) throw e;
        if (atTimestamp && signal.aborted) continue;
        // A start timestamp ahead of the server's clock (another host's clock) is refused until it is not.
        const early = atTimestamp && isNamed(e, 'InvalidArgumentException');
        if (!(early || isRetriableCause(e))) throw e;
        await sleep(this.retryDelay(attempt, 'GetShardIterator', e), this.abort.signal);
      }
    }
  }

  // Unpacking may gunzip (asynchronous): the poll loop awaits it, so records stay in order. A poll brings up to
  // 10,000 records, and everything below (unpacking, decoding, the consumer's first steps) runs in microtasks:
  // without a break the whole batch ran as one task, holding the event loop for seconds on a busy process, and
  // the lease renewals and checkpoints waiting behind it expired (the swarm lost its leases at 2,000 drones and
  // redelivered what it had done). A macrotask break every few milliseconds lets timers and sockets in.
  private async enqueue(records: NonNullable<GetRecordsOutput['Records']>): Promise<void> {
    let sliceStart = performance.now();
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        if (this.stopped) return;
        sliceStart = performance.now();
      }
      const data = r.Data ?? new Uint8Array();
      const sequence = r.SequenceNumber ?? '';
      const arrivedAt = r.ApproximateArrivalTimestamp?.getTime() ?? Date.now();
      if (this.carefulTo !== undefined && seq(sequence) > this.carefulTo)
        this.carefulTo = undefined;
      if (this.carefulTo !== undefined && this.rangeLeft === 0) {
        const suspect = this.d.previous?.suspect;
        const deaths = suspect?.sequence === sequence ? suspect.deaths : 1;
        await this.untilDrained();
        if (this.stopped) return;
        if (deaths >= CRASHES_BEFORE_PARKING) {
          // Unread: unpacking or handing it out is what killed the consumers.
          this.lastFetched = sequence;
          this.undecodable(
            `record killed its consumer ${deaths} times: dead-lettered unread`,
            sequence,
            data,
            arrivedAt,
          );
          this.pump();
          continue;
        }
        const carefulTo = this.carefulTo;
        const range = records
          .slice(i, i + this.rangeSize)
          .filter((x) => seq(x.SequenceNumber ?? '') <= carefulTo);
        const to = range[range.length - 1]?.SequenceNumber ?? sequence;
        const mark = { from: this.d.startAt, to, suspect: { sequence, deaths: deaths + 1 } };
        if (!(await this.markDurably(mark))) return;
        this.rangeLeft = range.length;
        this.rangeSize *= 2;
      }
      if (this.carefulTo !== undefined) this.rangeLeft--;
      else if (!(this.progressed && !this.suspectMarked) && seq(sequence) > this.markedTo) {
        const to = records[records.length - 1]?.SequenceNumber ?? sequence;
        if (!(await this.markDurably({ from: this.d.startAt, to }))) return;
        this.markedTo = seq(to);
      }
      // One record unpacked ahead of the hand-out, not a whole poll batch: a batch of records each unpacking to the
      // limit must not all sit in memory while the consumer works through the first one.
      if (!this.roomToPoll) await this.roomToRead();
      if (this.stopped) return;
      // A plain record (one message) is handed on as it is: no unpacking step, no await, per message.
      const u = isPacked(data) ? await unpackRecord(data) : undefined;
      if (this.stopped) return;
      this.lastFetched = sequence;
      if (u === undefined) this.push(this.d.decode(data), sequence, 0, data, arrivedAt, true);
      else if (u.kind === 'corrupt') this.undecodable(u.reason, sequence, data, arrivedAt);
      else
        for (let n = 0; n < u.messages.length; n++) {
          const raw = u.messages[n]!;
          this.push(this.d.decode(raw), sequence, n, raw, arrivedAt, n === u.messages.length - 1);
        }
      this.pump();
    }
  }

  private undecodable(reason: string, sequence: string, data: Uint8Array, arrivedAt: number): void {
    this.push(E.left(decodeFailure(this.d.stream, [reason])), sequence, 0, data, arrivedAt, true);
  }

  private push(
    payload: Delivery<A>['payload'],
    sequence: string,
    subSequence: number,
    raw: Uint8Array,
    arrivedAt: number,
    lastInRecord: boolean,
  ): void {
    const source = { stream: this.d.stream, shardId: this.d.shardId, sequence, subSequence };
    this.queue.push({ payload, source, raw, arrivedAt, lastInRecord });
  }

  // Writes a mark, retrying transient failures; false when the lease was lost or the reader stopped.
  private async markDurably(mark: AttemptMark): Promise<boolean> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        const ok = await this.d.mark(mark);
        if (ok) this.suspectMarked = mark.suspect !== undefined;
        return ok && !this.stopped;
      } catch (e) {
        if (this.stopped) return false;
        if (!isRetriableCause(e)) throw e;
        await sleep(this.retryDelay(attempt, 'mark', e), this.abort.signal);
      }
    }
    return false;
  }

  // Until every delivery handed out is acknowledged (a careful range goes out after the previous one is done).
  private untilDrained(): Promise<void> {
    if (this.stopped || this.drained) return Promise.resolve();
    return new Promise((resolve) => {
      this.wakeDrained = () => {
        this.wakeDrained = undefined;
        resolve();
      };
    });
  }

  // Hands out queued deliveries while the shard has fewer than maxInFlight unacknowledged (backpressure).
  private pump(): void {
    while (!this.stopped && this.queued > 0 && this.tracker.inFlight < this.s.maxInFlight) {
      const q = this.queue[this.head]!;
      this.queue[this.head++] = undefined; // let the delivery be collected once acknowledged
      const { source } = q;
      const tracked = this.tracker.handOut({
        sequence: source.sequence,
        subSequence: source.subSequence,
        lastInRecord: q.lastInRecord,
      });
      this.d.deliver({
        payload: q.payload,
        source,
        raw: q.raw,
        arrivedAt: q.arrivedAt,
        // Bound, not an arrow: an arrow named by its property costs the tsx build a defineProperty per delivery.
        ack: this.ack.bind(this, tracked),
      });
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.roomToPoll) this.wakeRoom?.();
  }

  private ack(tracked: Tracked): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.tracker.ack(tracked);
    // Hand out more after the consumer's own code returns, never inside its ack() call.
    if (!this.pumpScheduled) {
      this.pumpScheduled = true;
      queueMicrotask(() => {
        this.pumpScheduled = false;
        this.pump();
        if (this.drained) this.wakeDrained?.();
        this.reportEnd();
      });
    }
    return Promise.resolve();
  }

  private get roomToPoll(): boolean {
    return this.queued === 0 && this.tracker.inFlight < this.s.maxInFlight;
  }

  // The next GetRecords waits until everything fetched is handed out and there is room for more.
  private roomToRead(): Promise<void> {
    if (this.stopped || this.roomToPoll) return Promise.resolve();
    return new Promise((resolve) => {
      this.wakeRoom = () => {
        this.wakeRoom = undefined;
        resolve();
      };
    });
  }
}
