import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { E } from '../../runtime/codec.ts';
import { makeNames, R_HAND_MADE, rDouble, rWriteCsv } from '../../test/helpers/r-write-csv.ts';
import { NYPD_LAYOUT_43, NYPD_LAYOUT_51, nypdLayoutOf } from '../protocol/index.ts';
import type { NypdTicket } from '../protocol/nypd-ticket.ts';
import { decideBatches, ticketAt } from './decide.ts';
import { prepareInputs } from './inputs.ts';
import { fiscalYearOf, plausibleIssueDates } from './normalise.ts';
import { clearMissing, fromRNumber } from './r-style.ts';
import { emptyTally } from './tally.ts';

const FIXTURES = new URL('../../test/fixtures/', import.meta.url).pathname;

/** Every ticket, reject and count csv-to-stream decides for a file (`sourceFile` left out: the names differ). */
const decideFile = async (path: string) => {
  const [input] = await prepareInputs([path]);
  const tickets: Array<Omit<NypdTicket, 'sourceFile'>> = [];
  const rejects: Array<{ line: number; reason: string; detail: string }> = [];
  let tally = emptyTally();
  for await (const b of decideBatches({
    path,
    layout: input!.layout,
    from: input!.afterHeader,
    tally,
    plausibleIssueDates: plausibleIssueDates(fiscalYearOf(basename(path)), '2026-01-01'),
    chunkBytes: 16 * 1024,
    encode: true,
  })) {
    for (let i = 0; i < b.tickets.ends.length; i++) {
      const { sourceFile: _, ...t } = JSON.parse(
        Buffer.from(ticketAt(b.tickets, i)).toString(),
      ) as NypdTicket;
      tickets.push(t);
    }
    // A record of another width says so with the file's own width, one more in R's (the row names).
    for (const r of b.rejects)
      rejects.push({
        line: r.line,
        reason: r.reason,
        detail: r.reason === 'field_count' ? '' : r.detail,
      });
    tally = b.tally;
  }
  return { layout: input!.layout, tickets, rejects, tally };
};

/** Equal lists, a difference shown as its first item (a diff of thousands of tickets takes minutes). */
const sameItems = <A>(ours: ReadonlyArray<A>, theirs: ReadonlyArray<A>): void => {
  const at = ours.findIndex((a, i) => JSON.stringify(a) !== JSON.stringify(theirs[i]));
  if (at >= 0) assert.deepEqual(ours[at], theirs[at], `item ${at}`);
  assert.equal(ours.length, theirs.length);
};

const right = <A>(e: E.Either<string[], A>): A => {
  if (E.isLeft(e)) assert.fail(e.left.join('; '));
  return e.right;
};

describe('CsvToStream > files re-saved by R (write.csv)', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'csv-r-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads R names (dots, a row-names column, a BOM R kept) as the published layouts', () => {
    const r43 = right(nypdLayoutOf(['', ...makeNames(NYPD_LAYOUT_43)]));
    assert.deepEqual([r43.kind, r43.width, r43.rStyle], ['43', 44, true]);
    assert.equal(r43.at.summonsNumber, 1);
    assert.equal(r43.at.violationDescription, 40);
    const r51 = right(nypdLayoutOf(['', ...makeNames(NYPD_LAYOUT_51)]));
    assert.deepEqual([r51.kind, r51.width, r51.rStyle], ['51', 52, true]);
    assert.ok(makeNames(NYPD_LAYOUT_51).includes('Unregistered.Vehicle.'));
    for (const bom of ['X.U.FEFF.', 'ï..']) {
      const names = makeNames(NYPD_LAYOUT_43);
      const l = right(nypdLayoutOf([`${bom}${names[0]}`, ...names.slice(1)])); // row.names = FALSE
      assert.deepEqual([l.kind, l.width, l.rStyle, l.at.summonsNumber], ['43', 43, true, 0]);
    }
    // NYPD's own names are not R's, even in a subset; a pandas index column ("") is just ignored.
    assert.equal(right(nypdLayoutOf(NYPD_LAYOUT_43)).rStyle, undefined);
    const pandas = right(nypdLayoutOf(['', 'Summons Number', 'Issue Date', 'Violation Code']));
    assert.deepEqual(
      [pandas.kind, pandas.rStyle, pandas.at.summonsNumber],
      ['subset', undefined, 1],
    );
  });

  it('takes an unquoted NA for a missing value and a quoted "NA" for the text NA', () => {
    const text = Buffer.from('"7",NA,"NA","a ""NA"" b",NA,"x"\n');
    const fields = ['7', 'NA', 'NA', 'a "NA" b', 'NA', 'x'];
    assert.deepEqual(clearMissing(fields, [1, 2, 3, 4, 5], text, 0, text.length), [
      '7',
      '',
      'NA',
      'a "NA" b',
      '',
      'x',
    ]);
    const plain = Buffer.from('"7",NA,NA\n');
    assert.deepEqual(clearMissing(['7', 'NA', 'NA'], [2], plain, 0, plain.length), ['7', 'NA', '']);
    const none = ['7', 'x'];
    assert.equal(clearMissing(none, [0, 1], plain, 0, plain.length), none, 'untouched: no copy');
  });

  it('reads a summons number R wrote in scientific notation, exactly', () => {
    assert.equal(fromRNumber('1.4e+09'), '1400000000');
    assert.equal(fromRNumber('8.00253e+09'), '8002530000');
    assert.equal(fromRNumber('5e+19'), '50000000000000000000');
    assert.equal(rDouble('1400000000'), '1.4e+09');
    assert.equal(rDouble('8002531292'), '8002531292');
    assert.equal(rDouble('100000'), '1e+05');
    assert.equal(rDouble('10000'), '10000');
    for (const no of ['1.5e-01', '1.45e+01', '5e+20', '1.4E+09', '14e+08', 'NA'])
      assert.equal(fromRNumber(no), undefined, no);
  });

  it('decides an R file by hand: NA missing, "NA" text, 1.4e+09, quoted numbers as text', async () => {
    const path = join(dir, 'fy2017-hand.csv');
    writeFileSync(path, R_HAND_MADE);
    const { tickets, rejects, layout } = await decideFile(path);
    assert.equal(layout.rStyle, true);
    assert.deepEqual(
      tickets.map((t) => [t.summonsNumber, t.id, t.plateId, t.violationPrecinct]),
      [
        ['1400000000', 'nypd:1400000000', 'NA', undefined],
        ['8002531292', 'nypd:8002531292', undefined, 14],
        // R quotes text only: a quoted 1.4e+09 is text, but the normaliser cannot tell once parsed.
        ['1400000000', 'nypd:1400000000', 'X', 14],
      ],
    );
    assert.deepEqual(
      rejects.map((r) => [r.line, r.reason]),
      [
        [4, 'summons_number_missing'],
        [5, 'violation_code_not_numeric'],
        [6, 'issue_date_missing'],
      ],
    );
  });

  for (const name of [
    'nypd/fy2014-sample.csv',
    'nypd/fy2017-sample.csv',
    'analysis/edge-cases.csv',
  ])
    it(`decides ${name} re-saved by R as the file itself: tickets, ids, rejects, counts`, async () => {
      const raw = join(FIXTURES, name);
      const saved = join(dir, basename(name).replace(/\.csv$/, '-r.csv'));
      writeFileSync(saved, await rWriteCsv(raw));
      const text = readFileSync(saved, 'utf8');
      assert.match(text, /^"","(X\.U\.FEFF\.)?Summons\.Number","Plate\.ID",/);
      assert.match(text, /,NA,/, 'missing values written as NA');
      const [ours, theirs] = await Promise.all([decideFile(saved), decideFile(raw)]);
      assert.equal(ours.layout.kind, theirs.layout.kind);
      assert.equal(ours.layout.rStyle, true);
      assert.deepEqual(ours.tally, theirs.tally);
      sameItems(ours.tickets, theirs.tickets);
      sameItems(ours.rejects, theirs.rejects);
    });
});
