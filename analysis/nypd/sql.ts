/**
 * csv-to-stream's accept/reject rules and cell normalisation (actors/csv-to-stream/normalise.ts), written as SQL so
 * DuckDB applies them while it streams the CSV (about 2 M rows/s; csv-parse plus the normaliser reach 150k). The
 * two are held equal by a test (test/integration/analysis.int.spec.ts): per file, rows read, accepted, rejected by
 * reason and accepted per code equal `csv-to-stream --dry-run` on the same file.
 *
 * Every source becomes rows of one shape, the ticket row (see below): the cells the statistics need and the
 * reject reason, as a small integer `kr` (0 when accepted). The cells the rules read are trimmed like csv-to-stream's (JS `trim()`,
 * NO-BREAK SPACE included; empty → NULL). Cells used only as group keys stay as written: they are normalised
 * after grouping, once per distinct value (aggregate/normalise.ts), which costs nothing per row.
 */
import type { NypdColumn, NypdLayout } from '../../actors/protocol/index.ts';
import { sqlNumber, sqlString } from '../engine/duckdb.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** The reject reasons, with csv-to-stream's names (its summaries and rejects files use the same keys). */
export const REJECT_REASONS = [
  'field_count',
  'csv_syntax',
  'summons_number_missing',
  'summons_number_malformed',
  'issue_date_missing',
  'issue_date_unparseable',
  'violation_code_missing',
  'violation_code_not_numeric',
  'undecodable',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/**
 * The columns of a ticket row, in order (every source's SELECT yields them):
 * - `src`: UTINYINT: the source's index
 * - `summons`: VARCHAR, trimmed: the id is `nypd:<summons>`
 * - `kr`: UTINYINT: 0 accepted, else 2 + the index of its RejectReason (engine/facts.ts kindAndReason)
 * - `issue_date`: DATE
 * - `code`: INTEGER 1–99, NULL when out of range (csv-to-stream leaves violationCode out then)
 * - `tod`: VARCHAR: Violation Time as written
 * - `county`: VARCHAR: Violation County as written
 * - `precinct`: VARCHAR: Violation Precinct as written
 * - `street`: VARCHAR: Street Name upper-cased (top streets group on it)
 * - `state`, `plate_type`, `make`, `body`, `color`, `vyear`: VARCHAR, as written
 * - `plate`: VARCHAR: Plate ID (repeat plates group on it with state)
 */

// ---------------------------------------------------------------------------------------------------------------
// macros

/** What JS `String.prototype.trim` removes: csv-to-stream trims every cell with it. */
const ASCII_WHITESPACE = ' \t\n\v\f\r';
const JS_WHITESPACE =
  `${ASCII_WHITESPACE}\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a` +
  '\u2028\u2029\u202f\u205f\u3000\ufeff';

/**
 * Macros the source SQL uses; run once per engine.
 * - `js_trim(s)`: trimmed like JS, empty → NULL. Trimming with the Unicode set costs 2.5× the ASCII one, so it is
 *   used only on cells holding a non-ASCII character (byte length ≠ character length).
 * - `nypd_day(d)`: csv-to-stream's `parseIssueDate` but for the year ≥ 1 check (done by the caller): `M/D/YYYY`
 *   (one or two digits) or `YYYY-MM-DD` (optionally `T00:00[:00[.0…]]`), a real calendar day; else NULL. The regex
 *   comes first because `strptime` alone reads `2/28/14` as year 14.
 * - `nypd_r_summons(s)`: a Summons Number of a file re-saved by R, where a number ending in zeros is written
 *   `1.4e+09`: its digits, exactly (csv-to-stream's `fromRNumber`, applied as it does, after trimming, to a cell
 *   that is not already digits); other cells as they are. `nypd_r_number(t, e, f)` is its second half (`e`, `f`:
 *   the exponent and the fraction's digits).
 */
export const NYPD_MACROS = `
CREATE OR REPLACE MACRO js_trim(s) AS nullif(CASE WHEN strlen(s) = length(s)
  THEN trim(s, ${sqlString(ASCII_WHITESPACE)}) ELSE trim(s, ${sqlString(JS_WHITESPACE)}) END, '');
CREATE OR REPLACE MACRO nypd_day(d) AS (CASE
  WHEN regexp_full_match(d, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}') THEN try_strptime(d, '%m/%d/%Y')::DATE
  WHEN regexp_full_match(d, '[0-9]{4}-[0-9]{2}-[0-9]{2}(T00:00(:00(\\.0+)?)?)?') THEN TRY_CAST(left(d, 10) AS DATE)
END);
CREATE OR REPLACE MACRO nypd_r_number(t, e, f) AS (CASE
  WHEN regexp_full_match(t, '[1-9](\\.[0-9]{1,14})?e\\+[0-9]{2,3}') AND e >= length(f) AND e <= 19
  THEN left(t, 1) || f || repeat('0', e - length(f)) ELSE t
END);
CREATE OR REPLACE MACRO nypd_r_summons(s) AS (CASE
  WHEN regexp_full_match(s, '[0-9]{1,20}') THEN s
  ELSE nypd_r_number(js_trim(s), TRY_CAST(regexp_extract(js_trim(s), 'e\\+([0-9]+)$', 1) AS INTEGER),
    regexp_extract(js_trim(s), '\\.([0-9]+)e', 1))
END);
`;

// ---------------------------------------------------------------------------------------------------------------
// sources

/**
 * The cells a ticket row is made of, each read from its NYPD column (a CSV file's column by the protocol's table,
 * an archived ticket's field of the same name): the innermost SELECT's columns, as written.
 */
const CELLS = {
  summons_raw: 'summonsNumber',
  date_raw: 'issueDate',
  code_raw: 'violationCode',
  tod: 'violationTime',
  county: 'violationCounty',
  precinct: 'violationPrecinct',
  street: 'streetName',
  state: 'registrationState',
  plate_type: 'plateType',
  make: 'vehicleMake',
  body: 'vehicleBodyType',
  color: 'vehicleColor',
  vyear: 'vehicleYear',
  plate: 'plateId',
} as const satisfies Record<string, NypdColumn>;
type Cell = keyof typeof CELLS;

/** Every cell as `expression AS cell`: `read` gives a column's text, `over` what a source does more to a cell. */
const cellsSql = (
  read: (column: NypdColumn) => string,
  over: Partial<Record<Cell, (text: string) => string>> = {},
): string =>
  (Object.entries(CELLS) as Array<[Cell, NypdColumn]>)
    .map(([cell, column]) => {
      const text = (over[cell] ?? ((t: string) => t))(read(column));
      return `${cell === 'street' ? `upper(${text})` : text} AS ${cell}`;
    })
    .join(', ');

/** The cells of a CSV source, as written: the innermost SELECT's columns. */
const cellsOf = (layout: NypdLayout): string => {
  // In an R file a quoted "" is an empty cell, which DuckDB reads as '' once quoted values may not be NULL.
  const r = layout.rStyle === true;
  const col = (key: NypdColumn): string =>
    layout.at[key] === undefined
      ? 'NULL::VARCHAR'
      : r
        ? `nullif(c${layout.at[key]}, '')`
        : `c${layout.at[key]}`;
  return cellsSql(col, r ? { summons_raw: (text) => `nypd_r_summons(${text})` } : {});
};

/**
 * The rows of one CSV file. DuckDB skips records whose field count differs from the header's (strict mode), so
 * they never appear here: they are counted as rows read minus rows returned (records.ts). `serial` reads the file
 * on one thread, for files with irregular quoting (see {@link RecordCount.irregularQuotes}). In a file re-saved by
 * R (`layout.rStyle`) an unquoted `NA` or empty cell is NULL and a quoted one is text (`"NA"` is the text NA).
 *
 * @example
 * csvSource(0, 'fy2017.csv', layout, false); // SELECT 0 AS src, ... FROM read_csv('fy2017.csv', ...)
 */
export const csvSource = (
  src: number,
  file: string,
  layout: NypdLayout,
  serial: boolean,
): string => {
  const columns = Array.from({ length: layout.width }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  const reader =
    `read_csv(${sqlString(file)}, header = false, skip = 1, columns = {${columns}}, ` +
    `auto_detect = false, delim = ',', quote = '"', escape = '"', strict_mode = true, ` +
    `ignore_errors = true${serial ? ', parallel = false' : ''}` +
    `${layout.rStyle === true ? ", nullstr = ['NA', ''], allow_quoted_nulls = false" : ''})`;
  return withRules(src, `SELECT ${cellsOf(layout)}, TRUE AS decoded FROM ${reader}`);
};

/**
 * The NYPD tickets of the archive (`nypd.ticket` gzip NDJSON batches in the local cache), mapped onto the same
 * columns. They were decoded by the NypdTicket codec before they were archived, so only the envelope is checked
 * here (`type`, `v`, the derived id); a record failing it is rejected as `undecodable`. A ticket without
 * `violationCode` had a code outside 1–99 (csv-to-stream accepts it and leaves the code out): it reads as code 0,
 * accepted, counted under "code outside 1-99".
 *
 * @example
 * archiveTicketSource(2, ['/cache/archive/type=nypd.ticket/day=2026-11-27/hour=18/a.ndjson.gz']);
 */
export const archiveTicketSource = (src: number, files: ReadonlyArray<string>): string => {
  const text = (field: string): string => `json_extract_string(j, '$.${field}')`;
  const reader = `read_json_objects([${files.map(sqlString).join(', ')}], format = 'newline_delimited', ignore_errors = true)`;
  return withRules(
    src,
    `SELECT ${cellsSql(text, { code_raw: (code) => `coalesce(${code}, '0')` })},
       coalesce(${text('type')} = 'nypd.ticket' AND ${text('v')} = '1'
         AND ${text('id')} = 'nypd:' || ${text('summonsNumber')}, FALSE) AS decoded
     FROM (SELECT json AS j FROM ${reader})`,
  );
};

/**
 * The NYPD tickets of compacted hours (`npm run compact`: Parquet, one row per id, every field the JSON text of
 * its value, the JSON key lowercased as the column's name: analysis/archive/schema.ts), mapped onto the same cells as {@link archiveTicketSource} reads from
 * the NDJSON, so an hour gives the same rows from either side.
 *
 * @example
 * archiveParquetTicketSource(2, ['/cache/archive-parquet/type=nypd.ticket/day=2026-11-27/hour=18/part-0.ab.parquet']);
 */
export const archiveParquetTicketSource = (src: number, files: ReadonlyArray<string>): string =>
  withRules(
    src,
    `SELECT summonsnumber AS summons_raw, issuedate AS date_raw, coalesce(violationcode, '0') AS code_raw,
       violationtime AS tod, violationcounty AS county, violationprecinct AS precinct,
       upper(streetname) AS street, registrationstate AS state, platetype AS plate_type, vehiclemake AS make,
       vehiclebodytype AS body, vehiclecolor AS color, vehicleyear AS vyear, plateid AS plate,
       coalesce(type = 'nypd.ticket' AND v = '1' AND id = 'nypd:' || summonsnumber, FALSE) AS decoded
     FROM read_parquet([${files.map(sqlString).join(', ')}])`,
  );

/** The `kr` of rows rejected for `reason`. */
const kr = (reason: RejectReason): number => 2 + REJECT_REASONS.indexOf(reason);

/**
 * csv-to-stream's checks, in its order: the first failing one names the reason. Each required cell is first
 * tested as written (a clean cell needs no trimming, and trimming costs more than the test); only a cell failing
 * that is trimmed and tested again, so dirty cells get exactly the normaliser's treatment at a fraction of the cost.
 */
const withRules = (src: number, cells: string): string => `
SELECT ${sqlNumber(src)}::UTINYINT AS src, summons,
  CASE
    WHEN NOT decoded THEN ${kr('undecodable')}
    WHEN summons IS NULL THEN ${kr('summons_number_missing')}
    WHEN NOT summons_ok THEN ${kr('summons_number_malformed')}
    WHEN date_missing THEN ${kr('issue_date_missing')}
    WHEN issue_date IS NULL THEN ${kr('issue_date_unparseable')}
    WHEN code_text IS NULL THEN ${kr('violation_code_missing')}
    WHEN NOT code_ok THEN ${kr('violation_code_not_numeric')}
    ELSE 0
  END::UTINYINT AS kr,
  issue_date,
  CASE WHEN code_ok AND TRY_CAST(code_text AS INTEGER) BETWEEN 1 AND 99 THEN TRY_CAST(code_text AS INTEGER) END AS code,
  tod, county, precinct, street, state, plate_type, make, body, color, vyear, plate
FROM (
  SELECT *,
    CASE WHEN s_fast THEN summons_raw ELSE js_trim(summons_raw) END AS summons,
    CASE WHEN s_fast THEN TRUE ELSE coalesce(regexp_full_match(js_trim(summons_raw), '[0-9]{1,20}'), FALSE) END
      AS summons_ok,
    CASE WHEN d_fast IS NOT NULL THEN FALSE ELSE js_trim(date_raw) IS NULL END AS date_missing,
    CASE WHEN year(CASE WHEN d_fast IS NOT NULL THEN d_fast ELSE nypd_day(js_trim(date_raw)) END) >= 1
      THEN CASE WHEN d_fast IS NOT NULL THEN d_fast ELSE nypd_day(js_trim(date_raw)) END END AS issue_date,
    CASE WHEN c_fast THEN code_raw ELSE js_trim(code_raw) END AS code_text,
    CASE WHEN c_fast THEN TRUE ELSE coalesce(regexp_full_match(js_trim(code_raw), '[0-9]+'), FALSE) END AS code_ok
  FROM (
    SELECT *, regexp_full_match(summons_raw, '[0-9]{1,20}') AS s_fast, nypd_day(date_raw) AS d_fast,
      regexp_full_match(code_raw, '[0-9]+') AS c_fast
    FROM (${cells})))`;
