import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_HUMAN_CODES, loadViolationCodes } from '../../actors/protocol/index.ts';
import { E } from '../../runtime/codec.ts';
import { ndjsonGz } from '../../test/helpers/archive.ts';
import { archivedTicket } from '../../test/helpers/messages.ts';
import { createEngine } from '../engine/duckdb.ts';
import type { ArchiveCache } from '../load/archive-cache.ts';
import { runAnalysis } from '../run.ts';

describe('Analysis > archived NYPD tickets', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'archive-spec-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads them like file rows, and counts a ticket in both a file and the archive once', async () => {
    const batch = (name: string, lines: unknown[]) => {
      const file = join(dir, `${name}.ndjson.gz`);
      writeFileSync(file, ndjsonGz(lines));
      return file;
    };
    const files = [
      batch('a', [archivedTicket('1001'), archivedTicket('1002', { violationCode: undefined })]), // 1002: no code
      batch('b', [archivedTicket('1001'), { type: 'nypd.ticket', v: 1, id: 'nypd:9' }]),
    ];
    const csv = join(dir, 'fy2017.csv');
    writeFileSync(
      csv,
      'Summons Number,Issue Date,Violation Code,Violation County\n1001,03/04/2017,21,NY\n1003,03/04/2017,38,K\n',
    );
    const archive: ArchiveCache = {
      sync: (type) => Promise.resolve({ ndjson: type === 'nypd.ticket' ? files : [], parquet: [] }),
    };
    const codes = loadViolationCodes();
    if (E.isLeft(codes)) throw new Error(codes.left.issues.join());
    const engine = await createEngine({ workDir: join(dir, 'work') });
    const { counts, report } = await runAnalysis(
      {
        nypdFiles: [csv],
        codes: codes.right,
        humanCodes: DEFAULT_HUMAN_CODES,
        today: '2026-11-27',
        top: 10,
      },
      { engine, progress: () => undefined, archive },
    ).finally(() => engine.close());
    const [file, archived] = counts.sources;
    assert.deepEqual(
      [file?.accepted, archived?.kind, archived?.accepted, archived?.rejectsByReason],
      [2, 'archive', 3, { undecodable: 1 }],
    );
    assert.deepEqual(counts.dedup, { duplicatedIds: 1, droppedCopies: 2, conflictingIds: 0 });
    const byCode = report.tables.find((t) => t.file === 'violations_by_code.csv')!;
    assert.deepEqual(
      byCode.rows.map((r) => [r.violation_code, r.tickets]),
      [
        [21, 1],
        [38, 1],
        [null, 1],
      ],
    );
  });
});
