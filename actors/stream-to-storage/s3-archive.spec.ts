import assert from 'node:assert/strict';

import { hourPartition, objectKey } from './s3-archive.ts';

describe('StreamToStorage > s3 archive > keys', () => {
  it('partitions by day and hour of ingestion in UTC, as day= (not the reserved word date=)', () => {
    const at = Date.parse('2026-11-27T23:59:59.999-05:00'); // 04:59:59.999 UTC the next day
    assert.equal(hourPartition(at), 'day=2026-11-28/hour=04');
    assert.equal(
      objectKey(
        'archive/',
        'drone.message',
        hourPartition(at),
        'shardId-1',
        '49.2',
        '0123456789abcdef',
      ),
      'archive/type=drone.message/day=2026-11-28/hour=04/shardId-1-49.2-0123456789abcdef.ndjson.gz',
    );
  });
});
