import assert from 'node:assert/strict';

import fc from 'fast-check';

import { arbEpochMs, arbOffsetDateTime, arbUtcTime } from './common.arb.ts';
import { DroneId, droneIdOf, Latitude, Location, Longitude, MessageId } from './primitives.ts';
import { assertIssue, decoded, issuesOf } from './spec-helpers.ts';
import { epochMsOf, IsoDate, OffsetDateTime, toUtcTime, UtcTime, utcTimeOf } from './time.ts';

describe('Protocol > time', () => {
  it('accepts UTC instants with 0 to 9 fraction digits', () => {
    for (const s of [
      '2026-11-27T18:49:16Z',
      '2026-11-27T18:49:16.1Z',
      '2026-11-27T18:49:16.123Z',
      '2024-02-29T23:59:59.123456789Z',
    ])
      assert.ok(UtcTime.is(s), s);
  });

  it('rejects offsets, impossible dates, hour 24, leap seconds and non-strings', () => {
    for (const u of [
      '2026-11-27T18:49:16+01:00',
      '2026-11-27 18:49:16Z',
      '2026-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-11-27T24:00:00Z',
      '2026-11-27T23:59:60Z',
      '2026-11-27',
      '',
      1764269356123,
      null,
    ])
      assert.ok(!UtcTime.is(u), String(u));
    assertIssue(
      issuesOf(UtcTime, '2026-02-30T00:00:00Z'),
      'expected UtcTime',
      '"2026-02-30T00:00:00Z"',
    );
  });

  it('utcTimeOf and epochMsOf are inverse on milliseconds', () =>
    fc.assert(
      fc.property(arbEpochMs, (ms) => {
        assert.equal(epochMsOf(utcTimeOf(ms)), ms);
      }),
    ));

  it('epochMsOf truncates beyond milliseconds and reads offsets', () => {
    assert.equal(epochMsOf('1970-01-01T00:00:00.0019Z'), 1);
    assert.equal(epochMsOf('1970-01-01T01:00:00+01:00'), 0);
    assert.ok(Number.isNaN(epochMsOf('yesterday')));
  });

  it('every generated UtcTime and OffsetDateTime is valid', () =>
    fc.assert(
      fc.property(arbUtcTime, arbOffsetDateTime, (u, o) => {
        assert.ok(UtcTime.is(u));
        assert.ok(OffsetDateTime.is(o));
      }),
    ));

  it('toUtcTime renders an offset instant as the same instant in UTC', () => {
    assert.equal(toUtcTime('2026-11-27T19:49:16+01:00'), '2026-11-27T18:49:16.000Z');
    assert.equal(toUtcTime('2013-08-04T07:52:00-04:00'), '2013-08-04T11:52:00.000Z');
    assert.equal(toUtcTime('2013-08-04T07:52:00'), undefined);
    fc.assert(
      fc.property(arbOffsetDateTime, (o) => {
        assert.equal(epochMsOf(toUtcTime(o) ?? ''), epochMsOf(o));
      }),
    );
  });

  it('utcTimeOf throws on an invalid clock reading', () => {
    assert.throws(() => utcTimeOf(Number.NaN), RangeError);
    assert.throws(() => utcTimeOf(Date.UTC(10_000, 0, 1)), RangeError);
  });

  it('IsoDate accepts calendar days only', () => {
    assert.ok(IsoDate.is('2024-02-29'));
    assert.ok(!IsoDate.is('2023-02-29'));
    assert.ok(!IsoDate.is('08/04/2013'));
  });
});

describe('Protocol > primitives', () => {
  it('normalises -0 in positions and rejects NaN, Infinity and out-of-range values', () => {
    const loc = decoded(Location, { lat: -0, lon: -0 });
    assert.ok(Object.is(loc.lat, 0) && Object.is(loc.lon, 0));
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 90.000001, -91, '40.7'])
      assertIssue(issuesOf(Latitude, bad), 'expected Latitude');
    assertIssue(issuesOf(Longitude, 180.5), 'expected Longitude', '180.5');
    assertIssue(issuesOf(Location, { lat: 95, lon: 0 }), 'at .lat', 'expected Latitude', '95');
  });

  it('strips unknown keys from a location', () => {
    assert.deepStrictEqual(decoded(Location, { lat: 1, lon: 2, alt: 30 }), { lat: 1, lon: 2 });
  });

  it('accepts simulator and real-fleet drone ids, rejects spaces, colons and overlong ones', () => {
    for (const ok of ['drone-0001', 'DJI-M30T.1ZNBJ7', 'uav_17', '7', 'a'.repeat(64)])
      assert.ok(DroneId.is(ok), ok);
    for (const bad of ['', 'drone 1', 'drone:1', '-drone', 'a'.repeat(65), 'drône-1', 17])
      assert.ok(!DroneId.is(bad), String(bad));
  });

  it('droneIdOf pads to four digits and rejects bad numbers', () => {
    assert.equal(droneIdOf(7), 'drone-0007');
    assert.equal(droneIdOf(12_345), 'drone-12345');
    assert.throws(() => droneIdOf(-1), RangeError);
    assert.throws(() => droneIdOf(1.5), RangeError);
  });

  it('message ids are printable ASCII without spaces, at most 256 characters', () => {
    assert.ok(MessageId.is('legacy:drone-0001:0123456789abcdef'));
    assert.ok(!MessageId.is('a b'));
    assert.ok(!MessageId.is('x'.repeat(257)));
  });
});
