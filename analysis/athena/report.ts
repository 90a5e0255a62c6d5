/**
 * The report from Athena: the relations created as views in the Glue database, every statistic run with the
 * same text the committed files hold (for the run's options), and the same aggregation and rendering as on DuckDB,
 * so the same CSV files and index.html come out. What differs is listed in analysis/README.md (Athena).
 */
import type { ViolationCodeTable } from '../../actors/protocol/index.ts';
import type { Counts } from '../aggregate/report.ts';
import { buildReport } from '../aggregate/report.ts';
import { sourceCounts } from '../aggregate/sources.ts';
import { droneCounts } from '../drones/sql.ts';
import { GROUPS, groupsOf } from '../engine/pass.ts';
import { athenaRelations } from '../relations.ts';
import { renderCsv } from '../render/csv.ts';
import { renderHtml } from '../render/html.ts';
import { athena } from '../sql/dialect.ts';
import type { Statistic, StatisticParams } from '../sql/statistic.ts';
import { DEAD_LETTERS } from '../statistics.ts';
import { type AthenaRunner, formatBytes } from './runner.ts';

/** What the report needs besides the runner. */
export interface AthenaReportOptions extends StatisticParams {
  readonly codes: ViolationCodeTable;
  readonly today: string;
  /** A line per finished query (bytes scanned and cost). */
  readonly progress: (line: string) => void;
}

/**
 * Runs the report on Athena and returns its files (name → content, index.html included).
 *
 * @example
 * const files = await athenaReport(runner, { codes, humanCodes, top: 50, today, progress });
 */
export const athenaReport = async (
  runner: AthenaRunner,
  options: AthenaReportOptions,
): Promise<ReadonlyMap<string, string>> => {
  for (const [name, ddl] of athenaRelations()) await runner.run(`view ${name}`, ddl, 'ddl');
  const run = async (s: Statistic) => {
    const out = await runner.run(s.name, s.sql(athena, options));
    options.progress(
      `${s.name}: ${formatBytes(out.bytesScanned)} scanned, $${out.cost.toFixed(4)}`,
    );
    return out.rows;
  };
  const groups = groupsOf(await run(GROUPS));
  const zero = { read: 0, undecodable: 0 };
  const drones = await droneCounts(run, {
    'drone.message': zero,
    'alarm.raised': zero,
    'alarm.resolved': zero,
  });
  const letters = (await run(DEAD_LETTERS)).map((r) => ({
    actor: String(r.actor),
    reason: String(r.reason),
    n: Number(r.n),
  }));
  const counts: Counts = {
    sources: [sourceCounts({ name: 'archive', kind: 'archive' }, 0, groups)],
    dedup: { duplicatedIds: 0, droppedCopies: 0, conflictingIds: 0 },
    groups,
    drones,
    deadLetters: {
      byReason: letters,
      listed: letters.reduce((s, l) => s + l.n, 0),
      truncated: false,
    },
  };
  const report = buildReport(counts, options.codes, {
    today: options.today,
    sources: ['the S3 archive, through Athena'],
  });
  const files = new Map<string, string>(report.tables.map((t) => [t.file, renderCsv(t)]));
  files.set('index.html', renderHtml(report));
  return files;
};

/**
 * The lines that differ between two reports (file by file, at most `max` lines each), for `--check`.
 *
 * @example
 * reportDifferences(duckdbFiles, athenaFiles); // ['drones.csv:3: duckdb "…" athena "…"']
 */
export const reportDifferences = (
  duckdb: ReadonlyMap<string, string>,
  athenaFiles: ReadonlyMap<string, string>,
  max = 5,
): string[] => {
  const out: string[] = [];
  for (const name of [...new Set([...duckdb.keys(), ...athenaFiles.keys()])].sort()) {
    if (name === 'index.html') continue; // rendered from the CSV tables: their differences say it all
    const [a, b] = [duckdb.get(name), athenaFiles.get(name)];
    if (a === undefined || b === undefined) {
      out.push(`${name}: only on ${a === undefined ? 'athena' : 'duckdb'}`);
      continue;
    }
    const [la, lb] = [a.split('\n'), b.split('\n')];
    let shown = 0;
    for (let i = 0; i < Math.max(la.length, lb.length) && shown < max; i++)
      if (la[i] !== lb[i]) {
        out.push(
          `${name}:${i + 1}: duckdb ${JSON.stringify(la[i] ?? '')} athena ${JSON.stringify(lb[i] ?? '')}`,
        );
        shown++;
      }
  }
  return out;
};
