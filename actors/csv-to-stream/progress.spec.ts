import assert from 'node:assert/strict';

import type { ImportProgress } from './importer.ts';
import { createProgressReporter, progressBar, progressFigures } from './progress.ts';

const p = (over: Partial<ImportProgress> = {}): ImportProgress => ({
  file: 'fy2017.csv',
  fileIndex: 0,
  fileCount: 1,
  bytesDone: 80_000_000,
  bytesTotal: 200_000_000,
  bytesThisRun: 40_000_000,
  rowsThisRun: 200_000,
  rowsRead: 420_000,
  elapsedMs: 4_000,
  ...over,
});

describe('CsvToStream > progress', () => {
  it('rates and ETA come from this run only (a resumed run did not read the rest)', () => {
    assert.deepEqual(progressFigures(p()), {
      percent: 40,
      rowsPerSec: 50_000,
      mbDone: 80,
      mbTotal: 200,
      etaSec: 12,
    });
    assert.equal(progressFigures(p({ elapsedMs: 0 })).etaSec, null);
  });

  it('draws one bar line: rows, MB, rows/s, ETA, file', () => {
    assert.equal(
      progressBar(p()),
      '[########------------]  40% | 420,000 rows | 80.0/200.0 MB | 50,000 rows/s | ETA 0:12 | fy2017.csv',
    );
  });

  it('redraws a terminal at most every 200 ms and clears it at the end; logs every few seconds otherwise', () => {
    let now = 0;
    const out: string[] = [];
    const logged: Array<Record<string, unknown>> = [];
    const tty = createProgressReporter(
      { write: (s) => out.push(s), columns: 40 },
      (f) => logged.push(f),
      () => now,
    );
    tty.update(p());
    now = 100;
    tty.update(p());
    now = 300;
    tty.update(p());
    tty.end();
    assert.equal(out.length, 3);
    assert.ok(out[0]!.startsWith('\r\x1b[K[') && out[0]!.length <= 6 + 39);
    assert.equal(out[2], '\r\x1b[K');
    const pipe = createProgressReporter(
      undefined,
      (f) => logged.push(f),
      () => now,
      5_000,
    );
    pipe.update(p());
    now = 2_000;
    pipe.update(p());
    assert.deepEqual(logged, [
      { file: 'fy2017.csv', rows: 420_000, mb: 80, percent: 40, rowsPerSec: 50_000, etaSec: 12 },
    ]);
  });
});
