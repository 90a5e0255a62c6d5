import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { parse } from 'csv-parse/sync';

import { Borough, boroughOf, BOROUGHS } from './borough.ts';

const fixture = (name: string): ReadonlyArray<Record<string, string>> =>
  parse(readFileSync(new URL(`../../test/fixtures/nypd/${name}`, import.meta.url)), {
    columns: (header: string[]) => header.map((h) => h.trim()),
    bom: true,
    relax_quotes: true,
    relax_column_count: true,
  });

describe('Protocol > boroughOf', () => {
  it('maps both code sets', () => {
    const expected: Record<string, Borough> = {
      NY: 'Manhattan',
      MN: 'Manhattan',
      K: 'Brooklyn',
      BK: 'Brooklyn',
      Q: 'Queens',
      QN: 'Queens',
      BX: 'Bronx',
      R: 'Staten Island',
      ST: 'Staten Island',
    };
    for (const [code, borough] of Object.entries(expected))
      assert.equal(boroughOf(code), borough, code);
  });

  it('maps unambiguous spelled-out variants, ignoring case and spaces', () => {
    assert.equal(boroughOf('KINGS'), 'Brooklyn');
    assert.equal(boroughOf('QUEEN'), 'Queens');
    assert.equal(boroughOf('Bronx'), 'Bronx');
    assert.equal(boroughOf('RICH'), 'Staten Island');
    assert.equal(boroughOf(' qn '), 'Queens');
  });

  it('leaves empty, ambiguous and unknown codes unmapped', () => {
    for (const code of [undefined, '', '  ', 'NYC', 'X', 'NJ'])
      assert.equal(boroughOf(code), undefined, String(code));
  });

  it('maps every non-empty Violation County in the real samples', () => {
    const counties = new Set(
      ['fy2014-sample.csv', 'fy2017-sample.csv'].flatMap((f) =>
        fixture(f).map((r) => r['Violation County'] ?? ''),
      ),
    );
    assert.ok(counties.size >= 9, `saw ${[...counties].join(',')}`);
    for (const county of counties)
      if (county.trim() !== '') assert.ok(boroughOf(county), `unmapped county ${county}`);
  });

  it('lists five valid boroughs', () => {
    assert.equal(BOROUGHS.length, 5);
    assert.ok(BOROUGHS.every((b) => Borough.is(b)));
  });
});
