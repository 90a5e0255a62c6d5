import assert from 'node:assert/strict';

import {
  isClosed,
  markerKey,
  parquetKey,
  parseBatchKey,
  parseMarkerKey,
  relayoutKey,
  sourceDigest,
} from './layout.ts';

describe('Analysis > archive > layout', () => {
  const hour = { type: 'drone.message', day: '2026-11-27', hour: '18' };

  it('reads the hour of a batch in either layout, and nothing else', () => {
    for (const layout of ['day', 'date'])
      assert.deepEqual(
        parseBatchKey(
          `archive/type=drone.message/${layout}=2026-11-27/hour=18/s-1-ab.ndjson.gz`,
          7,
        ),
        {
          ...hour,
          key: `archive/type=drone.message/${layout}=2026-11-27/hour=18/s-1-ab.ndjson.gz`,
          size: 7,
        },
      );
    for (const key of [
      'archive/type=drone.message/day=2026-11-27/hour=24/s.ndjson.gz',
      'archive/type=drone.message/day=2026-11-27/s.ndjson.gz',
      'archive/type=drone.message/day=2026-11-27/hour=18/a/b.ndjson.gz',
      'archive-parquet/type=drone.message/day=2026-11-27/hour=18/part-0.parquet',
    ])
      assert.equal(parseBatchKey(key, 0), undefined, key);
  });

  it('names the Parquet part and the marker of an hour, in the day= layout, and reads a marker key back', () => {
    assert.equal(
      parquetKey(hour),
      'archive-parquet/type=drone.message/day=2026-11-27/hour=18/part-0.parquet',
    );
    assert.equal(
      markerKey(hour),
      'archive-compacted/type=drone.message/day=2026-11-27/hour=18/marker.json',
    );
    assert.deepEqual(parseMarkerKey(markerKey(hour)), hour);
    assert.equal(
      parseMarkerKey('archive-compacted/type=x/day=2026-11-27/hour=18/other.json'),
      undefined,
    );
  });

  it('moves the old layout to the new one, and leaves the new one (and anything else) alone', () => {
    const moves: Array<[string, string | undefined]> = [
      [
        'archive/type=nypd.ticket/date=2026-11-27/hour=00/s-1-ab.ndjson.gz',
        'archive/type=nypd.ticket/day=2026-11-27/hour=00/s-1-ab.ndjson.gz',
      ],
      ['archive/type=nypd.ticket/day=2026-11-27/hour=00/s-1-ab.ndjson.gz', undefined],
      [
        'dead-letter/actor=stream-to-storage/drones/date=2026-11-27/x.json',
        'dead-letter/actor=stream-to-storage.drones/day=2026-11-27/x.json',
      ],
      [
        'dead-letter/actor=alert-system/date=2026-11-27/x.json',
        'dead-letter/actor=alert-system/day=2026-11-27/x.json',
      ],
      ['dead-letter/actor=stream-to-storage.drones/day=2026-11-27/x.json', undefined],
      ['needs-human/actor=alert-system/verdict=code/x.json', undefined],
      ['archive-compacted/type=drone.message/day=2026-11-27/hour=18/marker.json', undefined],
    ];
    for (const [from, to] of moves) assert.equal(relayoutKey(from), to, from);
  });

  it('digests an hour by its objects, whatever their order; one more object changes it', () => {
    const a = { key: 'a', size: 1 };
    const b = { key: 'b', size: 2 };
    assert.equal(sourceDigest([a, b]), sourceDigest([b, a]));
    assert.notEqual(sourceDigest([a, b]), sourceDigest([a, b, { key: 'c', size: 3 }]));
    assert.notEqual(sourceDigest([a]), sourceDigest([{ key: 'a', size: 2 }]));
  });

  it('closes an hour once its end and the grace have passed', () => {
    const end = Date.parse('2026-11-27T19:00:00.000Z');
    assert.equal(isClosed(hour, end + 59_999, 60_000), false);
    assert.equal(isClosed(hour, end + 60_000, 60_000), true);
  });
});
