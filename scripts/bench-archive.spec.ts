import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';

import { DroneMessage } from '../actors/protocol/index.ts';
import { E } from '../runtime/codec.ts';
import { generateArchive } from './bench-archive.ts';

describe('Bench > archive > the generated archive', () => {
  it("is the writer's: lines it would write, in batches cut at its 5 s age limit per shard, in its keys", () => {
    const { objects, lines } = generateArchive(10_000, 1_000, 4);
    assert.equal(lines, 10_000);
    const perBatch: number[] = [];
    const ids = new Set<string>();
    for (const [key, body] of objects) {
      assert.match(
        key,
        /^archive\/type=drone\.message\/day=2026-11-27\/hour=00\/shardId-00000000000[0-3]-\d{20}-[0-9a-f]{16}\.ndjson\.gz$/,
      );
      const batch = gunzipSync(body).toString('utf8').trimEnd().split('\n');
      perBatch.push(batch.length);
      for (const line of batch) {
        const json = JSON.parse(line) as { id: string; time: string; ingestedAt: string };
        assert.ok(E.isRight(DroneMessage.decode(json)), line);
        assert.equal(json.ingestedAt, json.time);
        ids.add(json.id);
      }
    }
    assert.equal(ids.size, 10_000);
    // 1,000 drones over 4 shards: about 250 messages a second per shard, 5 s a batch.
    const mean = perBatch.reduce((a, b) => a + b, 0) / perBatch.length;
    assert.ok(mean > 1_000 && mean <= 1_300, `mean batch ${mean}`);
  });
});
