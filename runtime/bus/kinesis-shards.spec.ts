import assert from 'node:assert/strict';

import fc from 'fast-check';

import { hashKeyOf, type ShardInfo, ShardMap, toShardInfo } from './kinesis-shards.ts';

const MAX = 2n ** 128n - 1n;

/** `n` open shards splitting the hash space evenly, as CreateStream does. */
const evenShards = (n: number): ShardInfo[] =>
  Array.from({ length: n }, (_, i) => ({
    shardId: `shardId-${String(i).padStart(12, '0')}`,
    parentShardIds: [],
    startingHashKey: (MAX / BigInt(n)) * BigInt(i) + (i === 0 ? 0n : 1n),
    endingHashKey: i === n - 1 ? MAX : (MAX / BigInt(n)) * BigInt(i + 1),
    closed: false,
  }));

describe('Bus > kinesis shards', () => {
  it('hashes a partition key with MD5 into 128 bits, as Kinesis does', () => {
    // md5("") = d41d8cd98f00b204e9800998ecf8427e
    assert.equal(hashKeyOf(''), 0xd41d8cd98f00b204e9800998ecf8427en);
  });

  it('maps every key to the one open shard whose range holds its hash', () =>
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 256 }),
        fc.integer({ min: 1, max: 16 }),
        (key, n) => {
          const shards = evenShards(n);
          const id = new ShardMap(shards).shardFor(key);
          const h = hashKeyOf(key);
          const owner = shards.find((s) => h >= s.startingHashKey && h <= s.endingHashKey);
          assert.equal(id, owner?.shardId);
        },
      ),
    ));

  it("puts a key whose hash is a range's first or last value in that range (fixed-width comparison)", () =>
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), (key) => {
        const h = hashKeyOf(key);
        const split = (at: bigint): ShardInfo[] =>
          [
            [0n, at - 1n],
            [at, MAX],
          ].map(([from, to], i) => ({
            shardId: `s${i}`,
            parentShardIds: [],
            startingHashKey: from!,
            endingHashKey: to!,
            closed: false,
          }));
        if (h > 0n) assert.equal(new ShardMap(split(h)).shardFor(key), 's1');
        if (h < MAX) assert.equal(new ShardMap(split(h + 1n)).shardFor(key), 's0');
      }),
    ));

  it('ignores closed shards (after a split, keys go to the children)', () => {
    const [parent] = evenShards(1);
    const children = evenShards(2).map((s, i) => ({
      ...s,
      shardId: `child-${i}`,
      parentShardIds: [parent!.shardId],
    }));
    const map = new ShardMap([{ ...parent!, closed: true }, ...children]);
    assert.match(map.shardFor('drone-1') ?? '', /^child-/);
  });

  it('reads parents and the closed flag from the SDK shape', () => {
    const info = toShardInfo({
      ShardId: 'shardId-000000000003',
      ParentShardId: 'shardId-000000000001',
      AdjacentParentShardId: 'shardId-000000000002',
      HashKeyRange: { StartingHashKey: '0', EndingHashKey: '10' },
      SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '9' },
    });
    assert.deepEqual(info.parentShardIds, ['shardId-000000000001', 'shardId-000000000002']);
    assert.equal(info.closed, true);
    assert.equal(info.endingHashKey, 10n);
  });
});
