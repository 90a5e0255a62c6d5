/**
 * NYPD header names as csv-to-stream and the analysis both read them: one rule for matching a name to its column
 * and one for telling a file re-saved by R's `write.csv`, so the importer and the SQL never disagree on a file.
 */

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
