/**
 * Leases and checkpoints in DynamoDB, the KCL's model: one item per (application, stream, shard) in the leases
 * table, changed only by conditional writes. Whoever owns an item reads the shard; every write by the owner bumps
 * `leaseCounter`, and is conditional on the owner and counter it last wrote, so a worker whose lease was taken over
 * finds out at its next write and can never move a checkpoint it no longer owns.
 *
 * Lease item (`leaseKey` = `<application>#<stream>#<shardId>`):
 *   application, stream, shardId   strings, for people and scans
 *   leaseOwner                     worker id; absent when the lease is free (released, or never taken)
 *   leaseCounter                   number, bumped by every take, renewal, checkpoint and release
 *   checkpoint                     `TRIM_HORIZON` | `AT_TIMESTAMP:<epoch ms>` | a sequence number (read after it)
 *                                  | `SHARD_END` (the shard was read to its end: its children may start)
 *   parentShardIds                 list of strings (a split has one parent, a merge two)
 *   renewedAt, checkpointedAt      epoch ms on the writer's clock: for people only (expiry never compares clocks)
 *   leaseTimeoutMs                 the owner's lease timeout, for people
 *   attemptFrom, attemptTo         the checkpoint the owner started reading at, and the last record it may have
 *                                  handed out: written before it hands out records past its previous mark (once per
 *                                  poll batch, until it has checkpointed past attemptFrom), so a successor knows what
 *                                  was in flight if the owner died, and whether it died before any progress (see
 *                                  `AttemptMark`)
 *   suspectSeq, suspectDeaths      after a crash, the first record of the range being tried carefully, and how
 *                                  many times it will have killed its consumer if this try dies too
 *
 * Worker item (`leaseKey` = `<application>#<stream>#~workers`): `workers`, a map of worker id → epoch ms of its last
 * heartbeat. It lets a worker that owns nothing yet be counted when the shards are balanced.
 */
import { BatchGetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

import type { DocSender } from '../aws/dynamodb-wire.ts';

/** Checkpoint of a shard read to its end. */
export const SHARD_END = 'SHARD_END';
/** Checkpoint of a shard to be read from its oldest record. */
export const TRIM_HORIZON = 'TRIM_HORIZON';
/** Prefix of a checkpoint that starts at a time (an application created with `initialPosition: 'latest'`). */
export const AT_TIMESTAMP = 'AT_TIMESTAMP:';

/** A lease as read from the table. */
export interface LeaseRecord {
  readonly shardId: string;
  readonly owner: string | undefined;
  readonly counter: number;
  readonly checkpoint: string;
  readonly parentShardIds: ReadonlyArray<string>;
}

/**
 * What a reader claims before it hands records out: where it started, how far it may go, and, while it goes carefully
 * after a crash, the first record of the range it tries (the suspect) and that record's death count if this try
 * dies. A successor that finds the lease left by a dead owner reads it to tell which records were in flight and
 * which one keeps killing its consumer.
 */
export interface AttemptMark {
  readonly from: string;
  readonly to: string;
  readonly suspect?: { readonly sequence: string; readonly deaths: number };
}

/** What a worker knows of a lease it holds: the counter of its own last write. */
export interface HeldLease {
  readonly shardId: string;
  counter: number;
}

const WORKERS = '~workers';

// DynamoDB refuses expression names and values that the expressions do not use: keep only the used ones.
const used = <V>(expressions: string, entries: Record<string, V>): Record<string, V> =>
  Object.fromEntries(
    Object.entries(entries).filter(([k]) => new RegExp(`${k}(?![A-Za-z0-9_])`).test(expressions)),
  );

const str = (u: unknown, fallback: string): string => (typeof u === 'string' ? u : fallback);

const attemptOf = (it: Record<string, unknown>): AttemptMark | undefined => {
  if (typeof it.attemptTo !== 'string' || typeof it.attemptFrom !== 'string') return undefined;
  const mark = { from: it.attemptFrom, to: it.attemptTo };
  return typeof it.suspectSeq === 'string' && typeof it.suspectDeaths === 'number'
    ? { ...mark, suspect: { sequence: it.suspectSeq, deaths: it.suspectDeaths } }
    : mark;
};

const isConditionFailure = (e: unknown): boolean =>
  typeof e === 'object' &&
  e !== null &&
  (e as { name?: unknown }).name === 'ConditionalCheckFailedException';

/**
 * The leases of one application on one stream.
 * @example
 * const store = new LeaseStore(doc, 'prestacop-leases', 'alert-system', 'prestacop-drones', 10_000);
 * const lease = await store.take('shardId-000000000000', observedCounter, 'worker-1');
 */
export class LeaseStore {
  constructor(
    private readonly doc: DocSender,
    private readonly table: string,
    readonly application: string,
    readonly stream: string,
    private readonly leaseTimeoutMs: number,
  ) {}

  // Bounded calls: a hung request must not stall the lease round (a renewal that timed out but was applied only
  // makes the next owner write fail, and the lease is then taken back at once: safe).
  private timeout(): { abortSignal: AbortSignal } {
    return { abortSignal: AbortSignal.timeout(Math.max(1_000, this.leaseTimeoutMs / 2)) };
  }

  private keyOf(shardId: string): string {
    return `${this.application}#${this.stream}#${shardId}`;
  }

  /** Creates a shard's lease unless it exists (first sight of a shard, by any worker). */
  async ensure(shardId: string, parentShardIds: ReadonlyArray<string>, checkpoint: string) {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            leaseKey: this.keyOf(shardId),
            application: this.application,
            stream: this.stream,
            shardId,
            leaseCounter: 0,
            checkpoint,
            parentShardIds: [...parentShardIds],
          },
          ConditionExpression: 'attribute_not_exists(leaseKey)',
        }),
        this.timeout(),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  /** Reads the given shards' leases and the worker heartbeats, consistently, in pages of 100 keys. */
  async read(shardIds: ReadonlyArray<string>): Promise<{
    leases: LeaseRecord[];
    workers: ReadonlyMap<string, number>;
  }> {
    const keys = [...shardIds.map((s) => this.keyOf(s)), this.keyOf(WORKERS)];
    const items: Array<Record<string, unknown>> = [];
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Array<Record<string, unknown>> = keys
        .slice(i, i + 100)
        .map((k) => ({ leaseKey: k }));
      while (pending.length > 0) {
        const res = await this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.table]: { Keys: pending, ConsistentRead: true } },
          }),
          this.timeout(),
        );
        items.push(...(res.Responses?.[this.table] ?? []));
        pending = res.UnprocessedKeys?.[this.table]?.Keys ?? [];
      }
    }
    let workers = new Map<string, number>();
    const leases: LeaseRecord[] = [];
    for (const it of items) {
      if (it.leaseKey === this.keyOf(WORKERS)) {
        workers = new Map(Object.entries((it.workers ?? {}) as Record<string, number>));
        continue;
      }
      leases.push({
        shardId: str(it.shardId, ''),
        owner: typeof it.leaseOwner === 'string' ? it.leaseOwner : undefined,
        counter: Number(it.leaseCounter ?? 0),
        checkpoint: str(it.checkpoint, TRIM_HORIZON),
        parentShardIds: Array.isArray(it.parentShardIds) ? it.parentShardIds.map(String) : [],
      });
    }
    return { leases, workers };
  }

  /**
   * Takes a lease whose counter was seen at `observedCounter` (free, expired, or stolen from a busier worker).
   * Returns the lease with its checkpoint, or undefined if another worker wrote it first.
   */
  async take(
    shardId: string,
    observedCounter: number,
    me: string,
  ): Promise<
    { held: HeldLease; checkpoint: string; attempt: AttemptMark | undefined } | undefined
  > {
    const update =
      'SET #owner = :me, #counter = #counter + :one, #renewed = :now, #timeout = :timeout';
    const condition = '#counter = :seen';
    try {
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { leaseKey: this.keyOf(shardId) },
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: used(`${update} ${condition}`, this.names),
          ExpressionAttributeValues: {
            ':me': me,
            ':one': 1,
            ':now': Date.now(),
            ':timeout': this.leaseTimeoutMs,
            ':seen': observedCounter,
          },
          ReturnValues: 'ALL_NEW',
        }),
        this.timeout(),
      );
      const a = res.Attributes ?? {};
      return {
        held: { shardId, counter: Number(a.leaseCounter) },
        checkpoint: str(a.checkpoint, TRIM_HORIZON),
        attempt: attemptOf(a),
      };
    } catch (e) {
      if (isConditionFailure(e)) return undefined;
      throw e;
    }
  }

  /** Renews a held lease; false if it was lost (another worker took it). */
  renew(lease: HeldLease, me: string): Promise<boolean> {
    return this.ownerWrite(lease, me, 'SET #counter = #counter + :one, #renewed = :now', {
      ':now': Date.now(),
    });
  }

  /** Writes a checkpoint (and renews); false if the lease was lost, so the checkpoint was not written. */
  checkpoint(lease: HeldLease, me: string, checkpoint: string): Promise<boolean> {
    return this.ownerWrite(
      lease,
      me,
      'SET #counter = #counter + :one, #renewed = :now, #cp = :cp, #cpAt = :now',
      { ':now': Date.now(), ':cp': checkpoint },
    );
  }

  /**
   * Writes what the reader is about to hand out (and, in the same write, a checkpoint that moved); false if the
   * lease was lost. Fields the mark does not set are removed, so no stale death count survives it.
   */
  mark(lease: HeldLease, me: string, mark: AttemptMark, checkpoint?: string): Promise<boolean> {
    const set = [
      '#counter = #counter + :one',
      '#renewed = :now',
      '#attFrom = :from',
      '#attTo = :to',
    ];
    const values: Record<string, unknown> = {
      ':now': Date.now(),
      ':from': mark.from,
      ':to': mark.to,
    };
    if (checkpoint !== undefined) {
      set.push('#cp = :cp', '#cpAt = :now');
      values[':cp'] = checkpoint;
    }
    if (mark.suspect) {
      set.push('#suspect = :suspect', '#deaths = :deaths');
      values[':suspect'] = mark.suspect.sequence;
      values[':deaths'] = mark.suspect.deaths;
    }
    const update = `SET ${set.join(', ')}${mark.suspect ? '' : ' REMOVE #suspect, #deaths'}`;
    return this.ownerWrite(lease, me, update, values);
  }

  /** Frees a held lease (after its last checkpoint) so another worker can take it at once. */
  release(lease: HeldLease, me: string): Promise<boolean> {
    return this.ownerWrite(lease, me, 'SET #counter = #counter + :one REMOVE #owner', {});
  }

  /** Records that this worker is alive (the worker item is created on first use). */
  async heartbeat(me: string): Promise<void> {
    const beat = () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { leaseKey: this.keyOf(WORKERS) },
          UpdateExpression: 'SET workers.#w = :now',
          ConditionExpression: 'attribute_exists(workers)',
          ExpressionAttributeNames: { '#w': me },
          ExpressionAttributeValues: { ':now': Date.now() },
        }),
        this.timeout(),
      );
    try {
      await beat();
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      await this.ensureWorkersItem();
      await beat();
    }
  }

  /** Removes a worker from the heartbeat map: on close, or when it was seen dead (only if still at `seen`). */
  async forget(worker: string, seen?: number): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { leaseKey: this.keyOf(WORKERS) },
          UpdateExpression: 'REMOVE workers.#w',
          ConditionExpression:
            seen === undefined ? 'attribute_exists(workers)' : 'workers.#w = :seen',
          ExpressionAttributeNames: { '#w': worker },
          ...(seen === undefined ? {} : { ExpressionAttributeValues: { ':seen': seen } }),
        }),
        this.timeout(),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  private async ensureWorkersItem(): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            leaseKey: this.keyOf(WORKERS),
            application: this.application,
            stream: this.stream,
            workers: {},
          },
          ConditionExpression: 'attribute_not_exists(leaseKey)',
        }),
        this.timeout(),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  private readonly names = {
    '#owner': 'leaseOwner',
    '#counter': 'leaseCounter',
    '#renewed': 'renewedAt',
    '#timeout': 'leaseTimeoutMs',
  };

  // Every owner write: conditional on owner and counter, bumps the counter, tracks it in `lease`.
  private async ownerWrite(
    lease: HeldLease,
    me: string,
    update: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    const condition = '#owner = :me AND #counter = :mine';
    const names = {
      ...this.names,
      '#cp': 'checkpoint',
      '#cpAt': 'checkpointedAt',
      '#attFrom': 'attemptFrom',
      '#attTo': 'attemptTo',
      '#suspect': 'suspectSeq',
      '#deaths': 'suspectDeaths',
    };
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { leaseKey: this.keyOf(lease.shardId) },
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: used(`${update} ${condition}`, names),
          ExpressionAttributeValues: { ...values, ':me': me, ':mine': lease.counter, ':one': 1 },
        }),
        this.timeout(),
      );
      lease.counter += 1;
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }
}
