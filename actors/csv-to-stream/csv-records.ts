/**
 * Streams the records of a CSV file with csv-parse (RFC 4180: quoted fields with commas and line breaks), from any
 * record boundary, in batches of one read chunk, with memory bounded by the chunk and the largest record whatever
 * the file size. Every record carries its byte range and the 1-based physical line where it starts, so a reject
 * can quote its text and line and a checkpoint can resume exactly after it.
 *
 * Line breaks are CRLF or LF (mixed too; a lone CR is data); a UTF-8 BOM at the start is skipped; blank lines are
 * not records; the last record needs no final line break. A record the parser cannot finish is reported as a
 * `broken` item, never thrown: a quote still open at the end of the file (a file cut mid-record) makes the rest of
 * the file one broken item; a record over {@link MAX_RECORD_CHARS} (a stray quote swallowing the following lines)
 * makes its first line one broken item, and parsing resumes on the next line.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

import { Parser } from 'csv-parse';

// ---------------------------------------------------------------------------------------------------------------
// model

/** A record boundary in a file: the byte offset where the next record begins and that byte's physical line. */
export interface Position {
  readonly byte: number;
  readonly line: number;
}

interface Span {
  /** Physical line (1-based) of the first byte of the record's text. */
  readonly line: number;
  /** Byte offset of the record's text (after any blank lines before it). */
  readonly start: number;
  /** Byte offset after the record and its line break: where the next record (or blank line) begins. */
  readonly end: number;
  /** Physical line of `end`. */
  readonly nextLine: number;
}

/** A parsed record: its fields as written (unquoted, untrimmed). */
export interface CsvRecord extends Span {
  readonly kind: 'record';
  readonly fields: string[];
}

/** Bytes the parser could not turn into a record; `code` is csv-parse's error code. */
export interface CsvBroken extends Span {
  readonly kind: 'broken';
  readonly code: string;
  /** The text (first {@link MAX_RECORD_CHARS} bytes at most). */
  readonly raw: string;
}

/** What a batch holds, in file order. */
export type CsvItem = CsvRecord | CsvBroken;

/** The records of one read chunk. */
export interface CsvBatch {
  readonly items: ReadonlyArray<CsvItem>;
  /** Where reading continues after this batch. */
  readonly next: Position;
  /** File bytes read so far (for progress). */
  readonly bytesRead: number;
  /** An item's text as written, without its final line break. Valid until the next batch is requested. */
  readonly raw: (item: CsvItem) => string;
  /** The bytes the batch's records were read from, starting at file offset `bytesStart` (see {@link text}). */
  readonly bytes: Buffer;
  readonly bytesStart: number;
}

/** Records longer than this (in characters) are broken: a real NYPD record is under 1 KiB. */
export const MAX_RECORD_CHARS = 64 * 1024;

/** The start of every file. */
export const FILE_START: Position = { byte: 0, line: 1 };

// ---------------------------------------------------------------------------------------------------------------
// reading

const LF = 0x0a;
const CR = 0x0d;

/** What a parser error carries that we use. */
type CsvError = Error & { readonly code?: string };

/** A parser fed by hand: each call hands its records to the sink at once, and returns the error that stopped it. */
interface RecordParser {
  readonly write: (chunk: Buffer) => CsvError | undefined;
  readonly end: () => CsvError | undefined;
}

/**
 * csv-parse's synchronous core, which its stream class wraps (`parser.api`). It is not in the typings; feeding it
 * directly skips a stream push and an info object per record (about a fifth of the parse cost) and hands out
 * each record while `info.bytes` is its end offset. Checked on creation, so a csv-parse without it fails loudly.
 */
interface CsvCore {
  readonly parse: (
    buf: Buffer | undefined,
    end: boolean,
    push: (record: string[]) => void,
    close: () => void,
  ) => CsvError | undefined;
}

const newParser = (
  withBom: boolean,
  sink: (fields: string[], end: number) => void,
): RecordParser => {
  const parser = new Parser({
    bom: withBom,
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true, // the field count is the caller's rule (a reject), not a parse error
    relax_quotes: true, // a quote inside an unquoted field is a character (`5" PIPE`), as every reader takes it
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
  });
  const api = (parser as unknown as { readonly api?: CsvCore }).api;
  if (typeof api?.parse !== 'function')
    throw new Error(
      'csv-parse has no parser core (Parser.api.parse): csv-to-stream needs csv-parse 6',
    );
  const core: CsvCore = api;
  const info = parser.info; // the core's live counters
  const push = (fields: string[]): void => sink(fields, info.bytes);
  const close = (): void => undefined; // only called for the `to`/`to_line` options, unused here
  return {
    write: (chunk) => core.parse(chunk, false, push, close),
    end: () => core.parse(undefined, true, push, close),
  };
};

/**
 * Reads records from `from` (a record boundary: {@link FILE_START} or a batch's `next`) to the end of the file.
 *
 * @example
 * for await (const batch of readCsv('fy2017.csv', FILE_START))
 *   for (const item of batch.items) if (item.kind === 'broken') console.log(item.line, batch.raw(item));
 */
export async function* readCsv(
  path: string,
  from: Position,
  options: { readonly chunkBytes?: number } = {},
): AsyncGenerator<CsvBatch> {
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  const fh = await open(path, 'r');
  try {
    let { byte: boundary, line } = from; // the next record's start, and its line
    let readAt = from.byte;
    let carry = Buffer.alloc(0); // bytes from `boundary` to `readAt`: the start of an unfinished record
    let buf = carry; // carry + the chunk being parsed, from `bufStart`
    let bufStart = boundary;
    let items: CsvItem[] = [];
    let base = from.byte; // the parser counts bytes from where it started

    // Where a record ending at `end` starts (after blank lines), and its lines; moves `boundary` and `line` on.
    const span = (end: number): Span => {
      let start = boundary;
      while (start < end && (buf[start - bufStart] === LF || buf[start - bufStart] === CR))
        if (buf[start++ - bufStart] === LF) line++;
      const first = line;
      for (let i = buf.indexOf(LF, start - bufStart); i >= 0 && i < end - bufStart; line++)
        i = buf.indexOf(LF, i + 1);
      boundary = end;
      return { line: first, start, end, nextLine: line };
    };
    // Called by the parser for each record, while `buf` holds it.
    const onRecord = (fields: string[], end: number): void => {
      const { line: first, start, nextLine } = span(base + end);
      items.push({ kind: 'record', fields, line: first, start, end: base + end, nextLine });
    };
    let parser = newParser(from.byte === 0, onRecord);

    for (let eof = false; !eof;) {
      const chunk = await readChunk(fh, readAt, chunkBytes);
      eof = chunk.length === 0;
      bufStart = boundary;
      buf = eof ? carry : Buffer.concat([carry, chunk]);
      readAt += chunk.length;
      items = [];
      const error = eof ? parser.end() : parser.write(chunk);
      if (error) {
        // At the end of the file the rest is one broken record; mid-file, its first line is.
        const head = firstContent(buf, bufStart, boundary);
        const stop = eof ? { end: readAt, lf: false } : await endOfLine(fh, buf, bufStart, head);
        const s = span(stop.end);
        if (stop.lf && stop.end > bufStart + buf.length) line++; // the line break lay past `buf`
        const raw = text(buf, bufStart, s.start, stop.end);
        items.push({ kind: 'broken', code: error.code ?? 'CSV_ERROR', ...s, nextLine: line, raw });
        // Start over on the next line with a fresh parser: nothing after `boundary` has been read by it.
        readAt = base = boundary;
        parser = newParser(false, onRecord);
        eof ||= boundary >= (await fh.stat()).size;
      }
      carry = buf.subarray(boundary - bufStart, Math.max(boundary, readAt) - bufStart);
      if (items.length > 0 || eof) {
        const [held, heldStart] = [buf, bufStart];
        yield {
          items,
          next: { byte: boundary, line },
          bytesRead: readAt,
          raw: (item) =>
            item.kind === 'broken' ? item.raw : text(held, heldStart, item.start, item.end),
          bytes: held,
          bytesStart: heldStart,
        };
      }
    }
  } finally {
    await fh.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// utils

const readChunk = async (fh: FileHandle, at: number, size: number): Promise<Buffer> => {
  const buffer = Buffer.allocUnsafe(size);
  const { bytesRead } = await fh.read({ buffer, position: at, length: size });
  return buffer.subarray(0, bytesRead);
};

/** The offset of a record's first character (after blank lines). */
const firstContent = (buf: Buffer, bufStart: number, from: number): number => {
  let i = from - bufStart;
  while (i < buf.length && (buf[i] === LF || buf[i] === CR)) i++;
  return bufStart + i;
};

/** The offset after the line break ending the line that holds `from` (read on past `buf` if needed), or EOF. */
const endOfLine = async (
  fh: FileHandle,
  buf: Buffer,
  bufStart: number,
  from: number,
): Promise<{ readonly end: number; readonly lf: boolean }> => {
  const i = buf.indexOf(LF, from - bufStart);
  if (i >= 0) return { end: bufStart + i + 1, lf: true };
  for (let at = bufStart + buf.length; ;) {
    const chunk = await readChunk(fh, at, 1 << 16);
    if (chunk.length === 0) return { end: at, lf: false };
    const j = chunk.indexOf(LF);
    if (j >= 0) return { end: at + j + 1, lf: true };
    at += chunk.length;
  }
};

/**
 * UTF-8 text of `[start, end)` (clipped to what `buf` holds and to MAX_RECORD_CHARS), without its line break: a
 * record's `raw`. `buf` holds the file's bytes from offset `bufStart`.
 */
export const text = (buf: Buffer, bufStart: number, start: number, end: number): string => {
  let e = Math.min(end, bufStart + buf.length, start + MAX_RECORD_CHARS) - bufStart;
  if (e === end - bufStart && buf[e - 1] === LF) e -= buf[e - 2] === CR ? 2 : 1;
  return buf.toString('utf8', start - bufStart, Math.max(e, start - bufStart));
};
