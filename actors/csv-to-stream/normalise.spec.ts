import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { parse } from 'csv-parse/sync';
import fc from 'fast-check';

import { sameBytes } from '../../runtime/bus/encoded.ts';
import { E } from '../../runtime/codec.ts';
import { EXAMPLE_NYPD_TICKET } from '../../test/helpers/messages.ts';
import { NYPD_LAYOUT_43, type NypdLayout, nypdLayoutOf } from '../protocol/index.ts';
import { NypdTicket, nypdTicketEncoding } from '../protocol/nypd-ticket.ts';
import {
  type FindingKind,
  fiscalYearOf,
  normaliseRow,
  plausibleIssueDates,
  type RowVerdict,
} from './normalise.ts';

const fixture = (name: string): string[][] =>
  parse(readFileSync(new URL(`../../test/fixtures/nypd/${name}`, import.meta.url)), {
    relax_column_count: true,
  });
const layoutFor = (header: ReadonlyArray<string>): NypdLayout =>
  E.getOrElseW((e: string[]) => assert.fail(e.join()))(nypdLayoutOf(header));

const layout43 = layoutFor(NYPD_LAYOUT_43);
const col = (name: string) => NYPD_LAYOUT_43.indexOf(name);
// A real FY2017 row: 5092469481, 07/10/2016, code 7, 0143A, BX.
const [, template] = fixture('fy2017-sample.csv') as [string[], string[]];
const row = (changes: Record<string, string> = {}): string[] => {
  const r = [...template];
  for (const [name, value] of Object.entries(changes)) r[col(name)] = value;
  return r;
};
const accepted = (v: RowVerdict) => {
  if (!v.ok) assert.fail(`rejected: ${v.reason} (${v.detail})`);
  return v;
};
const findingsOf = (changes: Record<string, string>): ReadonlyArray<FindingKind> =>
  accepted(
    normaliseRow(row(changes), layout43, {
      plausibleIssueDates: plausibleIssueDates(2017, '2026-01-01'),
    }),
  ).findings;
const viaJson = (t: NypdTicket) => NypdTicket.decode(JSON.parse(JSON.stringify(t)));

describe('CsvToStream > normaliseRow', () => {
  it('accepts every row of both real samples as a ticket (that decodes), id from the summons number', () => {
    for (const name of ['fy2014-sample.csv', 'fy2017-sample.csv']) {
      const [header, ...rows] = fixture(name);
      const layout = layoutFor(header!);
      assert.equal(rows.length, name.startsWith('fy2014') ? 4_999 : 2_099);
      for (const [i, fields] of rows.entries()) {
        const { ticket } = accepted(
          normaliseRow(fields, layout, { sourceFile: name, sourceLine: i + 2 }),
        );
        assert.equal(ticket.id, `nypd:${fields[0]}`);
        // io-ts decoding is slow: every 10th row, and the property below covers every path.
        if (i % 10 === 0) assert.ok(E.isRight(viaJson(ticket)), `${name} row ${i + 2}`);
      }
    }
  });

  it('normalises a real row: NY time with offset, numbers, trimmed text, borough, no empty keys', () => {
    const [header, first] = fixture('fy2014-sample.csv');
    const { ticket, findings } = accepted(
      normaliseRow(first!, layoutFor(header!), { sourceFile: 'fy2014-sample.csv', sourceLine: 2 }),
    );
    assert.deepEqual(JSON.parse(JSON.stringify(ticket)), {
      ...EXAMPLE_NYPD_TICKET,
      plateType: 'PAS',
      vehicleMake: 'AUDI',
      vehicleBodyType: 'SUBN',
      vehicleColor: 'GY',
      vehicleYear: 2013,
      violationPrecinct: 33,
      issuerPrecinct: 33,
      streetName: 'W 175 ST',
      houseNumber: '712',
      issuingAgency: 'P',
      lawSection: 408,
      subDivision: 'F1',
      violationTime: '0752A',
      sourceFile: 'fy2014-sample.csv',
      sourceLine: 2,
    });
    assert.deepEqual(findings, ['county_missing']);
  });

  it('maps both county code sets to boroughs and keeps the raw code', () => {
    for (const [county, borough] of [
      ['K', 'Brooklyn'],
      ['BK', 'Brooklyn'],
      ['NY', 'Manhattan'],
      ['MN', 'Manhattan'],
      ['Q', 'Queens'],
      ['QN', 'Queens'],
      ['BX', 'Bronx'],
      ['R', 'Staten Island'],
      ['ST', 'Staten Island'],
    ]) {
      const { ticket } = accepted(
        normaliseRow(row({ 'Violation County': ` ${county} ` }), layout43),
      );
      assert.equal(ticket.borough, borough);
      assert.equal(ticket.violationCounty, county);
    }
  });

  it('rejects only what cannot be a ticket, with a reason and a detail', () => {
    const cases: Array<[string[], string, string]> = [
      [[template.join(',')], 'field_count', 'expected 43 fields, got 1'],
      [[...template, ''], 'field_count', 'expected 43 fields, got 44'],
      [row({ 'Summons Number': ' ' }), 'summons_number_missing', 'Summons Number is empty'],
      [
        row({ 'Summons Number': '1.28E+09' }),
        'summons_number_malformed',
        'Summons Number "1.28E+09"',
      ],
      [row({ 'Issue Date': '' }), 'issue_date_missing', 'Issue Date is empty'],
      [row({ 'Issue Date': '02/30/2017' }), 'issue_date_unparseable', 'Issue Date "02/30/2017"'],
      [row({ 'Violation Code': '' }), 'violation_code_missing', 'Violation Code is empty'],
      [row({ 'Violation Code': '37-38' }), 'violation_code_not_numeric', 'Violation Code "37-38"'],
    ];
    for (const [fields, reason, detail] of cases)
      assert.deepEqual(normaliseRow(fields, layout43), { ok: false, reason, detail });
  });

  it('accepts well-formed but doubtful values and reports them as findings', () => {
    assert.deepEqual(findingsOf({}), []);
    assert.deepEqual(findingsOf({ 'Registration State': '99', 'Plate Type': '999' }), [
      'registration_state_99',
      'plate_type_999',
    ]);
    assert.deepEqual(findingsOf({ 'Violation County': '' }), ['county_missing']);
    assert.deepEqual(findingsOf({ 'Violation County': 'NYC' }), ['county_unknown']);
    assert.deepEqual(findingsOf({ 'Violation Time': '' }), ['violation_time_missing']);
    assert.deepEqual(findingsOf({ 'Violation Time': '07.52A' }), ['violation_time_unreadable']);
    assert.deepEqual(findingsOf({ 'Violation Time': '0752' }), ['violation_time_no_meridiem']);
    assert.deepEqual(findingsOf({ 'Violation Time': '1530P' }), ['violation_time_hour_over_12']);
    assert.deepEqual(findingsOf({ 'Issue Date': '03/12/2017', 'Violation Time': '0230A' }), [
      'issue_time_in_dst_gap',
    ]);
    assert.deepEqual(findingsOf({ 'Issue Date': '07/10/2031' }), ['issue_date_implausible']);
    assert.deepEqual(findingsOf({ 'Violation Code': '0' }), ['violation_code_out_of_range']);
    assert.deepEqual(findingsOf({ 'Vehicle Year': '2069' }), ['vehicle_year_implausible']);
    assert.deepEqual(findingsOf({ 'Violation Precinct': 'A1' }), ['number_unreadable']);
    assert.deepEqual(findingsOf({ 'Plate ID': 'GEL\u00a01890.00' }), ['non_ascii_text']);
  });

  it('leaves out what a finding makes unusable, and keeps the rest as written', () => {
    const { ticket } = accepted(
      normaliseRow(
        row({
          'Violation Code': '0',
          'Vehicle Year': '0',
          'Violation Precinct': 'A1',
          'Plate ID': 'GEL\u00a01890.00',
          'House Number': 'Jul-40',
        }),
        layout43,
      ),
    );
    assert.equal(ticket.violationCode, undefined);
    assert.equal(ticket.vehicleYear, undefined);
    assert.equal(ticket.violationPrecinct, undefined);
    assert.equal(ticket.plateId, 'GEL\u00a01890.00');
    assert.equal(ticket.houseNumber, 'Jul-40');
  });

  it('reads a subset export: only the required columns', () => {
    const layout = layoutFor(['Summons Number', 'Issue Date', 'Violation Code']);
    const { ticket, findings } = accepted(normaliseRow(['123', '01/02/2017', '21'], layout));
    assert.deepEqual(JSON.parse(JSON.stringify(ticket)), {
      type: 'nypd.ticket', v: 1, id: 'nypd:123', summonsNumber: '123',
      issuedAt: '2017-01-02T00:00:00-05:00', issueDate: '2017-01-02', violationCode: 21,
    }); // prettier-ignore
    assert.deepEqual(findings, ['violation_time_missing', 'county_missing']);
  });

  it('decides any row the same way twice, accepts exactly the rows the rules allow, and every ticket decodes', () => {
    const cell = (...real: string[]) =>
      fc.oneof(fc.constantFrom(...real, '', ' '), fc.string({ maxLength: 12 }));
    const arbRow = fc.record({
      'Summons Number': cell('1283294138', '0000000001', '12345678901234567890'),
      'Issue Date': cell('08/04/2013', '2/29/2016', '02/29/2017', '2013-08-04', '12/31/9999'),
      'Violation Code': cell('21', '0', '99', '100', '07'),
      'Violation Time': cell('0752A', '1215A', '0015P', '0230A', '2359', '1530P'),
      'Violation County': cell('K', 'BK', 'NYC', 'ST'),
      'Vehicle Year': cell('0', '2013', '1899', '20'),
      'Violation Precinct': cell('0033', '114', 'x'),
      'Plate ID': cell('GBB9093', 'GEL\u00a01890.00'),
      'Street Name': cell('"760 BROADWAY ,BROOKL"', 'W 175 ST'),
    });
    fc.assert(
      fc.property(arbRow, fc.boolean(), (changes, wrap) => {
        const fields = wrap ? [row(changes).join(',')] : row(changes);
        const v = normaliseRow(fields, layout43, { sourceLine: 7 });
        assert.deepEqual(normaliseRow(fields, layout43, { sourceLine: 7 }), v);
        const summons = changes['Summons Number'].trim();
        const date = changes['Issue Date'].trim();
        const code = changes['Violation Code'].trim();
        const expected = wrap
          ? 'field_count'
          : summons === '' ? 'summons_number_missing'
          : !/^\d{1,20}$/.test(summons) ? 'summons_number_malformed'
          : date === '' ? 'issue_date_missing'
          : !isRealDay(date) ? 'issue_date_unparseable'
          : code === '' ? 'violation_code_missing'
          : !/^\d+$/.test(code) ? 'violation_code_not_numeric'
          : undefined; // prettier-ignore
        assert.equal(v.ok ? undefined : v.reason, expected);
        if (v.ok) {
          assert.ok(E.isRight(viaJson(v.ticket)), JSON.stringify(v.ticket));
          assert.ok(sameBytes(nypdTicketEncoding, [v.ticket]), JSON.stringify(v.ticket)); // the fast path's bytes
          assert.equal(v.ticket.id, `nypd:${summons}`);
          const json = JSON.stringify(v.ticket);
          assert.ok(!/:""|:null/.test(json), json); // empty strings are absent, never ""
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it('knows the plausible window and fiscal years from file names', () => {
    assert.deepEqual(plausibleIssueDates(2014, '2026-05-01'), {
      from: '2012-07-01',
      to: '2015-06-30',
    });
    assert.deepEqual(plausibleIssueDates(undefined, '2026-05-01'), {
      from: '1990-01-01',
      to: '2027-05-01',
    });
    assert.equal(fiscalYearOf('fy2014-sample.csv'), 2014);
    assert.equal(fiscalYearOf('Parking_Violations_Issued_-_Fiscal_Year_2017.csv'), 2017);
    assert.equal(fiscalYearOf('tickets-2017.csv'), undefined);
  });
});

/** An independent oracle for the Issue Date rule: MM/DD/YYYY or YYYY-MM-DD naming a real day in years 1-9999. */
const isRealDay = (s: string): boolean => {
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const [y, m, d] = us
    ? [+us[3]!, +us[1]!, +us[2]!]
    : iso
      ? [+iso[1]!, +iso[2]!, +iso[3]!]
      : [0, 0, 0];
  if (y < 1) return false;
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};
