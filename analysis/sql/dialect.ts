/**
 * Where DuckDB and Athena (Trino) differ, and nowhere else. Statistics are written once in the SQL both engines
 * read (`CAST(x AS DOUBLE)`, `count(*) FILTER (WHERE …)`, `GROUPING SETS`, `AT TIME ZONE`, `date_diff`…) and call
 * a dialect only for what has no common spelling. The generated Athena text is checked against Trino's grammar and
 * the Athena engine 3 allow-list (analysis/athena/athena-sql.spec.ts); DuckDB runs every statistic in the specs.
 */

// ---------------------------------------------------------------------------------------------------------------
// model

/** The spellings that differ. Each takes SQL expressions and returns one. */
export interface Dialect {
  readonly name: 'duckdb' | 'athena';
  /** A continuous percentile (`q` in 0–1). Athena's is approximate (a q-digest): exact on a few hundred values. */
  readonly percentile: (x: string, q: number) => string;
  /** A DATE as `YYYY-MM-DD` text. */
  readonly dayText: (x: string) => string;
  /** A local timestamp's time of day as `HHMM` text (as an NYPD Violation Time is written). */
  readonly hhmm: (x: string) => string;
  /** A 64-bit hash of a text, as a BIGINT-like key (collisions only merge groups that are checked again). */
  readonly hash64: (x: string) => string;
  /** The type {@link Dialect.hash64} returns. */
  readonly hashType: string;
  /** The small integer type of `kr` and `src` (DuckDB's ticket rows are UTINYINT: a narrow hash key). */
  readonly smallInt: string;
}

// ---------------------------------------------------------------------------------------------------------------
// the two engines

/** DuckDB 1.5 (the engine on one machine and in every test). */
export const duckdb: Dialect = {
  name: 'duckdb',
  percentile: (x, q) => `quantile_cont(${x}, ${q})`,
  dayText: (x) => `strftime(${x}, '%Y-%m-%d')`,
  hhmm: (x) => `strftime(${x}, '%H%M')`,
  hash64: (x) => `hash(${x})`,
  hashType: 'UBIGINT',
  smallInt: 'UTINYINT',
};

/** Amazon Athena engine 3 (Trino). */
export const athena: Dialect = {
  name: 'athena',
  percentile: (x, q) => `approx_percentile(${x}, ${q})`,
  dayText: (x) => `CAST(${x} AS VARCHAR)`,
  hhmm: (x) => `date_format(${x}, '%H%i')`,
  hash64: (x) => `from_big_endian_64(xxhash64(to_utf8(${x})))`,
  hashType: 'BIGINT',
  smallInt: 'TINYINT',
};
