/**
 * The input files of a job, checked before anything is published: each exists, is a regular file, starts with a
 * parseable header that has the required columns; with its layout, where its first row starts, and its identity.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import { E } from '../../runtime/codec.ts';
import { type NypdLayout, nypdLayoutOf } from '../protocol/index.ts';
import { type FileIdentity, fileIdentity } from './checkpoint.ts';
import { FILE_START, type Position, readCsv } from './csv-records.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** A file that cannot be imported at all (missing, empty, or a header without the required columns). */
export interface InputError {
  readonly _tag: 'InputError';
  readonly file: string;
  readonly problems: ReadonlyArray<string>;
  readonly missing: boolean;
}

/** A file ready to import. */
export interface InputFile {
  /** Absolute path. */
  readonly path: string;
  /** As given on the command line (for reports). */
  readonly given: string;
  readonly layout: NypdLayout;
  /** Where the first row starts. */
  readonly afterHeader: Position;
  readonly identity: FileIdentity;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

const inputError = (file: string, problems: string[], missing = false): InputError => ({
  _tag: 'InputError',
  file,
  problems,
  missing,
});

const readHeader = async (
  path: string,
): Promise<E.Either<string[], InputFile['afterHeader'] & { fields: string[] }>> => {
  for await (const batch of readCsv(path, FILE_START, { chunkBytes: 1 << 16 })) {
    const first = batch.items[0];
    if (first === undefined) continue;
    if (first.kind === 'broken') return E.left([`the header cannot be parsed (${first.code})`]);
    return E.right({ fields: first.fields, byte: first.end, line: first.nextLine });
  }
  return E.left(['the file is empty']);
};

/**
 * Every file's layout, first row and identity, in order; throws an {@link InputError} for the first file that
 * cannot be imported.
 *
 * @example
 * const inputs = await prepareInputs(['fy2014.csv', 'fy2017.csv']);
 */
export const prepareInputs = async (files: ReadonlyArray<string>): Promise<InputFile[]> => {
  const out: InputFile[] = [];
  for (const given of files) {
    const path = resolve(given);
    const st = await stat(path).catch(() => undefined);
    if (st === undefined) throw inputError(given, ['no such file'], true);
    if (!st.isFile()) throw inputError(given, ['not a regular file'], true);
    const header = await readHeader(path);
    if (E.isLeft(header)) throw inputError(given, header.left);
    const layout = nypdLayoutOf(header.right.fields);
    if (E.isLeft(layout)) throw inputError(given, layout.left);
    const afterHeader = { byte: header.right.byte, line: header.right.line };
    out.push({ path, given, layout: layout.right, afterHeader, identity: fileIdentity(path) });
  }
  return out;
};
