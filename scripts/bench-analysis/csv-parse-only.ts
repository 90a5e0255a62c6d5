/**
 * csv-parse alone over a file (no work per row), as csv-to-stream reads: the ceiling of any analysis that streams
 * rows through csv-to-stream's normaliser instead of DuckDB's reader. Prints the row count.
 */
import { createReadStream } from 'node:fs';

import { parse } from 'csv-parse';

let rows = 0;
const parser = createReadStream(process.argv[2] ?? '').pipe(
  parse({ bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true }),
);
for await (const _ of parser) rows++;
console.log(rows);
