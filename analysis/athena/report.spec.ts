/**
 * The Athena path end to end without an account: a runner standing in for Athena answers each statistic with the
 * rows DuckDB gives for the same statistic over the same relations, as text (as GetQueryResults returns every
 * value), and the report written from them equals the DuckDB report. What the stand-in cannot show (Athena's own
 * engine, the Glue tables, the views' text) is listed in analysis/README.md.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { arbAlarmRaised, arbSequencedDroneMessage } from '../../actors/protocol/arb.ts';
import {
  DEFAULT_HUMAN_CODES,
  loadViolationCodes,
  toAlarmResolved,
} from '../../actors/protocol/index.ts';
import { arbNypdTicket } from '../../actors/protocol/nypd-ticket.arb.ts';
import { E } from '../../runtime/codec.ts';
import { sampleDistinct } from '../../test/helpers/sample.ts';
import { createEngine, type Engine } from '../engine/duckdb.ts';
import { runAnalysis } from '../run.ts';
import { duckdb } from '../sql/dialect.ts';
import { STATISTICS } from '../statistics.ts';
import { athenaReport, reportDifferences } from './report.ts';
import type { AthenaRunner, QueryOutcome } from './runner.ts';

const codes = (() => {
  const t = loadViolationCodes();
  if (E.isLeft(t)) throw new Error(t.left.issues.join('\n'));
  return t.right;
})();
const params = { humanCodes: DEFAULT_HUMAN_CODES, top: 10 };

/** Athena as DuckDB: each statistic's DuckDB text, every value as text or NULL. */
const duckdbAsAthena = (engine: Engine): AthenaRunner => {
  const done: QueryOutcome[] = [];
  return {
    run: async (name, _sql, kind) => {
      const s = STATISTICS.find((x) => x.name === name);
      const rows =
        kind === 'ddl' || s === undefined
          ? []
          : (await engine.all(s.sql(duckdb, params))).map((r) =>
              Object.fromEntries(
                Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)]),
              ),
            );
      const out = { name, queryExecutionId: name, rows, bytesScanned: 0, cost: 0 };
      done.push(out);
      return out;
    },
    outcomes: () => done,
  };
};

const json = (x: unknown) => JSON.stringify(x);
const items = (list: ReadonlyArray<unknown>): AsyncIterable<unknown> =>
  (async function* () {
    await Promise.resolve();
    yield* list.map((x) => JSON.parse(json(x)) as unknown);
  })();

describe('Analysis > the report from Athena', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'athena-report-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the same CSV files as DuckDB from the same statistics read as text', async () => {
    const tickets = sampleDistinct(arbNypdTicket, (t) => t.id, 40, 18);
    const messages = sampleDistinct(arbSequencedDroneMessage, (m) => m.id, 60, 18);
    const alarms = sampleDistinct(arbAlarmRaised, (a) => a.id, 8, 18);
    const decisions = alarms.slice(0, 5).map((a, i) =>
      toAlarmResolved({
        alarmId: a.id,
        decision: 'acknowledged',
        by: 'op-1',
        at: new Date(Date.parse(a.raisedAt) + (i + 1) * 7_000).toISOString() as typeof a.raisedAt,
      }),
    );
    const batch = join(dir, 'tickets.ndjson.gz');
    writeFileSync(batch, gzipSync(tickets.map(json).join('\n')));
    const engine = await createEngine({ workDir: join(dir, 'work') });
    try {
      const { files } = await runAnalysis(
        { nypdFiles: [], codes, humanCodes: DEFAULT_HUMAN_CODES, today: '2026-11-27', top: 10 },
        {
          engine,
          progress: () => undefined,
          archive: {
            sync: (type) =>
              Promise.resolve({ ndjson: type === 'nypd.ticket' ? [batch] : [], parquet: [] }),
          },
          hotTables: {
            messages: () => items(messages),
            alarms: () => items(alarms),
            decisions: () => items(decisions),
          },
          deadLetters: () =>
            Promise.resolve({
              byReason: [{ actor: 'alert-system', reason: 'DecodeFailure', n: 2 }],
              listed: 2,
              truncated: false,
            }),
        },
      );
      const fromAthena = await athenaReport(duckdbAsAthena(engine), {
        ...params,
        codes,
        today: '2026-11-27',
        progress: () => undefined,
      });
      assert.ok((files.get('violations_by_code.csv') ?? '').split('\n').length > 3);
      assert.match(files.get('alarm_ack.csv') ?? '', /^5,21\.000,/m); // 5 decided: 7 s … 35 s
      // Only what a run on one machine adds: the records its loader read per store.
      assert.deepEqual(
        reportDifferences(files, fromAthena)
          .map((d) => d.split(':')[0])
          .filter((f, i, all) => all.indexOf(f) === i),
        ['sources.csv'],
      );
    } finally {
      engine.close();
    }
  });
});
