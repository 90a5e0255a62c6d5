/**
 * Deduplication by summons number across sources and raw copies, when the pass found duplicated ids. One copy per
 * id is kept: identical copies (a re-import, the archive's raw copies, a file and the archive holding the same
 * history) are one ticket; copies that differ are counted as conflicts and the one whose content hashes lowest is
 * kept, so the choice never depends on the order of the sources. The other copies are then subtracted from every
 * breakdown (weight − 1), which is exact: identical copies fall in the same groups.
 */
import type { Engine } from './duckdb.ts';
import { CONTENT_HASH, type Facts, ticketFacts } from './facts.ts';

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
 * (summons, keep_h, keep_n: the kept content's hash and how many identical copies of it there are).
 *
 * @example
 * const dedup = await dedupTable(engine, facts, gidOfDups);
 */
export const dedupTable = async (
  engine: Engine,
  facts: Facts,
  dupsGid: number,
): Promise<DedupCounts> => {
  const [d] =
    await engine.all(`SELECT count(*)::DOUBLE AS ids, coalesce(sum(n), 0)::DOUBLE AS copies
    FROM groups WHERE gid = ${dupsGid} AND kr = 0`);
  const duplicatedIds = Number(d?.ids ?? 0);
  if (duplicatedIds === 0 || facts.ticketRows === undefined)
    return { duplicatedIds: 0, droppedCopies: 0, conflictingIds: 0 };
  await engine.run(`
    CREATE OR REPLACE TABLE dup_keys AS SELECT k1 AS summons FROM groups WHERE gid = ${dupsGid} AND kr = 0;
    CREATE OR REPLACE TABLE dups AS
      SELECT summons, min(h) AS keep_h, arg_min(n, h) AS keep_n, count(*) AS variants FROM (
        SELECT summons, ${CONTENT_HASH} AS h, count(*) AS n FROM (${ticketFacts(facts.ticketRows)})
        WHERE reason IS NULL AND summons IN (SELECT summons FROM dup_keys) GROUP BY ALL
      ) GROUP BY summons;`);
  const [c] = await engine.all(
    `SELECT count(*) FILTER (WHERE variants > 1)::DOUBLE AS ids FROM dups`,
  );
  return {
    duplicatedIds,
    droppedCopies: Number(d?.copies ?? 0) - duplicatedIds,
    conflictingIds: Number(c?.ids ?? 0),
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
SELECT * EXCLUDE (w, keep_h, keep_n, variants),
  (CASE WHEN ${CONTENT_HASH} = keep_h THEN 1.0 / keep_n ELSE 0.0 END) - 1.0 AS w
FROM (${ticketFacts(facts.ticketRows ?? 'SELECT NULL')}) JOIN dups USING (summons)
WHERE reason IS NULL`;
