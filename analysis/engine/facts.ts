/**
 * The facts the pass groups: one row per NYPD ticket row (accepted or rejected, from every source) and per drone
 * violation, with the columns of {@link FACT_COLUMNS} (the grouping columns and a weight `w`). Each column is
 * declared once, with its SQL on both sides; its position in the facts and its `grouping_id` bit follow from the
 * declaration's order, and the pass's sets (pass.ts `GROUP_SETS`) name the fields the report reads.
 */
import { droneViolations } from '../drones/sql.ts';
import { REJECT_REASONS, type RejectReason } from '../nypd/sql.ts';
import type { Dialect } from '../sql/dialect.ts';
import { sqlString } from './duckdb.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/**
 * A column of the facts: its value in a ticket fact (over a ticket row and `street_n`) and in a drone fact (over
 * a drone violation, drones/sql.ts), as SQL for a dialect; absent from drones: NULL text.
 */
export interface FactColumn {
  readonly ticket: string | ((d: Dialect) => string);
  readonly drone?: string | ((d: Dialect) => string);
  /** Grouped on (a bit of `grouping_id`); false for what only rides along. */
  readonly grouped: boolean;
  /** The column as a group's key text; default `CAST(column AS VARCHAR)`. */
  readonly keyText?: (d: Dialect, column: string) => string;
}

/** `street_n` (the street's number, when numbered) read against {@link PRECINCTS_AT_OR_BELOW_96TH}: see ticketFacts. */
const TICKET_HINT = (): string => `CASE
    WHEN street_n IS NOT NULL THEN CASE WHEN street_n <= 96 THEN 'S' ELSE 'N' END
    WHEN TRY_CAST(precinct AS INTEGER) IN (${PRECINCTS_AT_OR_BELOW_96TH.join(', ')}) THEN 'P'
  END`;

/**
 * Every column of the facts, declared once: the facts' SELECTs list them in this order, and the grouped ones are
 * {@link GROUP_COLUMNS} in `grouping_id` order (the first is the most significant bit).
 */
export const FACT_COLUMNS = {
  // kind and reason in one small integer (KR): every set groups on it, and strings cost 2× to hash
  kr: { ticket: 'kr', drone: (d) => `CAST(1 AS ${d.smallInt})`, grouped: true },
  src: { ticket: 'src', drone: (d) => `CAST(NULL AS ${d.smallInt})`, grouped: true }, // the NYPD source's index
  code: { ticket: 'code', drone: 'code', grouped: true }, // 1–99, NULL when out of range
  county: { ticket: 'county', drone: 'borough', grouped: true }, // Violation County as written; a drone's borough
  hint: { ticket: TICKET_HINT, drone: `CASE WHEN m96 THEN 'D' END`, grouped: true }, // where the fine applies
  // the issue day / the drone's day in New York
  day: { ticket: 'issue_date', drone: 'day', grouped: true, keyText: (d, c) => d.dayText(c) },
  tod: { ticket: 'tod', drone: 'tod', grouped: true }, // Violation Time as written / the drone's HHMM in New York
  precinct: { ticket: 'precinct', grouped: true },
  street: { ticket: 'street', grouped: true },
  state: { ticket: 'state', grouped: true },
  plate_type: { ticket: 'plate_type', grouped: true },
  make: { ticket: 'make', grouped: true },
  body: { ticket: 'body', grouped: true },
  color: { ticket: 'color', grouped: true },
  vyear: { ticket: 'vyear', grouped: true },
  // the issue year (a vehicle year is plausible up to it + 2)
  iyear: { ticket: 'year(issue_date)', drone: 'year(day)', grouped: true },
  plate: { ticket: 'plate', grouped: true },
  summons: { ticket: 'summons', grouped: false }, // dedup joins the copies of an id on it
  // hash(summons): 8 bytes per key in the largest hash table of all (one entry per ticket)
  sk: {
    ticket: (d) => d.hash64('summons'),
    drone: (d) => `CAST(NULL AS ${d.hashType})`,
    grouped: true,
  },
  w: { ticket: 'CAST(1 AS DOUBLE)', drone: 'CAST(1 AS DOUBLE)', grouped: false }, // the weight
} as const satisfies Record<string, FactColumn>;
export type FactColumnName = keyof typeof FACT_COLUMNS;

type Grouped<C extends FactColumnName> = C extends unknown
  ? (typeof FACT_COLUMNS)[C]['grouped'] extends true
    ? C
    : never
  : never;
/** A grouped column. */
export type GroupColumn = Grouped<FactColumnName>;

/** The grouped columns, in declared order: `grouping_id` order (the first is the most significant bit). */
export const GROUP_COLUMNS = (Object.keys(FACT_COLUMNS) as FactColumnName[]).filter(
  (c): c is GroupColumn => FACT_COLUMNS[c].grouped,
);

/** A grouped column as a group's key text. */
export const keyText = (d: Dialect, column: GroupColumn): string => {
  const declared: FactColumn = FACT_COLUMNS[column];
  return declared.keyText?.(d, column) ?? `CAST(${column} AS VARCHAR)`;
};

/**
 * `kr`: 0 an accepted NYPD ticket, 1 a drone violation, 2 + i a ticket row rejected for `REJECT_REASONS[i]`.
 *
 * @example
 * kindAndReason(3); // { kind: 'nypd', reason: 'csv_syntax' }
 */
export const kindAndReason = (
  kr: number,
): { kind: 'nypd' | 'drone'; reason: RejectReason | null } =>
  kr === 1
    ? { kind: 'drone', reason: null }
    : { kind: 'nypd', reason: kr === 0 ? null : (REJECT_REASONS[kr - 2] ?? 'undecodable') };

/**
 * Manhattan precincts lying wholly at or below 96th Street (1st–20th: Downtown, Midtown, the Upper East Side to
 * 96th and the Upper West Side to 86th). The 22nd (Central Park) and 24th (86th–110th West) straddle 96th Street,
 * so their tickets take the other-areas fine unless the street itself is numbered.
 */
export const PRECINCTS_AT_OR_BELOW_96TH = [1, 5, 6, 7, 9, 10, 13, 14, 17, 18, 19, 20];

/** What the facts are made of. */
export interface Facts {
  /** The ticket rows (the `nypd_tickets` relation), or undefined without NYPD input. */
  readonly ticketRows: string | undefined;
  /** Whether drone messages were read (the `drone_messages` relation). */
  readonly drones: boolean;
}

/** A numbered Manhattan street: `W 42 ST`, `EAST 86TH STREET`, `E. 14 ST` (upper-cased already). */
const NUMBERED_STREET = '^(E|W|EAST|WEST)\\.? +([0-9]{1,3})(ST|ND|RD|TH)? +(ST|STREET)( |$)';

// ---------------------------------------------------------------------------------------------------------------
// SQL

/**
 * The ticket facts (weight 1). `hint` says where the fine applies, read with the borough (aggregate/violations.ts):
 * `S` a numbered street up to 96th (`W 42 ST`), `N` a numbered street above it, `P` another street in a precinct
 * wholly below 96th Street, `D` (drones) a position at or below 96th Street (isManhattanBelow96th); NULL none of
 * these. The street is tested only when it starts with E or W: the regex is the costliest thing done per row, and
 * most streets start otherwise.
 *
 * @example
 * ticketFacts(duckdb, 'SELECT * FROM nypd_tickets'); // SELECT kr, src, ... FROM (...)
 */
export const ticketFacts = (d: Dialect, ticketRows: string): string => `
SELECT ${factColumns(d, 'ticket')}
FROM (SELECT *, CASE WHEN starts_with(street, 'E') OR starts_with(street, 'W')
    THEN TRY_CAST(nullif(regexp_extract(street, ${sqlString(NUMBERED_STREET)}, 2), '') AS INTEGER) END AS street_n
  FROM (${ticketRows}) t) f`;

/** Every fact column of one side as `expression AS column`, in declared order (a UNION ALL matches by position). */
const factColumns = (d: Dialect, side: 'ticket' | 'drone'): string =>
  (Object.entries(FACT_COLUMNS) as Array<[FactColumnName, FactColumn]>)
    .map(([column, declared]) => {
      const expr = declared[side] ?? 'CAST(NULL AS VARCHAR)';
      const sql = typeof expr === 'string' ? expr : expr(d);
      return sql === column ? column : `${sql} AS ${column}`;
    })
    .join(',\n  ');

const droneFacts = (d: Dialect): string => `
SELECT ${factColumns(d, 'drone')}
FROM (${droneViolations(d)}) v`;

/**
 * All facts: ticket rows and drone violations. `undefined` when there are none.
 *
 * @example
 * const sql = factsSql(duckdb, { ticketRows, drones: true });
 */
export const factsSql = (d: Dialect, facts: Facts): string | undefined => {
  const parts = [
    ...(facts.ticketRows === undefined ? [] : [ticketFacts(d, facts.ticketRows)]),
    ...(facts.drones ? [droneFacts(d)] : []),
  ];
  return parts.length === 0 ? undefined : parts.join('\nUNION ALL\n');
};

/**
 * The hash of a ticket fact as grouped: every grouping column as written, the source included. Copies with the
 * same hash fall in the same group of every set, so they can share one count between them.
 */
export const ROW_HASH = `hash(${GROUP_COLUMNS.filter((c) => c !== 'kr' && c !== 'sk').join(', ')})`;

/**
 * The hash of a ticket fact's content (cells trimmed, `0033` = `33`, year `0` = empty, as csv-to-stream
 * normalises them), to tell copies that say different things from copies written differently.
 */
export const CONTENT_HASH = `hash(day, code, upper(js_trim(tod)), upper(js_trim(county)),
  TRY_CAST(js_trim(precinct) AS BIGINT), js_trim(street), js_trim(state), js_trim(plate_type), js_trim(make),
  js_trim(body), js_trim(color), nullif(js_trim(vyear), '0'), js_trim(plate))`;
