/**
 * Lease decisions, as pure code: which leases a worker takes, which one it steals, which it has lost. The I/O
 * (`kinesis-leases.ts`) and the loop (`kinesis-coordinator.ts`) follow the plan.
 *
 * Expiry never compares clocks across hosts (the KCL's rule): a worker notes, on its own clock, when it last saw a
 * lease's counter change; a lease whose counter has not moved for the lease timeout is expired. A worker that just
 * started therefore waits one lease timeout before it takes a dead worker's shards, and a skewed clock cannot make a
 * live lease look expired.
 */
import { type LeaseRecord, SHARD_END } from './kinesis-leases.ts';

/** A lease plus whether this worker sees it as expired. */
export interface PlanLease extends LeaseRecord {
  readonly expired: boolean;
}

/** What a worker knows at the start of a round. */
export interface PlanInput {
  readonly me: string;
  /** Every lease of the stream's current shards. */
  readonly leases: ReadonlyArray<PlanLease>;
  /** Shards this worker holds and reads now. */
  readonly held: ReadonlySet<string>;
  /** Workers seen alive by their heartbeats (with or without `me`). */
  readonly workers: ReadonlyArray<string>;
}

/** What a worker does in a round. */
export interface LeasePlan {
  /** Free, expired, or left by an earlier process with this worker id: take them (conditional on the counter). */
  readonly take: ReadonlyArray<PlanLease>;
  /** A lease of the busiest worker, taken to even the load (at most one per round, as the KCL does). */
  readonly steal: PlanLease | undefined;
  /** Held shards whose lease now names another owner: stop reading them at once. */
  readonly lost: ReadonlyArray<string>;
  /** Shards that may be read now: not finished, and every parent finished. */
  readonly available: number;
  /** Workers counted for the balance. */
  readonly workers: number;
}

/** Whether a shard may be read: not finished, and its parents (if still known) read to their end. */
const isAvailable = (l: LeaseRecord, byId: ReadonlyMap<string, LeaseRecord>): boolean =>
  l.checkpoint !== SHARD_END &&
  l.parentShardIds.every((p) => {
    const parent = byId.get(p);
    // A parent no longer listed was trimmed from the stream: nothing of it is left to read first.
    return parent === undefined || parent.checkpoint === SHARD_END;
  });

const takeOrder = (me: string) => (l: PlanLease) =>
  l.owner === me ? 0 : l.owner === undefined ? 1 : 2;

/**
 * Decides one round. Each worker aims at `ceil(shards / workers)` leases: it takes free and expired ones up to that,
 * and when none are free and it has fewer than `floor(shards / workers)`, it steals one from the busiest worker if
 * that one has at least two more than itself (so two workers never trade a lease back and forth).
 * @example planLeases({ me: 'w1', leases, held: new Set(), workers: ['w1', 'w2'] }).take
 */
export const planLeases = (input: PlanInput): LeasePlan => {
  const { me, held } = input;
  const byId = new Map(input.leases.map((l) => [l.shardId, l]));
  const available = input.leases.filter((l) => isAvailable(l, byId));
  const workers = new Set([me, ...input.workers]);
  for (const l of available) if (l.owner !== undefined && !l.expired) workers.add(l.owner);
  const n = available.length;
  const ceil = Math.ceil(n / workers.size);
  const floor = Math.floor(n / workers.size);

  const lost = [...held].filter((id) => {
    const l = byId.get(id);
    return l !== undefined && l.owner !== me;
  });
  const mine = available.filter((l) => held.has(l.shardId) && l.owner === me).length;
  const rank = takeOrder(me);
  const takeable = available
    .filter((l) => !held.has(l.shardId) && (l.owner === undefined || l.owner === me || l.expired))
    .sort((a, b) => rank(a) - rank(b) || a.shardId.localeCompare(b.shardId));
  const take = takeable.slice(0, Math.max(0, ceil - mine));

  let steal: PlanLease | undefined;
  if (take.length === 0 && mine < floor) {
    const counts = new Map<string, PlanLease[]>();
    for (const l of available)
      if (l.owner !== undefined && l.owner !== me && !l.expired)
        counts.set(l.owner, [...(counts.get(l.owner) ?? []), l]);
    const [, busiest] = [...counts].sort(
      ([a, x], [b, y]) => y.length - x.length || a.localeCompare(b),
    )[0] ?? [undefined, []];
    if (busiest.length > floor && busiest.length - mine >= 2)
      steal = [...busiest].sort((a, b) => b.shardId.localeCompare(a.shardId))[0];
  }
  return { take, steal, lost, available: n, workers: workers.size };
};

/**
 * Remembers, on this worker's clock, when each lease's counter and each worker's heartbeat last changed, and so
 * tells which are expired.
 * @example const observer = new LeaseObserver(10_000); const expired = observer.leaseExpired(lease, now);
 */
export class LeaseObserver {
  private readonly leases = new Map<string, { owner?: string; counter: number; since: number }>();
  private readonly beats = new Map<string, { beat: number; since: number }>();

  constructor(private readonly timeoutMs: number) {}

  /** Notes the lease as seen now; expired when owned and its counter has not moved for the lease timeout. */
  leaseExpired(l: LeaseRecord, now: number): boolean {
    const seen = this.leases.get(l.shardId);
    if (!seen || seen.counter !== l.counter || seen.owner !== l.owner) {
      this.leases.set(l.shardId, { owner: l.owner, counter: l.counter, since: now });
      return false;
    }
    return l.owner !== undefined && now - seen.since >= this.timeoutMs;
  }

  /**
   * Splits heartbeats into workers alive (beat moved within the lease timeout) and long dead ones (unchanged for
   * three timeouts: their entries can be removed from the table).
   */
  workers(
    beats: ReadonlyMap<string, number>,
    now: number,
  ): { alive: string[]; dead: Array<{ worker: string; beat: number }> } {
    const alive: string[] = [];
    const dead: Array<{ worker: string; beat: number }> = [];
    for (const [worker, beat] of beats) {
      const seen = this.beats.get(worker);
      if (!seen || seen.beat !== beat) this.beats.set(worker, { beat, since: now });
      const age = now - (this.beats.get(worker)?.since ?? now);
      if (age < this.timeoutMs) alive.push(worker);
      else if (age >= 3 * this.timeoutMs) dead.push({ worker, beat });
    }
    return { alive, dead };
  }
}
