import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_HUMAN_CODES, loadViolationCodes } from '../../actors/protocol/index.ts';
import { E } from '../../runtime/codec.ts';
import { runAnalysis } from '../run.ts';
import { createEngine } from './duckdb.ts';

const HEADER = 'Summons Number,Issue Date,Violation Code,Violation County,Street Name';

describe('Analysis > deduplication across sources', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'dedup-spec-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('counts each summons once: identical copies merge, differing ones keep one copy, sources stay as read', async () => {
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    writeFileSync(a, `${HEADER}\n1001,01/02/2017,21,NY,W 42 ST\n1002,01/02/2017,38,K,BROADWAY\n`);
    writeFileSync(
      b,
      `${HEADER}\n1002,01/02/2017,38,K,BROADWAY \n1003,01/03/2017,14,Q,MAIN ST\n1001,01/02/2017,46,NY,W 42 ST\n1003,01/03/2017,14,Q,MAIN ST\n`,
    );
    const codes = loadViolationCodes();
    if (E.isLeft(codes)) throw new Error(codes.left.issues.join());
    const engine = await createEngine({ workDir: join(dir, 'work') });
    const { counts, report } = await runAnalysis(
      {
        nypdFiles: [a, b],
        codes: codes.right,
        humanCodes: DEFAULT_HUMAN_CODES,
        today: '2026-11-27',
        top: 10,
      },
      { engine, progress: () => undefined },
    ).finally(() => engine.close());
    assert.deepEqual(
      counts.sources.map((s) => s.accepted),
      [2, 4],
    );
    // 1001: two codes (a conflict); 1002: a trailing space (the same once trimmed); 1003: the same row twice.
    assert.deepEqual(counts.dedup, { duplicatedIds: 3, droppedCopies: 3, conflictingIds: 1 });
    const byCode = report.tables.find((t) => t.file === 'violations_by_code.csv')!;
    const tickets = new Map(byCode.rows.map((r) => [r.violation_code, Number(r.tickets)]));
    assert.equal(tickets.get(38), 1); // "BROADWAY " and "BROADWAY": one ticket, written two ways
    assert.equal(tickets.get(14), 1);
    assert.equal((tickets.get(21) ?? 0) + (tickets.get(46) ?? 0), 1); // one of the two differing copies
    assert.equal(byCode.total?.value, 3);
    for (const t of report.tables.filter((x) => x.total !== undefined))
      assert.equal(
        t.rows.reduce(
          (s, r) =>
            s + (typeof r[t.total!.column] === 'number' ? (r[t.total!.column] as number) : 0),
          0,
        ),
        t.total!.value,
        t.file,
      );
  });
});
