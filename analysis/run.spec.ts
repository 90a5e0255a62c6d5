/**
 * The whole analysis (DuckDB included) on the real NYPD samples: golden files, an independent count, and the
 * reject reasons on a file holding every kind of bad row. Set UPDATE_GOLDEN=1 to rewrite the golden files after a
 * deliberate change, and review the diff. The page is kept as `index.html.golden`, out of prettier's reach (the CSV
 * files are ignored by name already).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse } from 'csv-parse/sync';

import { DEFAULT_HUMAN_CODES, loadViolationCodes } from '../actors/protocol/index.ts';
import { E } from '../runtime/codec.ts';
import { rWriteCsv } from '../test/helpers/r-write-csv.ts';
import { createEngine } from './engine/duckdb.ts';
import { runAnalysis, type RunResult } from './run.ts';

const FIXTURES = new URL('../test/fixtures/', import.meta.url).pathname;
const SAMPLES = ['nypd/fy2014-sample.csv', 'nypd/fy2017-sample.csv'].map((f) => join(FIXTURES, f));
const GOLDEN = join(FIXTURES, 'analysis', 'golden');
const goldenName = (file: string): string => (file.endsWith('.html') ? `${file}.golden` : file);
const codes = (() => {
  const t = loadViolationCodes();
  if (E.isLeft(t)) throw new Error(t.left.issues.join('\n'));
  return t.right;
})();

const analyse = async (files: ReadonlyArray<string>): Promise<RunResult> => {
  const workDir = mkdtempSync(join(tmpdir(), 'analysis-spec-'));
  const engine = await createEngine({ workDir });
  try {
    return await runAnalysis(
      { nypdFiles: files, codes, humanCodes: DEFAULT_HUMAN_CODES, today: '2026-11-27', top: 50 },
      { engine, progress: () => undefined },
    );
  } finally {
    engine.close();
    rmSync(workDir, { recursive: true, force: true });
  }
};

describe('Analysis > the real NYPD samples', function () {
  this.timeout(30_000);
  let result: RunResult;
  before(async () => {
    // Paths in the report are as given: make them relative, so the golden files do not depend on the checkout.
    const cwd = process.cwd();
    process.chdir(FIXTURES);
    try {
      result = await analyse(SAMPLES.map((f) => f.slice(FIXTURES.length)));
    } finally {
      process.chdir(cwd);
    }
  });

  it('writes the report the golden files hold', () => {
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(GOLDEN, { recursive: true });
      for (const f of readdirSync(GOLDEN)) rmSync(join(GOLDEN, f));
      for (const [name, content] of result.files)
        writeFileSync(join(GOLDEN, goldenName(name)), content);
    }
    assert.deepEqual([...result.files.keys()].map(goldenName).sort(), readdirSync(GOLDEN).sort());
    for (const [name, content] of result.files)
      assert.equal(
        content,
        readFileSync(join(GOLDEN, goldenName(name)), 'utf8'),
        `${name} differs from its golden file`,
      );
  });

  it('counts by code equal a plain count of the files', () => {
    const plain = new Map<string, number>();
    for (const file of SAMPLES) {
      const [header, ...rows]: string[][] = parse(readFileSync(file), {
        bom: true,
        relax_column_count: true,
      });
      const at = header!.findIndex((h) => h.trim() === 'Violation Code');
      for (const row of rows) plain.set(row[at]!.trim(), (plain.get(row[at]!.trim()) ?? 0) + 1);
    }
    const csv: Array<Record<string, string>> = parse(result.files.get('violations_by_code.csv')!, {
      columns: true,
    });
    assert.deepEqual(
      new Map(csv.map((r) => [r.violation_code!, Number(r.tickets)])),
      new Map([...plain].map(([c, n]) => [String(Number(c)), n])),
    );
    assert.equal(result.counts.dedup.duplicatedIds, 0); // so nothing was dropped between the two counts
  });

  it('reads every row of both layouts (51 and 43 columns)', () => {
    assert.deepEqual(
      result.counts.sources.map((s) => [s.rowsRead, s.accepted, s.rejected]),
      [
        [4_999, 4_999, 0],
        [2_099, 2_099, 0],
      ],
    );
  });
});

describe('Analysis > every kind of bad row', function () {
  this.timeout(30_000);

  it('rejects and deduplicates as csv-to-stream does', async () => {
    const { counts } = await analyse([join(FIXTURES, 'analysis', 'edge-cases.csv')]);
    const [source] = counts.sources;
    assert.deepEqual([source?.rowsRead, source?.accepted, source?.rejected], [35, 25, 10]);
    assert.deepEqual(source?.rejectsByReason, {
      csv_syntax: 1,
      field_count: 2,
      issue_date_missing: 1,
      issue_date_unparseable: 2,
      summons_number_malformed: 1,
      summons_number_missing: 1,
      violation_code_missing: 1,
      violation_code_not_numeric: 1,
    });
    assert.deepEqual(counts.dedup, { duplicatedIds: 1, droppedCopies: 1, conflictingIds: 0 });
  });
});

describe('Analysis > files re-saved by R (write.csv: R names, row names, NA)', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'analysis-r-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  /** `name` (under the fixtures) as R re-saves it, under the same relative name in `dir`. */
  const resave = async (name: string): Promise<void> => {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), await rWriteCsv(join(FIXTURES, name)));
  };

  it('writes the report of the files they came from: the golden files', async () => {
    const names = SAMPLES.map((f) => f.slice(FIXTURES.length));
    for (const name of names) await resave(name);
    const cwd = process.cwd();
    process.chdir(dir);
    let result: RunResult;
    try {
      result = await analyse(names);
    } finally {
      process.chdir(cwd);
    }
    for (const [name, content] of result.files)
      assert.equal(content, readFileSync(join(GOLDEN, goldenName(name)), 'utf8'), name);
  });

  it('rejects, counts and reports every kind of bad row as in the file it came from', async () => {
    const name = join('analysis', 'edge-cases.csv');
    await resave(name);
    const raw = join(FIXTURES, name);
    const [ours, theirs] = [await analyse([join(dir, name)]), await analyse([raw])];
    assert.deepEqual(
      ours.counts.sources[0]?.rejectsByReason,
      theirs.counts.sources[0]?.rejectsByReason,
    );
    for (const [file, content] of theirs.files)
      assert.equal(ours.files.get(file)?.replaceAll(join(dir, name), raw), content, file);
  });
});
