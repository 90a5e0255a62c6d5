/**
 * Deduplication by summons number across sources and raw copies, when the pass found duplicated ids. One copy per
 * id is kept: the one whose row (as grouped) hashes lowest, so the choice never depends on the order of the
 * sources; when several copies are the same row (the archive's raw copies), they share the count, 1/n each, which
 * is exact because they fall in the same group of every set. The other copies are subtracted from every breakdown
 * (weight − 1). Copies whose content differs once normalised (trimmed, `0033` = `33`) are counted as conflicts.
 */
import { duckdb } from '../sql/dialect.ts';
import type { Engine } from './duckdb.ts';
import { CONTENT_HASH, type Facts, ROW_HASH, ticketFacts } from './facts.ts';

/** The outcome of deduplication across sources. */
export interface DedupCounts {
  /** Ids seen more than once among accepted rows. */
  readonly duplicatedIds: number;
  /** Accepted rows dropped as extra copies. */
  readonly droppedCopies: number;
  /** Ids whose copies differ in content (one was kept). */
  readonly conflictingIds: number;
}

/**
 * Reads the duplicated ids off the pass's `groups` (set `dupsGid`) and, if any, builds the `dups` table
 * (summons, keep_h, keep_n: the kept row's hash and how many copies of that row there are).
 *
 * @example
 * const dedup = await dedupTable(engine, facts, gidOfDups);
 */
export const dedupTable = async (
  engine: Engine,
  facts: Facts,
  dupsGid: number,
): Promise<DedupCounts> => {
  const [d] = await engine.all(
    `SELECT count(*)::DOUBLE AS n FROM groups WHERE gid = ${dupsGid} AND kr = 0`,
  );
  if (Number(d?.n ?? 0) === 0 || facts.ticketRows === undefined)
    return { duplicatedIds: 0, droppedCopies: 0, conflictingIds: 0 };
  // The pass grouped hashes of summons numbers: a collision only brings a few more rows here, where the
  // numbers themselves are grouped.
  await engine.run(`
    CREATE OR REPLACE TABLE dup_keys AS SELECT k1::UBIGINT AS sk FROM groups WHERE gid = ${dupsGid} AND kr = 0;
    CREATE OR REPLACE TABLE dups AS
      SELECT summons, min(h) AS keep_h, arg_min(n, h) AS keep_n, count(DISTINCT c) AS variants,
        sum(n) AS copies FROM (
        SELECT summons, ${ROW_HASH} AS h, ${CONTENT_HASH} AS c, count(*) AS n
        FROM (${ticketFacts(duckdb, facts.ticketRows)})
        WHERE kr = 0 AND sk IN (SELECT sk FROM dup_keys) GROUP BY ALL
      ) GROUP BY summons HAVING sum(n) > 1;`);
  const [c] =
    await engine.all(`SELECT count(*)::DOUBLE AS ids, coalesce(sum(copies), 0)::DOUBLE AS copies,
    count(*) FILTER (WHERE variants > 1)::DOUBLE AS conflicts FROM dups`);
  const duplicatedIds = Number(c?.ids ?? 0);
  return {
    duplicatedIds,
    droppedCopies: Number(c?.copies ?? 0) - duplicatedIds,
    conflictingIds: Number(c?.conflicts ?? 0),
  };
};

/**
 * The correction facts: every accepted copy of a duplicated id, weighted `kept share − 1` (the kept content's
 * copies count 1/keep_n each, the others nothing), so adding them to the pass's counts leaves one ticket per id.
 *
 * @example
 * const sql = correctionFacts(facts);
 */
export const correctionFacts = (facts: Facts): string => `
SELECT * EXCLUDE (w, keep_h, keep_n, variants, copies),
  (CASE WHEN ${ROW_HASH} = keep_h THEN 1.0 / keep_n ELSE 0.0 END) - 1.0 AS w
FROM (${ticketFacts(duckdb, facts.ticketRows ?? 'SELECT NULL')}) JOIN dups USING (summons)
WHERE kr = 0`;
