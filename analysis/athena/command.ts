/**
 * `npm run analysis -- --engine athena`: the options it needs checked at start, the run (views, statistics, the
 * report), the bytes scanned and cost of each query and in all, and `--check` (the DuckDB report over the same
 * archive, compared line by line).
 */
import { type AthenaClient } from '@aws-sdk/client-athena';

import type { ViolationCodeTable } from '../../actors/protocol/index.ts';
import { E } from '../../runtime/codec.ts';
import type { AnalysisConfig } from '../config.ts';
import { athenaReport, reportDifferences } from './report.ts';
import { createAthenaRunner, formatBytes } from './runner.ts';

/** What an Athena run needs, once checked. */
export interface AthenaSettings {
  readonly workgroup: string;
  readonly database: string;
  readonly pricePerTb: number;
}

/**
 * The Athena settings of a configuration, or every reason they cannot be used (exit 78).
 *
 * @example
 * athenaSettings({ ...cfg, engine: 'athena', workgroup: undefined }); // left(['--workgroup is required …'])
 */
export const athenaSettings = (
  cfg: Pick<AnalysisConfig, 'workgroup' | 'database' | 'pricePerTb' | 'target' | 'nypd' | 'dynamo'>,
): E.Either<string[], AthenaSettings> => {
  const problems = [
    ...(cfg.workgroup === undefined
      ? ['--workgroup is required with --engine athena (the workgroup Terraform created)']
      : []),
    ...(cfg.database === undefined
      ? ['--database is required with --engine athena (the Glue database over the archive)']
      : []),
    ...(cfg.target === 'aws'
      ? []
      : [
          '--engine athena needs --target aws: Athena has no local emulator (the local stack is DuckDB’s)',
        ]),
    ...((cfg.nypd ?? []).length > 0 || cfg.dynamo
      ? ['--engine athena reads the archive only: leave out --nypd and --dynamo']
      : []),
  ];
  return problems.length > 0 || cfg.workgroup === undefined || cfg.database === undefined
    ? E.left(problems)
    : E.right({ workgroup: cfg.workgroup, database: cfg.database, pricePerTb: cfg.pricePerTb });
};

/** What a run on Athena gives back. */
export interface AthenaRun {
  readonly files: ReadonlyMap<string, string>;
  /** One line per query and the total: bytes scanned and cost. */
  readonly bill: ReadonlyArray<string>;
  /** With `--check`: where the DuckDB report differs (empty: the same). */
  readonly differences?: ReadonlyArray<string>;
}

/**
 * Runs the report on Athena (and, with `duckdb`, on DuckDB too, for `--check`).
 *
 * @example
 * const { files, bill } = await runOnAthena(client, settings, { codes, humanCodes, top, today, progress, signal });
 */
export const runOnAthena = async (
  client: Pick<AthenaClient, 'send'>,
  settings: AthenaSettings,
  options: {
    readonly codes: ViolationCodeTable;
    readonly humanCodes: ReadonlyArray<number>;
    readonly top: number;
    readonly today: string;
    readonly progress: (line: string) => void;
    readonly signal?: AbortSignal;
    readonly duckdb?: () => Promise<ReadonlyMap<string, string>>;
  },
): Promise<AthenaRun> => {
  const runner = createAthenaRunner(client, {
    ...settings,
    progress: options.progress,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const files = await athenaReport(runner, options);
  const outcomes = runner.outcomes().filter((o) => o.cost > 0);
  const bytes = outcomes.reduce((s, o) => s + o.bytesScanned, 0);
  const cost = outcomes.reduce((s, o) => s + o.cost, 0);
  const bill = [
    ...outcomes.map(
      (o) => `${o.name}: ${formatBytes(o.bytesScanned)} scanned, $${o.cost.toFixed(4)}`,
    ),
    `all ${outcomes.length} queries: ${formatBytes(bytes)} scanned, $${cost.toFixed(4)} at $${settings.pricePerTb}/TB (at least 10 MB a query)`,
  ];
  if (options.duckdb === undefined) return { files, bill };
  options.progress('the same report on DuckDB (--check)');
  return { files, bill, differences: reportDifferences(await options.duckdb(), files) };
};
