/**
 * The header of an NYPD "Parking Violations Issued" file: which column holds which ticket field. Two layouts are
 * published (51 columns up to FY2016, 43 since: the eight geography columns were dropped), and hand-made exports
 * carry any subset of them. Names are matched trimmed (`Days Parking In Effect    `), case- and
 * space-insensitively, a dot counting as a space; unknown columns are ignored, and only Summons Number, Issue Date
 * and Violation Code are required.
 *
 * A file re-saved by R's `write.csv` names its columns the R way (`Summons.Number`, `Unregistered.Vehicle.`: see
 * `isRStyle` in actors/protocol/nypd-header.ts), may start with an unnamed row-names column (ignored like any unknown column) and writes a
 * missing value as an unquoted `NA`: its layout says so (`rStyle`), and the reader treats such an `NA` as an empty
 * cell (r-style.ts).
 */
import { E } from '../../runtime/codec.ts';
import { headerKey, isRStyle } from '../protocol/nypd-header.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** Header name → the ticket field (or input of one) it feeds. Columns not listed here are read and ignored. */
export const TICKET_COLUMNS = {
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
export type ColumnKey = keyof typeof TICKET_COLUMNS;

/** The columns without which a row cannot be a ticket. */
export const REQUIRED_COLUMNS: ReadonlyArray<ColumnKey> = [
  'summonsNumber',
  'issueDate',
  'violationCode',
];

/** The FY2017+ header (43 columns), as published. */
export const LAYOUT_43: ReadonlyArray<string> = [
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
export const LAYOUT_51: ReadonlyArray<string> = [
  ...LAYOUT_43,
  'Latitude', 'Longitude', 'Community Board', 'Community Council', 'Census Tract', 'BIN', 'BBL', 'NTA',
]; // prettier-ignore

/** Where each known field is in a file's records. */
export interface Layout {
  /** Fields a record must have: the header's count. */
  readonly width: number;
  /** Column index of each field the header has. */
  readonly at: Readonly<Partial<Record<ColumnKey, number>>>;
  /** `51` or `43` when the header is exactly a published layout, else `subset`. */
  readonly kind: '51' | '43' | 'subset';
  /** Header names (trimmed) that feed no field, e.g. `Street Code1`. */
  readonly ignored: ReadonlyArray<string>;
  /**
   * Written by R's `write.csv` (see `isRStyle` in actors/protocol/nypd-header.ts): an unquoted `NA` is an empty cell, a quoted `"NA"` the text
   * NA. Absent: false.
   */
  readonly rStyle?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

const KEY_OF: ReadonlyMap<string, ColumnKey> = new Map(
  (Object.entries(TICKET_COLUMNS) as Array<[ColumnKey, string]>).map(([k, n]) => [headerKey(n), k]),
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
 * const layout = layoutOf(['Summons Number ', 'Issue Date', 'Violation Code']); // right({ width: 3, kind: 'subset', ... })
 * layoutOf(['Plate ID']); // left(['missing required column "Summons Number"', ...])
 */
export const layoutOf = (header: ReadonlyArray<string>): E.Either<string[], Layout> => {
  const at: Partial<Record<ColumnKey, number>> = {};
  const ignored: string[] = [];
  const problems: string[] = [];
  header.forEach((name, i) => {
    const key = KEY_OF.get(headerKey(name));
    if (key === undefined) ignored.push(name.trim());
    else if (at[key] !== undefined)
      problems.push(`column "${TICKET_COLUMNS[key]}" appears twice (${at[key] + 1} and ${i + 1})`);
    else at[key] = i;
  });
  for (const key of REQUIRED_COLUMNS)
    if (at[key] === undefined) problems.push(`missing required column "${TICKET_COLUMNS[key]}"`);
  if (problems.length > 0) return E.left(problems);
  const rStyle = isRStyle(header, Object.values(at));
  const names = rStyle ? withoutRowNames(header) : header;
  const kind = sameNames(names, LAYOUT_51) ? '51' : sameNames(names, LAYOUT_43) ? '43' : 'subset';
  return E.right({ width: header.length, at, kind, ignored, ...(rStyle ? { rStyle } : {}) });
};
