import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { E } from '../../runtime/codec.ts';
import { NYPD_LAYOUT_43, NYPD_LAYOUT_51, nypdLayoutOf } from './nypd-header.ts';

const headerOf = (name: string): string[] =>
  readFileSync(new URL(`../../test/fixtures/nypd/${name}`, import.meta.url), 'utf8')
    .split(/\r?\n/, 1)[0]!
    .split(',');

const right = <A>(e: E.Either<string[], A>): A => {
  if (E.isLeft(e)) assert.fail(e.left.join('; '));
  return e.right;
};

describe('Protocol > NYPD header layouts (csv-to-stream and the analysis)', () => {
  it('recognises the real FY2014 (51) and FY2017 (43) headers, trailing spaces and all', () => {
    const h51 = headerOf('fy2014-sample.csv');
    const h43 = headerOf('fy2017-sample.csv');
    assert.ok(h51.includes('Days Parking In Effect    ') && h51.includes('Community Council '));
    const l51 = right(nypdLayoutOf(h51));
    const l43 = right(nypdLayoutOf(h43));
    assert.equal(l51.kind, '51');
    assert.equal(l51.width, 51);
    assert.equal(l43.kind, '43');
    assert.equal(l43.width, 43);
    assert.equal(l51.at.violationTime, 19);
    assert.equal(l43.at.violationCounty, 21);
    assert.ok(l51.ignored.includes('Street Code1') && l51.ignored.includes('NTA'));
    assert.deepEqual(right(nypdLayoutOf([...NYPD_LAYOUT_51])).kind, '51');
    assert.deepEqual(right(nypdLayoutOf([...NYPD_LAYOUT_43])).kind, '43');
  });

  it('accepts a subset in any order, names matched trimmed and case- and space-insensitively', () => {
    const l = right(
      nypdLayoutOf(['Violation  code', ' plate id', 'SUMMONS NUMBER ', 'Issue Date', 'Extra']),
    );
    assert.equal(l.kind, 'subset');
    assert.equal(l.width, 5);
    assert.deepEqual(l.at, { violationCode: 0, plateId: 1, summonsNumber: 2, issueDate: 3 });
    assert.deepEqual(l.ignored, ['Extra']);
  });

  it('refuses a header without a required column, or with a column twice, saying which', () => {
    const missing = nypdLayoutOf(['Summons Number', 'Plate ID']);
    assert.deepEqual(
      missing,
      E.left(['missing required column "Issue Date"', 'missing required column "Violation Code"']),
    );
    const twice = nypdLayoutOf([
      'Summons Number',
      'Issue Date',
      'Violation Code',
      'summons number',
    ]);
    assert.deepEqual(twice, E.left(['column "Summons Number" appears twice (1 and 4)']));
  });
});
