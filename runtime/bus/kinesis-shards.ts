/**
 * A stream's shards: listing them (ListShards, paginated) and mapping a partition key to the open shard that takes
 * it, as Kinesis does (MD5 of the key as a 128-bit integer, matched against each shard's hash-key range). The
 * producer needs the mapping for per-shard rate limits; the consumer needs the parent links to finish a parent shard
 * before its children after a split or merge.
 */
import { createHash, hash } from 'node:crypto';

import { ListShardsCommand, type Shard } from '@aws-sdk/client-kinesis';

import type { KinesisSender } from '../aws/kinesis-wire.ts';

/** One shard as the bus uses it. */
export interface ShardInfo {
  readonly shardId: string;
  /** Parent (split) or parents (merge); empty for the stream's first shards. */
  readonly parentShardIds: ReadonlyArray<string>;
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
  /** A closed shard takes no more writes (it was split or merged); it is read to its end, then finished. */
  readonly closed: boolean;
}

/** Turns the SDK's shard into a {@link ShardInfo}. */
export const toShardInfo = (s: Shard): ShardInfo => ({
  shardId: s.ShardId ?? '',
  parentShardIds: [s.ParentShardId, s.AdjacentParentShardId].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  ),
  startingHashKey: BigInt(s.HashKeyRange?.StartingHashKey ?? '0'),
  endingHashKey: BigInt(s.HashKeyRange?.EndingHashKey ?? '0'),
  closed: s.SequenceNumberRange?.EndingSequenceNumber !== undefined,
});

/**
 * Every shard of a stream that is still within retention (open and closed), in ListShards order.
 * @example const shards = await listShards(kinesis, 'prestacop-drones', signal);
 */
export const listShards = async (
  kinesis: KinesisSender,
  stream: string,
  abortSignal?: AbortSignal,
): Promise<ShardInfo[]> => {
  const out: ShardInfo[] = [];
  let token: string | undefined;
  do {
    // With a NextToken, AWS refuses StreamName: the token carries it.
    const page = await kinesis.send(
      new ListShardsCommand(token ? { NextToken: token } : { StreamName: stream }),
      { abortSignal },
    );
    for (const s of page.Shards ?? []) out.push(toShardInfo(s));
    token = page.NextToken;
  } while (token);
  return out;
};

/**
 * MD5 of a partition key as 32 lowercase hex digits: Kinesis's 128-bit hash key, in a form that compares as the
 * number does (same length). The one-shot `crypto.hash` (Node ≥ 20.12) is about three times cheaper per key than a
 * `createHash` object, which counts when every row of a 10 M-row import is routed.
 */
const md5Hex: (key: string) => string =
  typeof hash === 'function'
    ? (key) => hash('md5', key, 'hex')
    : (key) => createHash('md5').update(key, 'utf8').digest('hex');

/** The 128-bit hash Kinesis routes a partition key by. */
export const hashKeyOf = (partitionKey: string): bigint => BigInt(`0x${md5Hex(partitionKey)}`);

const hex128 = (n: bigint): string => n.toString(16).padStart(32, '0');

/**
 * Partition key → open shard, by binary search over the open shards' hash-key ranges (compared as fixed-width hex,
 * no BigInt per key).
 * @example new ShardMap(await listShards(kinesis, stream)).shardFor('drone-7')
 */
export class ShardMap {
  private readonly open: ReadonlyArray<{
    readonly shardId: string;
    readonly from: string;
    readonly to: string;
  }>;

  constructor(shards: ReadonlyArray<ShardInfo>) {
    this.open = shards
      .filter((s) => !s.closed)
      .sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : 1))
      .map((s) => ({
        shardId: s.shardId,
        from: hex128(s.startingHashKey),
        to: hex128(s.endingHashKey),
      }));
  }

  /** The open shard whose range holds the key's hash; undefined if the map has a gap (it is stale: refresh). */
  shardFor(partitionKey: string): string | undefined {
    const h = md5Hex(partitionKey);
    let lo = 0;
    let hi = this.open.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.open[mid]!;
      if (h < s.from) hi = mid - 1;
      else if (h > s.to) lo = mid + 1;
      else return s.shardId;
    }
    return undefined;
  }
}

/**
 * A stream's shard map, loaded on first need and refreshed every `refreshMs` (the stream may be resharded). A
 * failed load keeps the previous map (or none) and is retried at the next refresh.
 * @example const maps = new ShardMapLoader(kinesis, stream, 60_000, { loaded: () => pump(), failed: log });
 */
export class ShardMapLoader {
  private map: ShardMap | undefined;
  private loadedAt = -Infinity;
  private loading = false;

  constructor(
    private readonly kinesis: KinesisSender,
    private readonly stream: string,
    private readonly refreshMs: number,
    private readonly on: {
      /** A new map is in place. */
      readonly loaded: (map: ShardMap) => void;
      readonly failed: (e: unknown) => void;
      /** A load attempt ended, either way. */
      readonly settled: () => void;
    },
  ) {}

  get current(): ShardMap | undefined {
    return this.map;
  }

  /** Starts a load if the map is missing or stale; returns whether there is no map yet but one is coming. */
  refresh(now: number): boolean {
    if (now - this.loadedAt > this.refreshMs && !this.loading) {
      this.loading = true;
      listShards(this.kinesis, this.stream)
        .then(
          (shards) => {
            this.map = new ShardMap(shards);
            this.on.loaded(this.map);
          },
          (e: unknown) => this.on.failed(e),
        )
        .finally(() => {
          this.loadedAt = Date.now();
          this.loading = false;
          this.on.settled();
        });
    }
    return this.map === undefined && this.loading;
  }
}
