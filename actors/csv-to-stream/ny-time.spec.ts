import assert from 'node:assert/strict';

import fc from 'fast-check';

import { epochMsOf, OffsetDateTime } from '../protocol/time.ts';
import { issuedAtOf, newYorkOffsetMs, parseIssueDate, parseViolationTime } from './ny-time.ts';

const day = (year: number, month: number, d: number) => ({ year, month, day: d });
const at = (date: ReturnType<typeof day>, hour: number, minute: number) =>
  issuedAtOf(date, { hour, minute });

/** New York wall-clock time of an instant, from Intl (the reference the spec checks against). */
const wallInNewYork = (ms: number): string => {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/New_York',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
      .formatToParts(ms)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
};

describe('CsvToStream > Issue Date', () => {
  it('reads MM/DD/YYYY, one-digit parts and ISO days', () => {
    assert.deepEqual(parseIssueDate('08/04/2013'), { ...day(2013, 8, 4), iso: '2013-08-04' });
    assert.equal(parseIssueDate('8/4/2013')?.iso, '2013-08-04');
    assert.equal(parseIssueDate(' 2013-08-04 ')?.iso, '2013-08-04');
    assert.equal(parseIssueDate('2013-08-04T00:00:00.000')?.iso, '2013-08-04');
    assert.equal(parseIssueDate('02/29/2016')?.iso, '2016-02-29');
  });

  it('refuses what is not a real day', () => {
    for (const s of [
      '',
      '02/29/2013',
      '13/01/2013',
      '00/10/2013',
      '04/31/2013',
      '08/04/13',
      '2013/08/04',
      'x',
    ])
      assert.equal(parseIssueDate(s), undefined, s);
  });
});

describe('CsvToStream > Violation Time', () => {
  it('reads the 12-hour clock, midnight written both ways', () => {
    const cases: Array<[string, number, number]> = [
      ['0752A', 7, 52],
      ['1240P', 12, 40],
      ['0115P', 13, 15],
      ['1159P', 23, 59],
      ['0015A', 0, 15],
      ['1215A', 0, 15],
      ['0015P', 12, 15],
      ['0752a', 7, 52],
    ];
    for (const [text, hour, minute] of cases)
      assert.deepEqual(parseViolationTime(text), { kind: 'time', hour, minute }, text);
  });

  it('reads a time without A/P as a 24-hour clock, and says so', () => {
    assert.deepEqual(parseViolationTime('0752'), {
      kind: 'time',
      hour: 7,
      minute: 52,
      irregular: 'no_meridiem',
    });
    assert.deepEqual(parseViolationTime('1930'), {
      kind: 'time',
      hour: 19,
      minute: 30,
      irregular: 'no_meridiem',
    });
    assert.deepEqual(parseViolationTime('1530P'), {
      kind: 'time',
      hour: 15,
      minute: 30,
      irregular: 'hour_over_12',
    });
  });

  it('tells missing from unreadable', () => {
    assert.deepEqual(parseViolationTime(' '), { kind: 'missing' });
    for (const s of ['07:52A', '752A', '2475P', '0760A', '0752X', '0752AM'])
      assert.deepEqual(parseViolationTime(s), { kind: 'unreadable' }, s);
  });
});

describe('CsvToStream > issuedAt in New York', () => {
  it('uses daylight time in summer and standard time in winter', () => {
    assert.equal(at(day(2013, 8, 4), 7, 52).iso, '2013-08-04T07:52:00-04:00');
    assert.equal(at(day(2017, 1, 26), 14, 56).iso, '2017-01-26T14:56:00-05:00');
    assert.equal(issuedAtOf(day(2013, 8, 4), undefined).iso, '2013-08-04T00:00:00-04:00');
  });

  it('reads a time skipped by spring forward with the offset before the jump, an hour later', () => {
    assert.deepEqual(at(day(2014, 3, 9), 1, 59), {
      iso: '2014-03-09T01:59:00-05:00',
      inGap: false,
    });
    assert.deepEqual(at(day(2014, 3, 9), 2, 0), { iso: '2014-03-09T03:00:00-04:00', inGap: true });
    assert.deepEqual(at(day(2014, 3, 9), 2, 30), { iso: '2014-03-09T03:30:00-04:00', inGap: true });
    assert.deepEqual(at(day(2014, 3, 9), 3, 0), { iso: '2014-03-09T03:00:00-04:00', inGap: false });
  });

  it('takes the earlier instant for a time repeated by fall back', () => {
    assert.equal(at(day(2013, 11, 3), 0, 59).iso, '2013-11-03T00:59:00-04:00');
    assert.equal(at(day(2013, 11, 3), 1, 30).iso, '2013-11-03T01:30:00-04:00');
    assert.equal(at(day(2013, 11, 3), 2, 0).iso, '2013-11-03T02:00:00-05:00');
    // The day before and after a transition use the exact path too, and agree with the steady one.
    assert.equal(at(day(2013, 11, 2), 23, 0).iso, '2013-11-02T23:00:00-04:00');
    assert.equal(at(day(2013, 11, 4), 1, 0).iso, '2013-11-04T01:00:00-05:00');
  });

  it('handles every transition day from 1990 to 2040: a gap only at 02:xx in spring, fall back to EST at 02:00', () => {
    const noonOffset = (y: number, m: number, d: number) =>
      newYorkOffsetMs(Date.UTC(y, m - 1, d, 17)) / 3_600_000;
    for (let year = 1990; year <= 2040; year++)
      for (let t = Date.UTC(year, 0, 2); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
        const d = new Date(t);
        const [y, m, dd] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
        const before = noonOffset(y, m, dd - 1);
        if (before === noonOffset(y, m, dd)) continue;
        const spring = before === -5;
        for (let minute = 0; minute < 4 * 60; minute += 7) {
          const [hour, min] = [Math.floor(minute / 60), minute % 60];
          const { iso, inGap } = at(day(y, m, dd), hour, min);
          assert.equal(inGap, spring && hour === 2, iso);
          const expected = hour < 2 ? (spring ? '-05:00' : '-04:00') : spring ? '-04:00' : '-05:00';
          assert.ok(iso.endsWith(expected), `${y}-${m}-${dd} ${hour}:${min} → ${iso}`);
          assert.equal(wallInNewYork(epochMsOf(iso)), iso.slice(0, 16));
        }
      }
  });

  it('gives an OffsetDateTime whose instant reads back as the written wall time, for any day and minute', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1970, max: 2040 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        (year, month, d, hour, minute) => {
          const { iso, inGap } = at(day(year, month, d), hour, minute);
          assert.ok(OffsetDateTime.is(iso), iso);
          assert.ok(/-0[45]:00$/.test(iso), iso);
          const wall = wallInNewYork(epochMsOf(iso));
          assert.equal(wall, iso.slice(0, 16)); // the rendered wall time is New York's at that instant
          if (!inGap)
            assert.equal(
              wall.slice(11),
              `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`,
            );
          assert.equal(newYorkOffsetMs(epochMsOf(iso)) / 3_600_000, Number(iso.slice(-6, -3)));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
