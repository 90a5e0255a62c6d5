/**
 * The NYPD files are read once: one streaming `GROUPING SETS` aggregation over every ticket row (accepted and
 * rejected) and every drone violation computes, at the same time, the per-source counts, the summons numbers seen
 * more than once, and every breakdown. Keys stay as written and are normalised afterwards, once per distinct
 * value (aggregate/normalise.ts), so the per-row work is only what must be per row: csv-to-stream's rules and the
 * Manhattan-below-96th-Street hint. Reading a 2 GB CSV twice would cost more than all the rest.
 *
 * Duplicates (the same summons number in two files, or the archive's raw copies) are rare, so they are corrected
 * afterwards rather than prevented: when the pass finds some, a second pass over just those ids picks one copy per
 * id (dedup.ts) and a third subtracts the other copies from every breakdown. Per-source counts stay as read, as
 * csv-to-stream reports them.
 */
import type { RejectReason } from '../nypd/sql.ts';
import { type Dialect, duckdb } from '../sql/dialect.ts';
import type { Statistic } from '../sql/statistic.ts';
import { correctionFacts, type DedupCounts, dedupTable } from './dedup.ts';
import type { Engine, Row } from './duckdb.ts';
import { sqlNumber } from './duckdb.ts';
import {
  type Facts,
  factsSql,
  GROUP_COLUMNS,
  type GroupColumn,
  keyText,
  kindAndReason,
} from './facts.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/**
 * The grouping sets: each set's fields (the names the report reads them by: aggregate/breakdown.ts `valueOf`) and
 * the grouped column each one is, after `kr`; a field's position in its set is its key's (`key` … `key4`).
 * Breakdowns that share a set are summed from it (borough and code from `code`, make and body from `vehicle`,
 * ...): ten hash tables per row instead of sixteen, which is most of the pass's cost after reading the file.
 */
export const GROUP_SETS = {
  code: { src: 'src', code: 'code', county: 'county', hint: 'hint' },
  day: { day: 'day', daySrc: 'src' },
  tod: { tod: 'tod' },
  precinct: { precinct: 'precinct' },
  street: { street: 'street' },
  registration: { state: 'state', plateType: 'plate_type' },
  vehicle: { make: 'make', body: 'body' },
  appearance: { color: 'color', vyear: 'vyear', iyear: 'iyear' },
  plate: { plate: 'plate', plateState: 'state' },
  dups: { sk: 'sk' },
} as const satisfies Record<string, Readonly<Record<string, GroupColumn>>>;
export type GroupSet = keyof typeof GROUP_SETS;

/** The key columns of a set, in key order. @example keyColumns('vehicle') // ['make', 'body'] */
export const keyColumns = (set: GroupSet): ReadonlyArray<GroupColumn> =>
  Object.values(GROUP_SETS[set]);

/** The most keys a set has: a group's `key` … `key4`. */
export const MAX_KEYS = 4;

/**
 * One group: keys as text (NULL = empty cell), `reason` NULL for accepted rows, `n` its count after dedup.
 * Extra sets: `sources` (the `code` set before dedup: what each source held, as csv-to-stream counts it),
 * `plate_histogram` (`key` = tickets per plate, `n` = plates with that many, from 2 up) and `distinct` (`key` =
 * `street` or `plate`: how many distinct streets, and repeat plates).
 */
export interface Group {
  readonly set: GroupSet | 'sources' | 'plate_histogram' | 'distinct';
  readonly kind: 'nypd' | 'drone';
  readonly reason: RejectReason | null;
  readonly key: string | null;
  readonly key2: string | null;
  readonly key3: string | null;
  readonly key4: string | null;
  readonly n: number;
}

/** The pass's result. */
export interface PassResult {
  readonly groups: ReadonlyArray<Group>;
  readonly dedup: DedupCounts;
}

// ---------------------------------------------------------------------------------------------------------------
// SQL

const gid = (set: GroupSet): number =>
  GROUP_COLUMNS.reduce(
    (mask, column, i) =>
      column === 'kr' || keyColumns(set).includes(column)
        ? mask
        : mask | (1 << (GROUP_COLUMNS.length - 1 - i)),
    0,
  );
const ALL_SETS = Object.keys(GROUP_SETS) as GroupSet[];
const SET_OF_GID = new Map(ALL_SETS.map((set) => [gid(set), set] as const));

/** The set's `which`-th key column as text. */
const keyCase = (d: Dialect, which: number): string => {
  const arms = ALL_SETS.flatMap((set) => {
    const column = keyColumns(set)[which];
    return column === undefined ? [] : [`WHEN ${gid(set)} THEN ${keyText(d, column)}`];
  });
  return `CASE gid ${arms.join(' ')} END`;
};

/**
 * `grouping_id` over every column, written out so it also works when `sets` leave some columns out (DuckDB only
 * accepts grouped columns in it): a column no set uses is never grouped, so its bit is always 1.
 */
const gidSql = (sets: ReadonlyArray<GroupSet>): string => {
  const bit = (i: number) => 1 << (GROUP_COLUMNS.length - 1 - i);
  const used = new Set<GroupColumn>(['kr', ...sets.flatMap(keyColumns)]);
  const always = GROUP_COLUMNS.reduce((mask, c, i) => (used.has(c) ? mask : mask | bit(i)), 0);
  const parts = GROUP_COLUMNS.flatMap((c, i) =>
    used.has(c) ? [`grouping(${c}) * ${bit(i)}`] : [],
  );
  return `(${[...parts, String(always)].join(' + ')})`;
};

/**
 * One aggregation of `facts` over `sets`, as narrow rows (gid, kr, k1 … k4, n). `having` gets the expression of
 * the group's id (Trino's HAVING cannot name a SELECT alias).
 */
const aggregate = (
  d: Dialect,
  facts: string,
  sets: ReadonlyArray<GroupSet>,
  weighted: boolean,
  having: (gid: string) => string,
): string => {
  const grouping = sets.map((set) => `(${['kr', ...keyColumns(set)].join(', ')})`).join(', ');
  const used = new Set<GroupColumn>(['kr', ...sets.flatMap(keyColumns)]);
  const columns = GROUP_COLUMNS.map((c) => (used.has(c) ? c : `NULL AS ${c}`)).join(', ');
  const keys = Array.from({ length: MAX_KEYS }, (_, i) => `${keyCase(d, i)} AS k${i + 1}`).join(
    ', ',
  );
  return `SELECT gid, kr, ${keys}, n FROM (
    SELECT ${columns}, ${gidSql(sets)} AS gid,
      CAST(${weighted ? 'sum(w)' : 'count(*)'} AS DOUBLE) AS n
    FROM (${facts}) f GROUP BY GROUPING SETS (${grouping}) ${having(gidSql(sets))}) g`;
};

/**
 * The first pass's filter: only what is kept, duplicated ids and plates seen at least twice (millions of
 * single-ticket plates are counted by difference).
 */
const firstPassHaving = (gidExpr: string): string => {
  const [dups, plate] = [gid('dups'), gid('plate')];
  return `HAVING (${gidExpr} <> ${dups} OR (kr = 0 AND count(*) > 1))
    AND (${gidExpr} <> ${plate} OR count(*) >= 2 OR plate IS NULL)`;
};

/** The groups the report reads from the `table` of groups: see {@link groupsPass}. */
const readGroupsSql = (table: string, top: number): string => {
  const [street, plate, dups] = [gid('street'), gid('plate'), gid('dups')];
  const topOf = (g: number, order: string) =>
    `(SELECT * FROM ${table} WHERE gid = ${g} AND kr = 0 AND k1 IS NOT NULL ORDER BY n DESC, ${order}
      LIMIT ${sqlNumber(top)})`;
  return `
    SELECT * FROM ${table} WHERE gid NOT IN (${street}, ${plate}, ${dups}) OR (gid <> ${dups} AND k1 IS NULL)
    UNION ALL ${topOf(street, 'k1')}
    UNION ALL ${topOf(plate, 'k1, k2')}
    UNION ALL SELECT -1, 0, CAST(CAST(round(n) AS BIGINT) AS VARCHAR), NULL, NULL, NULL, CAST(count(*) AS DOUBLE)
      FROM ${table} WHERE gid = ${plate} AND kr = 0 AND k1 IS NOT NULL GROUP BY round(n)
    UNION ALL SELECT -2, 0, CASE gid WHEN ${street} THEN 'street' ELSE 'plate' END, NULL, NULL, NULL,
      CAST(count(*) AS DOUBLE) FROM ${table} WHERE gid IN (${street}, ${plate}) AND kr = 0 AND k1 IS NOT NULL
      GROUP BY gid`;
};

/**
 * Every group of the report in one query over the relations (`nypd_tickets`, `drone_messages`): for an engine
 * that reads a deduplicated `nypd_tickets` (Athena's view merges copies by id), so no correction pass follows.
 * DuckDB runs the same parts in steps ({@link groupsPass}), to correct duplicates without a second read of a CSV.
 */
export const GROUPS: Statistic = {
  name: 'groups',
  doc: 'every breakdown at once (GROUPING SETS): per source, code, borough, day, time, place, vehicle, plate',
  sql: (d, p) =>
    `WITH grouped AS (${aggregate(d, factsSql(d, { ticketRows: 'SELECT * FROM nypd_tickets', drones: true })!, ALL_SETS, false, firstPassHaving)})
${readGroupsSql('grouped', p.top)}`,
};

/**
 * The groups of a {@link GROUPS} result: the `code` set also stands as `sources` (what each source held: with
 * no correction, the same counts).
 *
 * @example
 * const groups = groupsOf(await athenaRows(GROUPS));
 */
export const groupsOf = (rows: ReadonlyArray<Row>): Group[] => {
  const code = gid('code');
  const groups = rows.map(toGroup);
  return [
    ...rows
      .filter((r) => Number(r.gid) === code)
      .map((r) => ({ ...toGroup(r), set: 'sources' as const })),
    ...groups,
  ];
};

// ---------------------------------------------------------------------------------------------------------------
// the pass

/**
 * Runs the pass (and the dedup passes when needed) and returns every group the report needs: the small sets
 * whole; the top `top` streets and plates (plus their empty-cell groups); the plate histogram; distinct counts.
 *
 * @example
 * const { groups, dedup } = await groupsPass(engine, { ticketRows, drones: false }, 50);
 */
export const groupsPass = async (
  engine: Engine,
  facts: Facts,
  top: number,
): Promise<PassResult> => {
  const sql = factsSql(duckdb, facts);
  if (sql === undefined)
    return { groups: [], dedup: { duplicatedIds: 0, droppedCopies: 0, conflictingIds: 0 } };
  const [dups, plate, code] = [gid('dups'), gid('plate'), gid('code')];
  await engine.run(
    `CREATE OR REPLACE TABLE groups AS ${aggregate(duckdb, sql, ALL_SETS, false, firstPassHaving)}`,
  );
  const sources = (await engine.all(`SELECT * FROM groups WHERE gid = ${code}`)).map((r) => ({
    ...toGroup(r),
    set: 'sources' as const,
  }));
  const dedup = await dedupTable(engine, facts, dups);
  if (dedup.duplicatedIds > 0) {
    const statsSets = ALL_SETS.filter((s) => s !== 'dups');
    await engine.run(`INSERT INTO groups ${aggregate(duckdb, correctionFacts(facts), statsSets, true, () => '')};
      CREATE OR REPLACE TABLE groups AS SELECT gid, kr, k1, k2, k3, k4, sum(n) AS n FROM groups GROUP BY ALL
        HAVING round(sum(n)) <> 0 AND (gid <> ${plate} OR round(sum(n)) >= 2 OR k1 IS NULL)`);
  }
  return { groups: [...sources, ...(await readGroups(engine, top))], dedup };
};

const readGroups = async (engine: Engine, top: number): Promise<Group[]> =>
  (await engine.all(readGroupsSql('groups', top))).map(toGroup);

const text = (v: Row[string] | undefined): string | null =>
  v === null || v === undefined ? null : String(v);

const SPECIAL = new Map<number, Group['set']>([
  [-1, 'plate_histogram'],
  [-2, 'distinct'],
]);

const toGroup = (r: Row): Group => ({
  set: SPECIAL.get(Number(r.gid)) ?? SET_OF_GID.get(Number(r.gid))!,
  ...kindAndReason(Number(r.kr)),
  key: text(r.k1),
  key2: text(r.k2),
  key3: text(r.k3),
  key4: text(r.k4),
  n: Math.round(Number(r.n)),
});
