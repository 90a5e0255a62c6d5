/**
 * An NYPD file as R re-saves it: `d <- read.csv(file, check.names = TRUE); write.csv(d, out)`, written out by hand
 * (R is not installed where the tests run) from R's documented rules, to test that a re-saved file reads as the
 * file it came from:
 *
 * - header names made syntactic by `make.names(unique = TRUE)`: invalid characters (spaces, `?`) become `.`, a name
 *   not starting with a letter (or a dot not followed by a digit) gets an `X` prefix, a repeated name `.1`, `.2`; a
 *   BOM that `read.csv` was not told about (`fileEncoding = "UTF-8-BOM"`) prefixes the first name with `X.U.FEFF.`
 *   (R in a UTF-8 locale);
 * - a first column named `""` holding the row names `"1"`…`"N"`, quoted like every name;
 * - text quoted with `"` (an embedded quote doubled, `qmethod = "double"`), numbers and missing values (`NA`)
 *   unquoted; line breaks LF;
 * - a column of whole numbers (`type.convert`) is numeric: an empty cell is missing (`NA`), an integer column
 *   prints as written, a double one (a value over 2^31 − 1) with 15 significant digits in fixed or scientific
 *   notation, whichever is shorter (`1400000000` → `1.4e+09`); a column with no value at all is logical, all `NA`;
 * - in a text column an empty cell is `""` (`read.csv`'s default) on even rows and `NA` (`na.strings = ""`) on odd
 *   ones, so both are covered.
 *
 * Where R would lose data, the file keeps it as `colClasses = "character"` would: a number with a leading zero
 * (`0033`), a text `NA`, or a column of `T`/`F` stay text. What R could not have written at all is copied in kind,
 * so the two files line up line for line: a record of another width is written with its own fields (still the
 * wrong width), bytes the parser could not finish are copied as they are, blank lines stay blank lines.
 */
import { readFile } from 'node:fs/promises';

import { FILE_START, readCsv } from '../../actors/csv-to-stream/csv-records.ts';

// ---------------------------------------------------------------------------------------------------------------
// R's rules

const INT_MAX = 2147483647;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const WHOLE = /^(?:0|[1-9]\d{0,14})$/;

/** `make.names(names, unique = TRUE)` for ASCII names. */
export const makeNames = (names: ReadonlyArray<string>): string[] => {
  const seen = new Map<string, number>();
  return names.map((name) => {
    let s = name.replace(/[^A-Za-z0-9._]/g, '.');
    if (!/^(?:[A-Za-z]|\.(?![0-9]))/.test(s)) s = `X${s}`;
    const n = seen.get(s) ?? 0;
    seen.set(s, n + 1);
    return n === 0 ? s : `${s}.${n}`;
  });
};

/** How R prints a whole double (`formatReal`, 15 digits, `scipen = 0`): scientific when strictly shorter. */
export const rDouble = (digits: string): string => {
  const significant = digits.replace(/0+$/, '') || '0';
  const mantissa =
    significant.length > 1 ? `${significant[0]}.${significant.slice(1)}` : significant;
  const scientific = `${mantissa}e+${String(digits.length - 1).padStart(2, '0')}`;
  return digits.length > scientific.length ? scientific : digits;
};

type ColumnType = 'integer' | 'double' | 'logical' | 'character';

const typeOf = (values: ReadonlyArray<string>): ColumnType => {
  const present = values.filter((v) => v !== '');
  if (present.length === 0) return 'logical';
  if (!present.every((v) => WHOLE.test(v))) return 'character';
  return present.every((v) => Number(v) <= INT_MAX) ? 'integer' : 'double';
};

const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;

const cell = (type: ColumnType, value: string, row: number): string => {
  if (type === 'character') return value === '' && row % 2 === 1 ? 'NA' : quote(value);
  if (value === '') return 'NA';
  return type === 'double' ? rDouble(value) : value;
};

// ---------------------------------------------------------------------------------------------------------------
// the file

/**
 * A small R-style file written by hand (fiscal year 2017 by its name, `fy2017-…`), with what the samples lack: a
 * summons number R wrote as `1.4e+09`, an `NA` summons, Issue Date and plate, the texts `"NA"` (a plate, accepted;
 * a Violation Code, rejected as not numeric) and a missing precinct. Rows 1, 2 and 6 are accepted (6 repeats 1's
 * summons: R quotes only text, but a quoted `"1.4e+09"` is read like the number), rows 3-5 rejected.
 */
export const R_HAND_MADE = [
  '"","Summons.Number","Plate.ID","Issue.Date","Violation.Code","Violation.Precinct","Violation.County"',
  '"1",1.4e+09,"NA","07/10/2016",7,NA,"NY"',
  '"2",8002531292,NA,"07/10/2016",7,14,NA',
  '"3",NA,"X","07/10/2016",7,14,""',
  '"4",8002531293,"X","07/10/2016","NA",14,"K"',
  '"5",8002531294,"X",NA,7,14,"K"',
  '"6","1.4e+09","X","07/10/2016",7,14,"K"',
  '',
].join('\n');

/**
 * The text of `path` re-saved by R, as above.
 *
 * @example
 * writeFileSync(join(dir, 'fy2017-sample-r.csv'), await rWriteCsv('test/fixtures/nypd/fy2017-sample.csv'));
 */
export const rWriteCsv = async (path: string): Promise<string> => {
  const items = [];
  for await (const batch of readCsv(path, FILE_START))
    for (const item of batch.items) items.push(item);
  const [head, ...body] = items;
  if (head?.kind !== 'record') throw new Error(`${path}: no header`);
  const width = head.fields.length;
  const rows = body.flatMap((i) => (i.kind === 'record' && i.fields.length === width ? [i] : []));
  const types = head.fields.map((_, c) => typeOf(rows.map((r) => r.fields[c]!)));
  const bom = (await readFile(path)).subarray(0, 3).equals(BOM) ? 'X.U.FEFF.' : '';
  const names = makeNames(head.fields).map((n, c) => (c === 0 ? bom + n : n));
  const out = [['""', ...names.map(quote)].join(',')];
  let line = head.nextLine;
  let row = 0;
  for (const item of body) {
    for (; line < item.line; line++) out.push(''); // blank lines
    line = item.nextLine;
    if (item.kind === 'broken') {
      out.push(item.raw);
      continue;
    }
    row++;
    const regular = item.fields.length === width;
    const cells = item.fields.map((v, c) => (regular ? cell(types[c]!, v, row) : quote(v)));
    out.push([quote(String(row)), ...cells].join(','));
  }
  return `${out.join('\n')}\n`;
};
