/**
 * The facts the pass groups: one row per NYPD ticket row (accepted or rejected, from every source) and per drone
 * violation, with the grouping columns in {@link GROUP_COLUMNS} order and a weight `w`.
 */
import { droneViolations } from '../drones/sql.ts';
import { REJECT_REASONS, type RejectReason } from '../nypd/sql.ts';
import type { Dialect } from '../sql/dialect.ts';
import { sqlString } from './duckdb.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** The grouping columns, in `grouping_id` order (the first is the most significant bit). */
export const GROUP_COLUMNS = [
  'kr', // kind and reason in one small integer (KR): every set groups on it, and strings cost 2× to hash
  'src', // the NYPD source's index
  'code', // 1–99, NULL when out of range
  'county', // Violation County as written; a drone's borough
  'hint', // where the fine applies: see ticketFacts
  'day', // the issue day / the drone's day in New York
  'tod', // Violation Time as written / the drone's HHMM in New York
  'precinct',
  'street',
  'state',
  'plate_type',
  'make',
  'body',
  'color',
  'vyear',
  'iyear', // the issue year (a vehicle year is plausible up to it + 2)
  'plate',
  'sk', // hash(summons): 8 bytes per key in the largest hash table of all (one entry per ticket)
] as const;
export type GroupColumn = (typeof GROUP_COLUMNS)[number];

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
SELECT kr, src, code, county,
  CASE
    WHEN street_n IS NOT NULL THEN CASE WHEN street_n <= 96 THEN 'S' ELSE 'N' END
    WHEN TRY_CAST(precinct AS INTEGER) IN (${PRECINCTS_AT_OR_BELOW_96TH.join(', ')}) THEN 'P'
  END AS hint,
  issue_date AS day, tod, precinct, street, state, plate_type, make, body, color, vyear,
  year(issue_date) AS iyear, plate, summons, ${d.hash64('summons')} AS sk, CAST(1 AS DOUBLE) AS w
FROM (SELECT *, CASE WHEN starts_with(street, 'E') OR starts_with(street, 'W')
    THEN TRY_CAST(nullif(regexp_extract(street, ${sqlString(NUMBERED_STREET)}, 2), '') AS INTEGER) END AS street_n
  FROM (${ticketRows}) t) f`;

const text = (c: string): string => `CAST(NULL AS VARCHAR) AS ${c}`;

const droneFacts = (d: Dialect): string => `
SELECT CAST(1 AS ${d.smallInt}) AS kr, CAST(NULL AS ${d.smallInt}) AS src, code, borough AS county,
  CASE WHEN m96 THEN 'D' END AS hint, day, tod, ${text('precinct')}, ${text('street')}, ${text('state')},
  ${text('plate_type')}, ${text('make')}, ${text('body')}, ${text('color')}, ${text('vyear')},
  year(day) AS iyear, ${text('plate')}, ${text('summons')}, CAST(NULL AS ${d.hashType}) AS sk, CAST(1 AS DOUBLE) AS w
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
