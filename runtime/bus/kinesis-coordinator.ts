/**
 * One worker of one consumer application on one stream (the KCL's scheduler): every lease interval it lists the
 * shards (now and then, or when a shard ended), renews its leases, beats its heartbeat, reads the leases and takes,
 * steals or drops shards as `planLeases` says; a ticker writes checkpoints in batches and stops reading a shard whose
 * lease it could not renew in time. Stopping it checkpoints what was acknowledged and releases every lease, so the
 * next worker starts at once.
 */

import type { KinesisSender } from '../aws/kinesis-wire.ts';
import { isRetriableCause, portFailure } from '../errors.ts';
import type { EventHub } from '../events.ts';
import { backoff, type BackoffPolicy } from '../retry.ts';
import type { Delivery } from './bus.ts';
import { HeldShard } from './kinesis-held-shard.ts';
import { LeaseObserver, type PlanLease, planLeases } from './kinesis-lease-plan.ts';
import { AT_TIMESTAMP, type LeaseStore, SHARD_END, TRIM_HORIZON } from './kinesis-leases.ts';
import { ShardReader, type ShardReaderSettings } from './kinesis-shard-reader.ts';
import { listShards, type ShardInfo } from './kinesis-shards.ts';

/** Lease and checkpoint timing (see `KinesisBusOptions.consumer`). */
export interface CoordinatorSettings {
  readonly leaseTimeoutMs: number;
  readonly leaseIntervalMs: number;
  readonly checkpointIntervalMs: number;
  readonly shardSyncIntervalMs: number;
  readonly retry: BackoffPolicy;
  readonly reader: ShardReaderSettings;
}

/** What a coordinator works with: clients, its lease store and identity, and where deliveries go. */
export interface CoordinatorDeps<A> {
  readonly kinesis: KinesisSender;
  readonly store: LeaseStore;
  /** This worker's lease owner id. */
  readonly me: string;
  readonly initialPosition: 'trim_horizon' | 'latest';
  readonly decode: (bytes: Uint8Array) => Delivery<A>['payload'];
  readonly deliver: (d: Delivery<A>) => void;
  /** A failure retrying will not fix: the subscription errors. */
  readonly fail: (e: unknown) => void;
  readonly events: EventHub | undefined;
}

/** Reads the shards it holds the leases of; created per subscription by the Kinesis bus. */
export class Coordinator<A> {
  private readonly held = new Map<string, HeldShard<A>>();
  /** Shards this coordinator lost (a lease it failed to keep still names it): retaking one is not a restart. */
  private readonly lostHere = new Set<string>();
  /** Workers whose heartbeat moved within the lease timeout, as of the last round. */
  private alive: ReadonlySet<string> = new Set();
  private readonly known = new Set<string>();
  private readonly observer: LeaseObserver;
  private shards: ShardInfo[] = [];
  private lastSync = -Infinity;
  private resync = true;
  private stopping = false;
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private ticker: NodeJS.Timeout | undefined;
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly s: CoordinatorSettings,
    private readonly d: CoordinatorDeps<A>,
  ) {
    this.observer = new LeaseObserver(s.leaseTimeoutMs);
  }

  private get stream(): string {
    return this.d.store.stream;
  }

  private get actor(): string {
    return this.d.store.application;
  }

  /** Starts the lease rounds (the first one at once) and the checkpoint ticker. */
  start(): void {
    this.loopDone = this.loop();
    this.ticker = setInterval(() => this.tick(), this.s.checkpointIntervalMs);
  }

  /** Shards held now (for tests and the status line). */
  get shardsHeld(): ReadonlyArray<string> {
    return [...this.held.keys()];
  }

  /** Stops reading, writes the checkpoints of what was acknowledged, releases the leases. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      clearInterval(this.ticker);
      this.abort.abort(new Error('coordinator stopped'));
      this.wake?.();
      await this.loopDone;
      await Promise.all([...this.held.values()].map((h) => this.release(h)));
      this.held.clear();
      await this.d.store.forget(this.d.me).catch((e: unknown) => this.portFailed('forget', e));
    })();
    return this.stopped;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let delay = this.s.leaseIntervalMs;
      try {
        await this.round();
        failures = 0;
      } catch (e) {
        if (this.stopping) break;
        if (!isRetriableCause(e)) {
          this.d.fail(portFailure('kinesis-bus', e, false));
          break;
        }
        // Never longer than a lease interval: the rounds also renew the leases.
        delay = Math.min(this.s.leaseIntervalMs, backoff(++failures, this.s.retry, Math.random));
        this.d.events?.emit('bus.retry', this.actor, {
          port: 'kinesis-bus',
          attempt: failures,
          delayMs: delay,
          error: e instanceof Error ? e.message : String(e),
        });
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async round(): Promise<void> {
    if (this.resync || Date.now() - this.lastSync >= this.s.shardSyncIntervalMs)
      await this.syncShards();
    await Promise.all([...this.held.values()].map((h) => this.renew(h)));
    const [, { leases, workers }] = await Promise.all([
      this.d.store.heartbeat(this.d.me),
      this.d.store.read(this.shards.map((s) => s.shardId)),
    ]);
    if (this.stopping) return;
    const now = Date.now();
    const seen: PlanLease[] = leases.map((l) => ({
      ...l,
      expired: this.observer.leaseExpired(l, now),
    }));
    const { alive, dead } = this.observer.workers(workers, now);
    this.alive = new Set(alive);
    const plan = planLeases({
      me: this.d.me,
      leases: seen,
      held: new Set(this.held.keys()),
      workers: alive,
    });
    for (const id of plan.lost) this.lose(id, 'taken over by another worker');
    const wanted = plan.steal ? [...plan.take, plan.steal] : plan.take;
    await Promise.all(wanted.map((l) => this.acquire(l)));
    await Promise.all(dead.map((w) => this.d.store.forget(w.worker, w.beat)));
  }

  // Creates the leases of shards seen for the first time.
  private async syncShards(): Promise<void> {
    const shards = await listShards(this.d.kinesis, this.stream, this.abort.signal);
    const ids = new Set(shards.map((s) => s.shardId));
    const latest = this.d.initialPosition === 'latest';
    const now = Date.now();
    // A child of a listed parent starts at its oldest record (everything after the split). Otherwise the
    // application's start applies: `latest` is "from now on", a durable AT_TIMESTAMP (a worker taking the lease
    // over before the first checkpoint starts from the same point), and a shard already closed has nothing after now.
    const initial = (s: ShardInfo): string =>
      s.parentShardIds.some((p) => ids.has(p)) || !latest
        ? TRIM_HORIZON
        : s.closed
          ? SHARD_END
          : `${AT_TIMESTAMP}${now}`;
    await Promise.all(
      shards
        .filter((s) => !this.known.has(s.shardId))
        .map(async (s) => {
          await this.d.store.ensure(s.shardId, s.parentShardIds, initial(s));
          this.known.add(s.shardId);
        }),
    );
    this.shards = shards;
    this.lastSync = Date.now();
    this.resync = false;
  }

  private async acquire(l: PlanLease): Promise<void> {
    const takenAt = Date.now();
    const got = await this.d.store.take(l.shardId, l.counter, this.d.me);
    if (!got) return; // another worker wrote it first
    // Left without a release by a process that is gone: an earlier process of this worker id, or an owner whose
    // lease and heartbeat both stopped. A released or stolen lease, or one a live (if slow) worker let expire, was not.
    const died =
      l.owner === this.d.me
        ? !this.lostHere.has(l.shardId)
        : l.owner !== undefined && l.expired && !this.alive.has(l.owner);
    this.lostHere.delete(l.shardId);
    const reader: ShardReader<A> = new ShardReader<A>(this.s.reader, {
      kinesis: this.d.kinesis,
      stream: this.stream,
      shardId: l.shardId,
      startAt: got.checkpoint,
      decode: this.d.decode,
      deliver: this.d.deliver,
      onEnd: () => this.tick(),
      onFatal: (e) => this.d.fail(portFailure('kinesis', e, false)),
      events: this.d.events,
      actor: this.actor,
      previous: died ? got.attempt : undefined,
      // Called only once the reader runs, after `h` is set.
      mark: async (m) => {
        const outcome = await h.mark(m);
        if (outcome.kind === 'lost') this.lose(l.shardId, 'mark refused: the lease was taken over');
        if (outcome.kind === 'written') this.checkpointed(l.shardId, outcome.checkpoint);
        return outcome.kind !== 'lost';
      },
    });
    const h: HeldShard<A> = new HeldShard(
      got.held,
      reader,
      this.d.store,
      this.d.me,
      takenAt,
      got.checkpoint,
    );
    if (this.stopping || got.checkpoint === SHARD_END) {
      await this.release(h);
      return;
    }
    this.held.set(l.shardId, h);
    this.d.events?.emit('bus.lease_acquired', this.actor, {
      stream: this.stream,
      shardId: l.shardId,
      owner: this.d.me,
    });
    void reader.run();
  }

  private async renew(h: HeldShard<A>): Promise<void> {
    try {
      // A checkpoint written within half an interval already renewed the lease.
      if (!(await h.renew(this.s.leaseIntervalMs / 2)))
        this.lose(h.shardId, 'renewal refused: the lease was taken over');
    } catch (e) {
      // Not fatal yet: the ticker drops the shard if no renewal succeeds within the lease timeout.
      this.portFailed(`renew ${h.shardId}`, e);
    }
  }

  // Every checkpoint interval: drop leases not renewed in time, write checkpoints that moved, finish ended shards.
  private tick(): void {
    // Others may take a lease one timeout after our last successful write: stop reading before that.
    const deadline = Date.now() + this.s.checkpointIntervalMs;
    for (const h of [...this.held.values()]) {
      if (h.expiresBefore(deadline, this.s.leaseTimeoutMs))
        this.lose(h.shardId, 'not renewed within the lease timeout');
      else void this.checkpoint(h);
    }
  }

  private async checkpoint(h: HeldShard<A>): Promise<void> {
    if (this.stopping) return;
    try {
      const outcome = await h.checkpoint();
      if (outcome.kind === 'lost')
        return this.lose(h.shardId, 'checkpoint refused: the lease was taken over');
      if (outcome.kind === 'unchanged') return;
      this.checkpointed(h.shardId, outcome.checkpoint);
      if (outcome.checkpoint === SHARD_END) await this.finish(h);
    } catch (e) {
      this.portFailed(`checkpoint ${h.shardId}`, e);
    }
  }

  // A shard read to its end: free its lease (nobody takes a finished shard) and look for its children now.
  private async finish(h: HeldShard<A>): Promise<void> {
    this.held.delete(h.shardId);
    await h.release();
    this.resync = true;
    this.wake?.();
  }

  private lose(shardId: string, reason: string): void {
    const h = this.held.get(shardId);
    if (!h) return;
    this.held.delete(shardId);
    this.lostHere.add(shardId);
    h.reader.stop();
    this.d.events?.emit('bus.lease_lost', this.actor, {
      stream: this.stream,
      shardId,
      owner: this.d.me,
      reason,
    });
  }

  private async release(h: HeldShard<A>): Promise<void> {
    try {
      const outcome = await h.release();
      if (outcome.kind === 'written') this.checkpointed(h.shardId, outcome.checkpoint);
    } catch (e) {
      // The lease then expires for the others after the timeout; what was acknowledged after the last written
      // checkpoint is redelivered, not lost.
      this.portFailed(`release ${h.shardId}`, e);
    }
  }

  private checkpointed(shardId: string, sequence: string): void {
    this.held.get(shardId)?.reader.checkpointWritten();
    this.d.events?.emit('bus.checkpointed', this.actor, { stream: this.stream, shardId, sequence });
  }

  private portFailed(what: string, e: unknown): void {
    this.d.events?.emit('port.failed', this.actor, {
      port: 'dynamodb',
      retriable: isRetriableCause(e),
      error: `${what}: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
}
