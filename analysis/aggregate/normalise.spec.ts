import assert from 'node:assert/strict';

import { cellKey, colourName, precinctKey, readTime, vehicleYearKey } from './normalise.ts';

describe('Analysis > normalising group keys', () => {
  it('reads Violation Times as csv-to-stream does', () => {
    const hour = (raw: string | null) => {
      const t = readTime(raw);
      return t.kind === 'time' ? t.hour : t.kind;
    };
    assert.deepEqual(
      [
        '0752A',
        '1240P',
        '0015A',
        '1215A',
        '0015P',
        '1215P',
        '0930',
        '1930P',
        '',
        '07:52A',
        '2575P',
        null,
      ].map(hour),
      [7, 12, 0, 0, 12, 12, 9, 19, 'missing', 'unreadable', 'unreadable', 'missing'],
    );
    assert.deepEqual(readTime('0930'), { kind: 'time', hour: 9, irregular: 'no_meridiem' });
    assert.deepEqual(readTime('1930P'), { kind: 'time', hour: 19, irregular: 'hour_over_12' });
  });

  it('merges colour spellings and keeps unknown codes as Other', () => {
    assert.deepEqual(
      [
        'GY',
        'GRY',
        'GREY',
        'GRAY',
        'LTGY',
        'BLK',
        'BK',
        'BL',
        'BLUE',
        'WH/BL',
        'SILVE',
        'SL',
        'GRN',
        'XYZ',
      ].map(colourName),
      [
        'Gray',
        'Gray',
        'Gray',
        'Gray',
        'Gray',
        'Black',
        'Black',
        'Blue',
        'Blue',
        'White',
        'Silver',
        'Silver',
        'Green',
        'Other',
      ],
    );
    assert.equal(colourName(' '), undefined);
  });

  it('reads precincts, vehicle years and text cells like the normaliser (empty is unknown)', () => {
    assert.deepEqual(['0033', '14', '0', '', 'x', null].map(precinctKey), [
      33,
      14,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    assert.deepEqual(['2013', '0', '20', '1899', null].map(vehicleYearKey), [
      2013,
      undefined,
      undefined,
      1899,
      undefined,
    ]);
    assert.deepEqual([' toyot ', '\u00a0', null].map(cellKey), ['TOYOT', undefined, undefined]);
  });
});
