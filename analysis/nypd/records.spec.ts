import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse } from 'csv-parse/sync';
import fc from 'fast-check';

import { countCsvRecords } from './records.ts';

/** csv-to-stream's parser settings (actors/csv-to-stream/csv-records.ts). */
const csvParseCount = (text: string): number =>
  (
    parse(text, {
      bom: true,
      record_delimiter: ['\r\n', '\n'],
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    }) as unknown[]
  ).length - 1;

describe('NYPD records > countCsvRecords', () => {
  const dir = mkdtempSync(join(tmpdir(), 'records-spec-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const count = async (text: string, chunkBytes?: number) => {
    const file = join(dir, `f${n++}.csv`);
    writeFileSync(file, text);
    return countCsvRecords(file, undefined, chunkBytes === undefined ? {} : { chunkBytes });
  };

  it('counts data records: header excluded, CRLF or LF, BOM, blank lines, no final newline', async () => {
    assert.equal((await count('a,b\r\n1,2\r\n\r\n3,4')).records, 2);
    assert.equal((await count('\ufeffa,b\n1,2\n\n\n3,4\n')).records, 2);
    assert.equal((await count('a,b\n')).records, 0);
    assert.equal((await count('')).records, 0);
  });

  it('keeps quoted commas and line breaks inside one record', async () => {
    const r = await count('a,b\n1,"x,\ny"\n2,"say ""hi"""\n');
    assert.deepEqual([r.records, r.broken, r.irregularQuotes], [2, 0, 0]);
  });

  it('counts a quote mid-field as a character, as csv-parse with relax_quotes does', async () => {
    assert.equal((await count('a,b\n1,5" PIPE\n2,x\n')).records, 2);
  });

  it('reports a quote still open at the end of the file as one broken record', async () => {
    const r = await count('a,b\n1,2\n3,"cut\n4,5');
    assert.deepEqual([r.records, r.broken, r.brokenMidFile], [2, 1, false]);
  });

  it('notes closing quotes followed by text, which DuckDB reads differently', async () => {
    const r = await count('a,b\n1,"q"z\n2,3\n');
    assert.deepEqual([r.records, r.irregularQuotes], [2, 1]);
  });

  it('agrees with csv-parse on any file, whatever the read window (property)', async () => {
    const cell = fc.oneof(
      fc.constantFrom('', 'x', '12', ' a b ', '5" PIPE', '"q"', 'a,b', 'l1\nl2', 'l1\r\nl2', '""'),
      fc.string({ maxLength: 6 }).map((s) => s.replace(/[\r"]/g, '')),
    );
    const field = cell.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c));
    const record = fc.array(field, { minLength: 1, maxLength: 4 }).map((fs) => fs.join(','));
    const file = fc.record({
      records: fc.array(fc.oneof(record, fc.constant('')), { maxLength: 12 }),
      eol: fc.constantFrom('\n', '\r\n'),
      bom: fc.boolean(),
      finalEol: fc.boolean(),
      chunk: fc.integer({ min: 2, max: 64 }),
    });
    await fc.assert(
      fc.asyncProperty(file, async (f) => {
        const text =
          (f.bom ? '\ufeff' : '') + ['h1,h2', ...f.records].join(f.eol) + (f.finalEol ? f.eol : '');
        const expected = Math.max(0, csvParseCount(text));
        assert.equal((await count(text, f.chunk)).records, expected, JSON.stringify(text));
      }),
      { numRuns: 300 },
    );
  });
});
