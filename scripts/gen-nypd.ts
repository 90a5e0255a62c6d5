/**
 * `npm run gen:nypd -- --rows N --out FILE [--layout 43|51] [--dirty 0.01] [--seed 1] [--eol lf|crlf] [--bom]
 * [--no-final-newline]`: writes a large NYPD-shaped CSV file from the real samples' rows and kinds of dirt (see
 * scripts/nypd-generator.ts) and prints what it holds as JSON. Generated files are never committed.
 */
import '../runtime/node-version.ts';

import { parseArgs } from 'node:util';

import { generateNypd } from './nypd-generator.ts';

const USAGE = `usage: npm run gen:nypd -- --rows N --out FILE [--layout 43|51] [--dirty 0.01] [--seed 1]
                        [--eol lf|crlf] [--bom] [--no-final-newline]

  --rows N            data rows to write (a fiscal year is about 10,000,000, 2 GB)
  --out FILE          the CSV file to write (overwritten)
  --layout 43|51      FY2017+ header (43 columns, CRLF) or FY2014-2016 (51 columns, LF); default 43
  --dirty P           share of rows with one kind of real dirt (0..1); default 0
  --seed N            random seed; default 1 (the same seed writes the same file)
  --eol lf|crlf       line breaks; default by layout
  --bom               start with a UTF-8 byte order mark
  --no-final-newline  no line break after the last row
`;

const fail = (why: string): never => {
  process.stderr.write(`gen:nypd: ${why}\n\n${USAGE}`);
  process.exit(64);
};

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        rows: { type: 'string' },
        out: { type: 'string' },
        layout: { type: 'string', default: '43' },
        dirty: { type: 'string', default: '0' },
        seed: { type: 'string', default: '1' },
        eol: { type: 'string' },
        bom: { type: 'boolean', default: false },
        'no-final-newline': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (e) {
    return fail((e as Error).message);
  }
})();
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const rows = Number(values.rows);
const dirty = Number(values.dirty);
const seed = Number(values.seed);
if (!Number.isSafeInteger(rows) || rows < 0) fail('--rows must be a whole number');
if (!values.out) fail('--out is required');
if (values.layout !== '43' && values.layout !== '51') fail('--layout must be 43 or 51');
if (!(dirty >= 0 && dirty <= 1)) fail('--dirty must be between 0 and 1');
if (!Number.isSafeInteger(seed) || seed < 0) fail('--seed must be a whole number');
if (values.eol !== undefined && values.eol !== 'lf' && values.eol !== 'crlf')
  fail('--eol must be lf or crlf');

const result = await generateNypd({
  rows,
  out: values.out!,
  layout: values.layout === '51' ? 51 : 43,
  dirty,
  seed,
  eol: values.eol as 'lf' | 'crlf' | undefined,
  bom: values.bom,
  finalNewline: !values['no-final-newline'],
});
process.stdout.write(`${JSON.stringify({ out: values.out, ...result })}\n`);
