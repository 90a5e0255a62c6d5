/**
 * The header of an NYPD file, as csv-to-stream reads it: names matched trimmed, case- and space-insensitively, a
 * dot counting as a space; Summons Number, Issue Date and Violation Code required; any other column optional. Only
 * the columns a statistic needs are listed here, so DuckDB materialises nothing else.
 *
 * A file re-saved by R's `write.csv` (R names, `Summons.Number`) is `rStyle`: its unquoted `NA` is a missing value
 * (sql.ts), as in csv-to-stream's columns.ts and r-style.ts, whose rules these copy.
 */
import { open } from 'node:fs/promises';

import { parse } from 'csv-parse/sync';

import { headerKey, isRStyle } from '../../actors/protocol/nypd-header.ts';
import { E } from '../../runtime/codec.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** The columns the report reads, by key. */
export const NYPD_COLUMNS = {
  summons: 'Summons Number',
  issueDate: 'Issue Date',
  code: 'Violation Code',
  plate: 'Plate ID',
  state: 'Registration State',
  plateType: 'Plate Type',
  bodyType: 'Vehicle Body Type',
  make: 'Vehicle Make',
  precinct: 'Violation Precinct',
  time: 'Violation Time',
  county: 'Violation County',
  street: 'Street Name',
  color: 'Vehicle Color',
  year: 'Vehicle Year',
} as const;

/** A column the report reads. */
export type NypdColumn = keyof typeof NYPD_COLUMNS;

/** Without these a row cannot be a ticket: a file lacking one cannot be read at all. */
export const REQUIRED: ReadonlyArray<NypdColumn> = ['summons', 'issueDate', 'code'];

/** Where the columns are in a file. */
export interface NypdLayout {
  /** Fields every record must have: the header's count. */
  readonly width: number;
  /** Index of each column the header has. */
  readonly at: Readonly<Partial<Record<NypdColumn, number>>>;
  /**
   * Written by R's `write.csv`: the names of the columns read are R's syntactic names (no spaces, at least one dot).
   * Absent: false.
   */
  readonly rStyle?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

const KEY_OF: ReadonlyMap<string, NypdColumn> = new Map(
  (Object.entries(NYPD_COLUMNS) as Array<[NypdColumn, string]>).map(([k, n]) => [headerKey(n), k]),
);

/**
 * The layout of a header record, or every reason it cannot be used (a required column missing, a column twice).
 *
 * @example
 * layoutOf(['Summons Number ', 'Issue Date', 'Violation Code']); // right({ width: 3, at: { summons: 0, ... } })
 */
export const layoutOf = (header: ReadonlyArray<string>): E.Either<string[], NypdLayout> => {
  const at: Partial<Record<NypdColumn, number>> = {};
  const problems: string[] = [];
  header.forEach((name, i) => {
    const key = KEY_OF.get(headerKey(name));
    if (key === undefined) return;
    if (at[key] !== undefined)
      problems.push(`column "${NYPD_COLUMNS[key]}" appears twice (${at[key] + 1} and ${i + 1})`);
    else at[key] = i;
  });
  for (const key of REQUIRED)
    if (at[key] === undefined) problems.push(`missing required column "${NYPD_COLUMNS[key]}"`);
  if (problems.length > 0) return E.left(problems);
  const rStyle = isRStyle(header, Object.values(at));
  return E.right({ width: header.length, at, ...(rStyle ? { rStyle } : {}) });
};

/**
 * Reads a file's header record (BOM skipped, quotes honoured) and its layout.
 *
 * @example
 * const layout = await readLayout('test/fixtures/nypd/fy2017-sample.csv'); // right({ width: 43, ... })
 */
export const readLayout = async (file: string): Promise<E.Either<string[], NypdLayout>> => {
  let head: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (err) {
    return E.left([`cannot read ${file}: ${(err as Error).message}`]);
  }
  const lf = head.indexOf(0x0a);
  const records: string[][] = parse(lf === -1 ? head : head.subarray(0, lf + 1), {
    bom: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    to: 1,
  });
  const header = records[0];
  return header === undefined ? E.left([`${file} is empty`]) : layoutOf(header);
};
