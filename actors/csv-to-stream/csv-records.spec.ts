import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';

import {
  type CsvItem,
  FILE_START,
  MAX_RECORD_CHARS,
  type Position,
  readCsv,
} from './csv-records.ts';

const FIXTURES = new URL('../../test/fixtures/nypd/', import.meta.url);

interface Seen {
  readonly kind: CsvItem['kind'];
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly what: string[] | string; // fields, or the broken item's code
  readonly raw: string;
}

const read = async (path: string, from: Position = FILE_START, chunkBytes?: number) => {
  const items: Seen[] = [];
  const nexts: Position[] = [];
  for await (const batch of readCsv(path, from, { chunkBytes })) {
    for (const it of batch.items)
      items.push({
        kind: it.kind,
        line: it.line,
        start: it.start,
        end: it.end,
        what: it.kind === 'record' ? it.fields : it.code,
        raw: batch.raw(it),
      });
    nexts.push(batch.next);
  }
  return { items, nexts };
};

describe('CsvToStream > readCsv', () => {
  let dir: string;
  let n = 0;
  const file = (content: string | Buffer): string => {
    const path = join(dir, `f${n++}.csv`);
    writeFileSync(path, content);
    return path;
  };
  before(() => (dir = mkdtempSync(join(tmpdir(), 'csv-records-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads CRLF, blank lines and quoted line breaks with the physical line where each record starts', async () => {
    const { items } = await read(file('a,b\r\n1,2\r\n\r\n3,"x\r\ny"\r\n4,5'));
    assert.deepEqual(
      items.map((i) => [i.line, i.what, i.raw]),
      [
        [1, ['a', 'b'], 'a,b'],
        [2, ['1', '2'], '1,2'],
        [4, ['3', 'x\r\ny'], '3,"x\r\ny"'],
        [6, ['4', '5'], '4,5'],
      ],
    );
  });

  it('skips a BOM, reads LF and a last record without a line break', async () => {
    const { items, nexts } = await read(file('\ufeffa,b\n1,2\n\n\n3,"x\ny"\n4,5'));
    assert.deepEqual(items[0]!.what, ['a', 'b']);
    assert.deepEqual(
      items.map((i) => i.line),
      [1, 2, 5, 7],
    );
    assert.deepEqual(nexts.at(-1), { byte: 24, line: 7 });
  });

  it('reports a quote still open at the end of the file (a file cut mid-record) as one broken item', async () => {
    const { items } = await read(file('a,b\n1,2\n"3,4"\n5,"6\n7'));
    assert.deepEqual(
      items.map((i) => [i.kind, i.line, i.what, i.raw]),
      [
        ['record', 1, ['a', 'b'], 'a,b'],
        ['record', 2, ['1', '2'], '1,2'],
        ['record', 3, ['3,4'], '"3,4"'], // a whole line in quotes: one field (the caller rejects it)
        ['broken', 4, 'CSV_QUOTE_NOT_CLOSED', '5,"6\n7'],
      ],
    );
  });

  it('breaks off a record over the size limit at its first line and goes on with the next', async () => {
    const { items } = await read(
      file(`a,b\n1,"${'x'.repeat(MAX_RECORD_CHARS)}\n5,6\n7,8\n`),
      FILE_START,
      4096,
    );
    assert.deepEqual(
      items.map((i) => [i.kind, i.line, i.kind === 'broken' ? i.what : i.raw]),
      [
        ['record', 1, 'a,b'],
        ['broken', 2, 'CSV_MAX_RECORD_SIZE'],
        ['record', 3, '5,6'],
        ['record', 4, '7,8'],
      ],
    );
  });

  it('takes a quote inside an unquoted field as a character', async () => {
    const { items } = await read(file('a,b\n1,5" PIPE\n'));
    assert.deepEqual(items[1]!.what, ['1', '5" PIPE']);
  });

  it('reads the real samples: every record on its own line, quoted commas inside fields, CRLF dropped from raw', async () => {
    const fy14 = await read(new URL('fy2014-sample.csv', FIXTURES).pathname);
    assert.equal(fy14.items.length, 5_000);
    assert.ok(
      fy14.items.every((i, n) => i.kind === 'record' && i.line === n + 1 && i.what.length === 51),
    );
    const quoted = fy14.items[10]!;
    assert.equal(quoted.line, 11);
    assert.equal((quoted.what as string[])[24], '760 BROADWAY ,BROOKL');
    assert.equal((quoted.what as string[])[25], 'WOODHULL HOSPITAL');
    const fy17 = await read(new URL('fy2017-sample.csv', FIXTURES).pathname);
    assert.equal(fy17.items.length, 2_100);
    assert.ok(fy17.items.every((i) => i.what.length === 43 && !i.raw.includes('\r')));
  });

  it('gives the same records whatever the chunk size, and resumes exactly from any batch boundary', async () => {
    const sample = readFileSync(new URL('fy2017-sample.csv', FIXTURES))
      .subarray(0, 6_000)
      .toString();
    const pieces = [
      ...sample.split('\r\n').slice(0, 12),
      '',
      '"wrapped,line"',
      '1,"multi\nline",é€,"q""uote"',
      '3,"no\r\nend',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(pieces, { minLength: 1 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.integer({ min: 1, max: 97 }),
        async (lines, eol, bom, chunk) => {
          const path = file(`${bom ? '\ufeff' : ''}${lines.join(eol)}`);
          const whole = await read(path, FILE_START, 1 << 20);
          const small = await read(path, FILE_START, chunk);
          assert.deepEqual(small.items, whole.items);
          for (const next of small.nexts) {
            const tail = await read(path, next, chunk);
            assert.deepEqual(
              tail.items,
              whole.items.filter((i) => i.start >= next.byte),
            );
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
