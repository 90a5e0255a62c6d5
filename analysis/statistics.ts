/**
 * Every statistic of the report, each declared once as SQL over the logical relations (relations.ts) and a
 * dialect (sql/dialect.ts) for the few spellings that differ. DuckDB runs them in every report and spec; the
 * Athena text of each is generated into `analysis/athena/queries/<name>.sql` (`npm run gen:athena-sql`, committed:
 * Terraform's named queries read those files, and a spec fails when one is stale).
 */
import { DEFAULT_HUMAN_CODES } from '../actors/protocol/index.ts';
import { ACK_TIMES, ALARMS_BY, DRONE_CODES, DRONE_TOTALS, DRONES } from './drones/sql.ts';
import type { Engine, Row } from './engine/duckdb.ts';
import { GROUPS } from './engine/pass.ts';
import { duckdb } from './sql/dialect.ts';
import type { Statistic, StatisticParams } from './sql/statistic.ts';

/** The options the committed Athena files are generated with (the report's defaults). */
export const DEFAULT_PARAMS: StatisticParams = { humanCodes: DEFAULT_HUMAN_CODES, top: 50 };

/** Dead letters per actor and reason. */
export const DEAD_LETTERS: Statistic = {
  name: 'dead_letters',
  doc: 'dead letters per actor and reason',
  sql: () => `SELECT actor, reason, CAST(count(*) AS DOUBLE) AS n FROM dead_letters
GROUP BY actor, reason ORDER BY actor, reason`,
};

/** Every statistic, in the order a report runs them. */
export const STATISTICS: ReadonlyArray<Statistic> = [
  GROUPS,
  DRONE_TOTALS,
  DRONES,
  DRONE_CODES,
  ALARMS_BY,
  ACK_TIMES,
  DEAD_LETTERS,
];

/**
 * Runs statistics on DuckDB, over the relations a run defined (relations.ts `duckdbRelations`).
 *
 * @example
 * const rows = await onDuckdb(engine, DEFAULT_PARAMS)(DRONE_TOTALS);
 */
export const onDuckdb =
  (engine: Engine, params: StatisticParams) =>
  (s: Statistic): Promise<ReadonlyArray<Row>> =>
    engine.all(s.sql(duckdb, params));
