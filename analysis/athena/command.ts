/**
 * `npm run analysis -- --engine athena`: the options it needs checked at start, the run (views, statistics, the
 * report), the bytes scanned and cost of each query and in all, and `--check` (the DuckDB report over the same
 * archive, compared line by line).
 */
import { type AthenaClient } from '@aws-sdk/client-athena';

import type { ViolationCodeTable } from '../../actors/protocol/index.ts';
import { E } from '../../runtime/codec.ts';
import type { StaleMarker } from '../archive/listing.ts';
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

/**
 * Compacted hours whose marker no longer covers their NDJSON (a batch reached them after their compaction): the
 * views would read their Parquet and leave the late batches out, so the run stops before any query (exit 75).
 */
export class StaleMarkersError extends Error {
  override readonly name = 'StaleMarkersError';
  constructor(readonly stale: ReadonlyArray<StaleMarker>) {
    super(
      `${stale.length} compacted hours received NDJSON batches after their compaction, which Athena would leave out ` +
        `(it reads a marked hour from Parquet; DuckDB checks the objects): ${stale
          .slice(0, 5)
          .map(
            (m) =>
              `${m.type} ${m.day} ${m.hour}h (${m.compactedFrom} objects compacted, ${m.objectsNow} now)`,
          )
          .join(
            ', ',
          )}${stale.length > 5 ? ', …' : ''}. Run npm run compact (it compacts them again; the storage ` +
        `host's timer does hourly), then the report; --allow-stale-markers reports without those batches.`,
    );
  }
}

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
    /**
     * The compaction markers that no longer cover their hour (archive/listing.ts `staleMarkers`), checked before
     * any query: Athena's views trust a marker's existence. With `allowStaleMarkers` they are only reported.
     */
    readonly staleMarkers?: () => Promise<ReadonlyArray<StaleMarker>>;
    readonly allowStaleMarkers?: boolean;
  },
): Promise<AthenaRun> => {
  if (options.staleMarkers !== undefined)
    options.progress('checking the compaction markers against the archive');
  const stale = (await options.staleMarkers?.()) ?? [];
  if (stale.length > 0 && options.allowStaleMarkers !== true) throw new StaleMarkersError(stale);
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
    ...(stale.length > 0
      ? [`left out: the late batches of ${stale.length} compacted hours (--allow-stale-markers)`]
      : []),
    ...outcomes.map(
      (o) => `${o.name}: ${formatBytes(o.bytesScanned)} scanned, $${o.cost.toFixed(4)}`,
    ),
    `all ${outcomes.length} queries: ${formatBytes(bytes)} scanned, $${cost.toFixed(4)} at $${settings.pricePerTb}/TB (at least 10 MB a query)`,
  ];
  if (options.duckdb === undefined) return { files, bill };
  options.progress('the same report on DuckDB (--check)');
  return { files, bill, differences: reportDifferences(await options.duckdb(), files) };
};
