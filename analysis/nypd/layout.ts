/**
 * The header of an NYPD file, read as csv-to-stream reads it: the protocol's column table and layout
 * (actors/protocol/nypd-header.ts `nypdLayoutOf`). A file re-saved by R's `write.csv` is `rStyle`: its unquoted `NA`
 * is a missing value (sql.ts).
 */
import { open } from 'node:fs/promises';

import { parse } from 'csv-parse/sync';

import { type NypdLayout, nypdLayoutOf } from '../../actors/protocol/index.ts';
import { E } from '../../runtime/codec.ts';

/**
 * Reads a file's header record (BOM skipped, quotes honoured) and its layout.
 *
 * @example
 * const layout = await readLayout('test/fixtures/nypd/fy2017-sample.csv'); // right({ width: 43, kind: '43', ... })
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
  return header === undefined ? E.left([`${file} is empty`]) : nypdLayoutOf(header);
};
