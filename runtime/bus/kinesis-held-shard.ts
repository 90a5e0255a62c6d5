/**
 * A shard this worker holds: its lease, its reader, and what was last checkpointed. Every owner write (renewal,
 * checkpoint, release) is conditional on the counter the previous one left, so they run one at a time here.
 */
import { type AttemptMark, type HeldLease, type LeaseStore } from './kinesis-leases.ts';
import type { ShardReader } from './kinesis-shard-reader.ts';

/** Outcome of a checkpoint attempt. */
export type CheckpointOutcome =
  | { readonly kind: 'written'; readonly checkpoint: string }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'lost' };

/** One held shard; created by the coordinator when it takes a lease. */
export class HeldShard<A> {
  private chain: Promise<unknown> = Promise.resolve();
  private writing = false;
  /** Start time of the last owner write that succeeded: the lease is surely ours until that plus the timeout. */
  private lastOkStart: number;
  private written: string | undefined;

  constructor(
    readonly lease: HeldLease,
    readonly reader: ShardReader<A>,
    private readonly store: LeaseStore,
    private readonly me: string,
    takenAt: number,
    checkpoint: string,
  ) {
    this.lastOkStart = takenAt;
    this.written = checkpoint;
  }

  get shardId(): string {
    return this.lease.shardId;
  }

  /**
   * Whether others may take the lease before `deadline` (epoch ms): one lease timeout after our last successful
   * write, counted from when that write started.
   */
  expiresBefore(deadline: number, leaseTimeoutMs: number): boolean {
    return deadline >= this.lastOkStart + leaseTimeoutMs;
  }

  /** Renews unless an owner write succeeded within `minGapMs`; false when the lease was lost. Throws on I/O errors. */
  async renew(minGapMs: number): Promise<boolean> {
    if (Date.now() - this.lastOkStart < minGapMs) return true;
    const start = Date.now();
    const ok = await this.serial(() => this.store.renew(this.lease, this.me));
    if (ok) this.lastOkStart = start;
    return ok;
  }

  /** Writes the reader's safe checkpoint if it moved (one write at a time). Throws on I/O errors. */
  async checkpoint(): Promise<CheckpointOutcome> {
    const cp = this.reader.checkpoint;
    if (cp === undefined || cp === this.written || this.writing) return { kind: 'unchanged' };
    this.writing = true;
    try {
      return await this.serial(() => this.write(cp));
    } finally {
      this.writing = false;
    }
  }

  /**
   * Writes the reader's attempt mark, with its safe checkpoint if that moved (one write): `written` names that
   * checkpoint, `lost` says the lease was lost. Throws on I/O errors.
   */
  mark(mark: AttemptMark): Promise<CheckpointOutcome> {
    return this.serial(async (): Promise<CheckpointOutcome> => {
      const cp = this.reader.checkpoint;
      const moved = cp !== undefined && cp !== this.written ? cp : undefined;
      const start = Date.now();
      if (!(await this.store.mark(this.lease, this.me, mark, moved))) return { kind: 'lost' };
      this.lastOkStart = start;
      if (moved === undefined) return { kind: 'unchanged' };
      this.written = moved;
      return { kind: 'written', checkpoint: moved };
    });
  }

  /**
   * Stops reading, writes the checkpoint of what was acknowledged, and frees the lease so another worker takes it
   * at once. Throws on I/O errors (the lease then expires for the others after the timeout).
   */
  async release(): Promise<CheckpointOutcome> {
    this.reader.stop();
    return this.serial(async () => {
      const cp = this.reader.checkpoint;
      const outcome: CheckpointOutcome =
        cp === undefined || cp === this.written ? { kind: 'unchanged' } : await this.write(cp);
      if (outcome.kind !== 'lost') await this.store.release(this.lease, this.me);
      return outcome;
    });
  }

  private async write(cp: string): Promise<CheckpointOutcome> {
    const start = Date.now();
    if (!(await this.store.checkpoint(this.lease, this.me, cp))) return { kind: 'lost' };
    this.lastOkStart = start;
    this.written = cp;
    return { kind: 'written', checkpoint: cp };
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.chain.then(op);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
