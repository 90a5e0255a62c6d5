/**
 * Per-shard write limits. AWS accepts 1 MB/s and 1,000 records/s per shard and answers more with
 * `ProvisionedThroughputExceededException` for the excess entries; sending at the limit instead of into it keeps the
 * producer out of retry storms (the KPL's per-shard limiter). Emulators never throttle, so locally it is off.
 *
 * Token buckets that may go into debt: a record is admitted while a shard's balance is positive and is then
 * charged in full. The long-run rate is exact, a record larger than the remaining balance is not starved, and the
 * producer only needs an upper bound of a record's size when it decides (a gzip body is charged at its real size).
 */

/** A shard's write budget per second. */
export interface ShardRate {
  readonly bytesPerSec: number;
  readonly recordsPerSec: number;
}

/** AWS's per-shard write limits. */
export const AWS_SHARD_RATE: ShardRate = { bytesPerSec: 1_000_000, recordsPerSec: 1_000 };

/** Fraction of a second's budget a refused shard waits for before it is tried again. */
const REFILL_BEFORE_WAKE = 0.1;

interface Bucket {
  bytes: number;
  records: number;
  at: number;
}

/** A tentative view of the buckets while one batch is assembled; nothing is charged until {@link Budget.commit}. */
export interface Budget {
  /** Admits a record for a shard if the shard's balance is positive, charging the view. */
  readonly admit: (shardId: string, bytes: number) => boolean;
  /** Charges the real limiter with what was admitted (after the batch was committed to). */
  readonly commit: () => void;
  /** Earliest time (ms) at which a shard refused so far becomes admissible again; undefined if none refused. */
  readonly wakeAt: () => number | undefined;
}

/**
 * Token buckets per shard; bursts up to one second of budget.
 * @example
 * const limiter = new ShardRateLimiter(AWS_SHARD_RATE);
 * const budget = limiter.budget(Date.now());
 * if (budget.admit('shardId-000000000000', 1_200)) { ...; budget.commit(); }
 */
export class ShardRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly rate: ShardRate) {}

  /** Starts assembling a batch at time `now`. */
  budget(now: number): Budget {
    const view = new Map<string, Bucket>();
    const charged = new Map<string, { bytes: number; records: number }>();
    let wake: number | undefined;
    const current = (shardId: string): Bucket => {
      let b = view.get(shardId);
      if (!b) view.set(shardId, (b = { ...this.refilled(shardId, now) }));
      return b;
    };
    return {
      admit: (shardId, bytes) => {
        const b = current(shardId);
        if (b.bytes <= 0 || b.records <= 0) {
          const at = now + this.waitMs(b);
          wake = wake === undefined ? at : Math.min(wake, at);
          return false;
        }
        b.bytes -= bytes;
        b.records -= 1;
        const c = charged.get(shardId) ?? { bytes: 0, records: 0 };
        charged.set(shardId, { bytes: c.bytes + bytes, records: c.records + 1 });
        return true;
      },
      commit: () => {
        for (const [shardId, c] of charged) {
          const b = this.refilled(shardId, now);
          this.buckets.set(shardId, {
            bytes: b.bytes - c.bytes,
            records: b.records - c.records,
            at: now,
          });
        }
      },
      wakeAt: () => wake,
    };
  }

  /** Charges bytes after the fact, e.g. when the real size is known only after compression. */
  adjust(shardId: string, extraBytes: number, now: number): void {
    const b = this.refilled(shardId, now);
    this.buckets.set(shardId, { ...b, bytes: b.bytes - extraBytes, at: now });
  }

  private refilled(shardId: string, now: number): Bucket {
    const b = this.buckets.get(shardId);
    if (!b) return { bytes: this.rate.bytesPerSec, records: this.rate.recordsPerSec, at: now };
    const dt = Math.max(0, now - b.at) / 1000;
    return {
      bytes: Math.min(this.rate.bytesPerSec, b.bytes + dt * this.rate.bytesPerSec),
      records: Math.min(this.rate.recordsPerSec, b.records + dt * this.rate.recordsPerSec),
      at: now,
    };
  }

  // Wait until a tenth of a second's budget is back rather than until the balance is barely positive: at
  // saturation that sends batches of ~100 records instead of a request per refilled record.
  private waitMs(b: Bucket): number {
    const refill = (balance: number, perSec: number) =>
      balance > 0 ? 0 : ((REFILL_BEFORE_WAKE * perSec - balance) / perSec) * 1000;
    const ms = Math.max(
      refill(b.bytes, this.rate.bytesPerSec),
      refill(b.records, this.rate.recordsPerSec),
    );
    return Math.max(1, Math.ceil(ms));
  }
}
