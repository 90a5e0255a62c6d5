/**
 * What R's `write.csv` changes in an NYPD file it re-saves (a file whose layout is `rStyle`, columns.ts), undone so
 * the file gives the rows, rejects and counts of the file R read:
 *
 * - a missing value is an unquoted `NA` (`na = "NA"`), while every text value is quoted: an unquoted `NA` is an
 *   empty cell and a quoted `"NA"` the text NA ({@link clearMissing});
 * - a number R holds as a double is written with 15 significant digits in whichever of fixed or scientific
 *   notation is shorter: a summons number ending in zeros becomes `1.4e+09` ({@link fromRNumber}).
 *
 * Header names (`Summons.Number`) and the row-names column are the layout's business (columns.ts). The per-row cost
 * is paid only in R-style files: a comparison per ticket column, and a look at the record's bytes only when one of
 * them reads `NA`.
 */

// ---------------------------------------------------------------------------------------------------------------
// missing values

const QUOTE = 0x22;
const COMMA = 0x2c;
const QUOTED_NA = Buffer.from('"NA"');

/**
 * Which fields of a record's text start with a quote (R quotes text, never a number or `NA`), up to `count`
 * fields. Quoting follows RFC 4180 as csv-parse reads it: a quote opens a field only at its start, `""` inside it is
 * a quote.
 */
const quotedFields = (record: Uint8Array, count: number): boolean[] => {
  const quoted: boolean[] = [];
  for (let p = 0; quoted.length < count && p <= record.length; p++) {
    if (record[p] === QUOTE) {
      quoted.push(true);
      for (p++; p < record.length; p++)
        if (record[p] === QUOTE) {
          if (record[p + 1] !== QUOTE) break;
          p++;
        }
    } else quoted.push(false);
    const comma = record.indexOf(COMMA, p);
    if (comma < 0) break;
    p = comma;
  }
  return quoted;
};

/**
 * The fields of a record of an R-style file with the missing values (unquoted `NA`) among `columns` (the ticket
 * columns) as empty cells; the same array when there are none. The record's text is `bytes[start, end)`, read only
 * when a field reads `NA`, to tell `NA` from `"NA"`.
 *
 * @example
 * const text = Buffer.from('"1",NA,"NA"');
 * clearMissing(['1', 'NA', 'NA'], [1, 2], text, 0, text.length); // ['1', '', 'NA']
 */
export const clearMissing = (
  fields: ReadonlyArray<string>,
  columns: ReadonlyArray<number>,
  bytes: Buffer,
  start: number,
  end: number,
): ReadonlyArray<string> => {
  let first = -1;
  for (let c = 0; c < columns.length && first < 0; c++) if (fields[columns[c]!] === 'NA') first = c;
  if (first < 0) return fields;
  const record = bytes.subarray(start, end);
  // Without a `"NA"` anywhere in the record (the usual case), every `NA` is a missing value.
  const quoted = record.indexOf(QUOTED_NA) < 0 ? [] : quotedFields(record, fields.length);
  const out = fields.slice();
  for (let c = first; c < columns.length; c++) {
    const i = columns[c]!;
    if (out[i] === 'NA' && quoted[i] !== true) out[i] = '';
  }
  return out;
};

// ---------------------------------------------------------------------------------------------------------------
// numbers

const R_SCIENTIFIC = /^([1-9])(?:\.(\d{1,14}))?e\+(\d{2,3})$/;

/**
 * The digits of a whole number R wrote in scientific notation (`1.4e+09` → `1400000000`), exactly (no floating
 * point), or `undefined` when the text is not such a number.
 *
 * @example
 * fromRNumber('1.4e+09'); // '1400000000'
 * fromRNumber('1.5e-01'); // undefined
 */
export const fromRNumber = (text: string): string | undefined => {
  const m = R_SCIENTIFIC.exec(text);
  if (m === null) return undefined;
  const fraction = m[2] ?? '';
  const zeros = Number(m[3]) - fraction.length;
  // Not whole, or longer than a summons number can be (20 digits).
  if (zeros < 0 || 1 + fraction.length + zeros > 20) return undefined;
  return `${m[1]}${fraction}${'0'.repeat(zeros)}`;
};
