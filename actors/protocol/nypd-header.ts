/**
 * The header of an NYPD "Parking Violations Issued" file, as csv-to-stream and the analysis both read it: the one
 * table of the columns they know, one rule for matching a name to its column and one for telling a file re-saved by
 * R's `write.csv`, so the importer and the SQL never disagree on a file.
 *
 * Two layouts are published (51 columns up to FY2016, 43 since: the eight geography columns were dropped), and
 * hand-made exports carry any subset of them. Names are matched trimmed (`Days Parking In Effect    `), case- and
 * space-insensitively, a dot counting as a space; unknown columns are ignored, and only Summons Number, Issue Date
 * and Violation Code are required. A file re-saved by R names its columns the R way (`Summons.Number`,
 * `Unregistered.Vehicle.`: {@link isRStyle}), may start with an unnamed row-names column (ignored like any unknown
 * column) and writes a missing value as an unquoted `NA`: its layout says so (`rStyle`), and each reader treats
 * such an `NA` as an empty cell (csv-to-stream's r-style.ts, the analysis's nypd/sql.ts).
 */
import { E } from '../../runtime/codec.ts';

/**
 * What R's `read.csv` makes of a UTF-8 BOM before the first name when the file was not opened as `UTF-8-BOM`:
 * `X.U.FEFF.` in a UTF-8 locale, `ï..` in a Latin-1 one.
 */
const R_BOM = /^(?:x\.u\.feff\.|\u00ef\.\.)/i;

/**
 * The form two header names are compared in: trimmed, R's BOM forms dropped, dots and runs of spaces as one space,
 * lower case (`Summons.Number` ≡ `Summons Number `).
 * @example headerKey('X.U.FEFF.Summons.Number') // 'summons number'
 */
export const headerKey = (name: string): string =>
  name
    .trim()
    .replace(R_BOM, '')
    .replace(/[\s.]+/g, ' ')
    .trim()
    .toLowerCase();

/**
 * Whether a header was written by R (`write.csv` of what `read.csv` read): the names of the ticket columns it has
 * (`known`, their indexes) are R's syntactic names (`make.names`: no spaces, dots for them, `Summons.Number`) and at
 * least one has a dot. NYPD's own names have spaces, so no published file is taken for R's.
 *
 * @example
 * isRStyle(['', 'Summons.Number', 'Issue.Date', 'Violation.Code'], [1, 2, 3]); // true
 * isRStyle(['Summons Number', 'Issue Date', 'Violation Code'], [0, 1, 2]); // false
 */
export const isRStyle = (header: ReadonlyArray<string>, known: ReadonlyArray<number>): boolean =>
  known.every((i) => !/\s/.test(header[i]!.trim())) && known.some((i) => header[i]!.includes('.'));

// ---------------------------------------------------------------------------------------------------------------
// model

/**
 * The NYPD columns csv-to-stream and the analysis read: header name by the ticket field (or input of one) it feeds
 * (nypd-ticket.ts). Columns not listed here are read and ignored.
 */
export const NYPD_COLUMNS = {
  summonsNumber: 'Summons Number',
  plateId: 'Plate ID',
  registrationState: 'Registration State',
  plateType: 'Plate Type',
  issueDate: 'Issue Date',
  violationCode: 'Violation Code',
  vehicleBodyType: 'Vehicle Body Type',
  vehicleMake: 'Vehicle Make',
  issuingAgency: 'Issuing Agency',
  violationPrecinct: 'Violation Precinct',
  issuerPrecinct: 'Issuer Precinct',
  violationTime: 'Violation Time',
  violationCounty: 'Violation County',
  houseNumber: 'House Number',
  streetName: 'Street Name',
  intersectingStreet: 'Intersecting Street',
  lawSection: 'Law Section',
  subDivision: 'Sub Division',
  vehicleColor: 'Vehicle Color',
  vehicleYear: 'Vehicle Year',
  violationDescription: 'Violation Description',
} as const;

/** A field fed by a column. */
export type NypdColumn = keyof typeof NYPD_COLUMNS;

/** The columns without which a row cannot be a ticket. */
export const REQUIRED_NYPD_COLUMNS: ReadonlyArray<NypdColumn> = [
  'summonsNumber',
  'issueDate',
  'violationCode',
];

/** The FY2017+ header (43 columns), as published. */
export const NYPD_LAYOUT_43: ReadonlyArray<string> = [
  'Summons Number', 'Plate ID', 'Registration State', 'Plate Type', 'Issue Date', 'Violation Code',
  'Vehicle Body Type', 'Vehicle Make', 'Issuing Agency', 'Street Code1', 'Street Code2', 'Street Code3',
  'Vehicle Expiration Date', 'Violation Location', 'Violation Precinct', 'Issuer Precinct', 'Issuer Code',
  'Issuer Command', 'Issuer Squad', 'Violation Time', 'Time First Observed', 'Violation County',
  'Violation In Front Of Or Opposite', 'House Number', 'Street Name', 'Intersecting Street',
  'Date First Observed', 'Law Section', 'Sub Division', 'Violation Legal Code', 'Days Parking In Effect',
  'From Hours In Effect', 'To Hours In Effect', 'Vehicle Color', 'Unregistered Vehicle?', 'Vehicle Year',
  'Meter Number', 'Feet From Curb', 'Violation Post Code', 'Violation Description',
  'No Standing or Stopping Violation', 'Hydrant Violation', 'Double Parking Violation',
]; // prettier-ignore

/** The FY2014–2016 header (51 columns): the 43 plus eight geography columns, empty in the files seen. */
export const NYPD_LAYOUT_51: ReadonlyArray<string> = [
  ...NYPD_LAYOUT_43,
  'Latitude', 'Longitude', 'Community Board', 'Community Council', 'Census Tract', 'BIN', 'BBL', 'NTA',
]; // prettier-ignore

/** Where each known field is in a file's records. */
export interface NypdLayout {
  /** Fields a record must have: the header's count. */
  readonly width: number;
  /** Column index of each field the header has. */
  readonly at: Readonly<Partial<Record<NypdColumn, number>>>;
  /** `51` or `43` when the header is exactly a published layout, else `subset`. */
  readonly kind: '51' | '43' | 'subset';
  /** Header names (trimmed) that feed no field, e.g. `Street Code1`. */
  readonly ignored: ReadonlyArray<string>;
  /**
   * Written by R's `write.csv` (see {@link isRStyle}): an unquoted `NA` is an empty cell, a quoted `"NA"` the text
   * NA. Absent: false.
   */
  readonly rStyle?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

const KEY_OF: ReadonlyMap<string, NypdColumn> = new Map(
  (Object.entries(NYPD_COLUMNS) as Array<[NypdColumn, string]>).map(([k, n]) => [headerKey(n), k]),
);
/** A name with R's invalid characters (`?`, spaces) as spaces: `Unregistered Vehicle?` ≡ `Unregistered.Vehicle.`. */
const loose = (name: string): string => headerKey(name.replace(/[^A-Za-z0-9._]/g, ' '));
const sameNames = (header: ReadonlyArray<string>, layout: ReadonlyArray<string>): boolean =>
  header.length === layout.length && header.every((h, i) => loose(h) === loose(layout[i]!));
/** A header without R's row-names column (a first column named ""), if it has one. */
const withoutRowNames = (header: ReadonlyArray<string>): ReadonlyArray<string> =>
  header[0]?.trim() === '' ? header.slice(1) : header;

/**
 * The layout of a header record, or every reason it cannot be used (a required column missing, a known column
 * twice). A BOM is stripped by the CSV reader before this sees the first name.
 *
 * @example
 * const layout = nypdLayoutOf(['Summons Number ', 'Issue Date', 'Violation Code']); // right({ width: 3, kind: 'subset', ... })
 * nypdLayoutOf(['Plate ID']); // left(['missing required column "Summons Number"', ...])
 */
export const nypdLayoutOf = (header: ReadonlyArray<string>): E.Either<string[], NypdLayout> => {
  const at: Partial<Record<NypdColumn, number>> = {};
  const ignored: string[] = [];
  const problems: string[] = [];
  header.forEach((name, i) => {
    const key = KEY_OF.get(headerKey(name));
    if (key === undefined) ignored.push(name.trim());
    else if (at[key] !== undefined)
      problems.push(`column "${NYPD_COLUMNS[key]}" appears twice (${at[key] + 1} and ${i + 1})`);
    else at[key] = i;
  });
  for (const key of REQUIRED_NYPD_COLUMNS)
    if (at[key] === undefined) problems.push(`missing required column "${NYPD_COLUMNS[key]}"`);
  if (problems.length > 0) return E.left(problems);
  const rStyle = isRStyle(header, Object.values(at));
  const names = rStyle ? withoutRowNames(header) : header;
  const kind = sameNames(names, NYPD_LAYOUT_51)
    ? '51'
    : sameNames(names, NYPD_LAYOUT_43)
      ? '43'
      : 'subset';
  return E.right({ width: header.length, at, kind, ignored, ...(rStyle ? { rStyle } : {}) });
};
