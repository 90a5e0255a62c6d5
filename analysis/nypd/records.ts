/**
 * Counting the records of a CSV file the way csv-to-stream's parser sees them (csv-parse with `relax_quotes`,
 * CRLF or LF, blank lines skipped), without splitting fields. DuckDB's reader skips a record it cannot shape into
 * the header's columns and does not say how many unless it stores every reject (one entry per missing column:
 * 40k bad lines became 866k entries and +1.1 GB at 10 M rows). So rows read = this count, and the records DuckDB
 * skipped = rows read − the rows it returns.
 *
 * Its CSV syntax errors are mirrored too (`csv_syntax`): a quote still open at the end of the file makes the rest
 * one broken record; a record over 64 KiB makes its first line one broken record, and counting resumes on the next
 * line. A closing quote followed by text (`"q"z`) is no error there: `relax_quotes` keeps the field as written.
 */
import { type FileHandle, open } from 'node:fs/promises';

// ---------------------------------------------------------------------------------------------------------------
// model

/** What a scan found. */
export interface RecordCount {
  /** Data records (the header excluded), broken ones included. */
  readonly records: number;
  /** Records the parser could not finish (csv-to-stream's `csv_syntax`). */
  readonly broken: number;
  /** A broken record before the end of the file. */
  readonly brokenMidFile: boolean;
  /**
   * Closing quotes followed by text (`"q"z`): csv-parse keeps such a field as written, DuckDB's strict reader
   * rejects the record, and its parallel reader then drops the rest of its buffer (seen with 1.5.6), so a file
   * with any is read serially and the difference is reported.
   */
  readonly irregularQuotes: number;
  readonly bytes: number;
}

/** csv-to-stream's `MAX_RECORD_CHARS` (counted here in bytes: NYPD text is ASCII but for a few cells). */
export const MAX_RECORD_BYTES = 64 * 1024;

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

// ---------------------------------------------------------------------------------------------------------------
// scanning

/** The file as a sliding window: `buf` holds bytes from `base`. */
interface Window {
  readonly handle: FileHandle;
  readonly chunk: number;
  buf: Buffer;
  base: number;
  eof: boolean;
}

const load = async (w: Window, at: number): Promise<void> => {
  const buf = Buffer.allocUnsafe(w.chunk);
  const { bytesRead } = await w.handle.read(buf, 0, w.chunk, at);
  w.buf = buf.subarray(0, bytesRead);
  w.base = at;
  w.eof = bytesRead < w.chunk;
};

/** The scanner's state; `recordStart` is -1 between records. */
interface Scan {
  pos: number;
  inQuote: boolean;
  recordStart: number;
  /** The byte before `pos` (LF at the start: a field starts there). */
  prev: number;
  /** Absolute offset of the next quote at or after `pos` in the window (-1: none in it), cached across lines. */
  nextQuote: number;
  records: number;
  broken: number;
  brokenMidFile: boolean;
  irregularQuotes: number;
}

/** Ends the current record (if it has content) at a line break or at the end of the file. */
const endRecord = (s: Scan): void => {
  if (s.recordStart !== -1) s.records++;
  s.recordStart = -1;
};

/** A broken record mid-file: count it, and resume on the line after the record's first line. */
const resync = async (s: Scan, w: Window): Promise<void> => {
  s.broken++;
  s.brokenMidFile = true;
  await load(w, s.recordStart);
  for (;;) {
    const i = w.buf.indexOf(LF);
    if (i !== -1) return resumeAt(s, w.base + i + 1);
    if (w.eof) return resumeAt(s, w.base + w.buf.length);
    await load(w, w.base + w.buf.length);
  }
};

const resumeAt = (s: Scan, at: number): void => {
  Object.assign(s, { pos: at, inQuote: false, recordStart: -1, prev: LF, nextQuote: -2 });
};

/**
 * One step outside quotes: up to the next quote or line break. Returns 'more' when the window is used up; a CR
 * ending the window is left for the next one, where the byte after it says whether it ends a line.
 */
const stepOutside = (s: Scan, w: Window): 'more' | 'ok' => {
  const from = s.pos - w.base;
  if (s.nextQuote === -2 || (s.nextQuote !== -1 && s.nextQuote < s.pos)) {
    const found = w.buf.indexOf(QUOTE, from);
    s.nextQuote = found === -1 ? -1 : w.base + found;
  }
  const q = s.nextQuote === -1 ? -1 : s.nextQuote - w.base;
  const n = w.buf.indexOf(LF, from);
  let stop = Math.min(q === -1 ? w.buf.length : q, n === -1 ? w.buf.length : n);
  if (stop === w.buf.length && !w.eof && stop - 1 >= from && w.buf[stop - 1] === CR) stop--;
  // Content before the stop (a CR right before a LF belongs to the line break).
  const contentEnd = stop === n && stop > from && w.buf[stop - 1] === CR ? stop - 1 : stop;
  if (contentEnd > from && s.recordStart === -1) s.recordStart = w.base + from;
  if (stop > from) s.prev = w.buf[stop - 1]!;
  s.pos = w.base + stop;
  if (stop === w.buf.length || (stop !== n && stop !== q)) return 'more';
  if (stop === n) {
    endRecord(s);
    s.prev = LF;
  } else {
    if (s.recordStart === -1) s.recordStart = s.pos;
    // A quote opens a field only at its start; elsewhere it is a character (`relax_quotes`).
    s.inQuote = s.prev === COMMA || s.prev === LF;
    s.prev = QUOTE;
  }
  s.pos++;
  return 'ok';
};

/**
 * One step inside quotes, to the next quote. Returns 'more' (window used up), 'ok' or 'broken' (over
 * {@link MAX_RECORD_BYTES}).
 */
const stepInside = (s: Scan, w: Window): 'more' | 'ok' | 'broken' => {
  const from = s.pos - w.base;
  const q = w.buf.indexOf(QUOTE, from);
  if (q === -1 || (q === w.buf.length - 1 && !w.eof)) {
    s.pos = w.base + (q === -1 ? w.buf.length : q); // keep a final quote: its next byte decides
    return w.base + w.buf.length - s.recordStart > MAX_RECORD_BYTES ? 'broken' : 'more';
  }
  if (w.base + q - s.recordStart > MAX_RECORD_BYTES) return 'broken';
  const next = w.buf[q + 1];
  s.pos = w.base + q + 1;
  if (next === QUOTE) {
    s.pos++; // "" is a quote inside the field
    return 'ok';
  }
  if (next !== undefined && next !== COMMA && next !== LF && next !== CR) s.irregularQuotes++;
  s.inQuote = false;
  s.prev = QUOTE;
  return 'ok';
};

/**
 * Counts a CSV file's data records (the header excluded) in 1 MiB windows (`chunkBytes`): memory stays flat and, since most
 * NYPD lines hold no quote, it jumps from line break to line break at memchr speed (2 GB in about a second).
 * `onProgress` gets the bytes scanned so far.
 *
 * @example
 * const { records } = await countCsvRecords('fy2017.csv'); // 2099 for the FY2017 sample
 */
export const countCsvRecords = async (
  file: string,
  onProgress?: (bytes: number) => void,
  options: { readonly chunkBytes?: number } = {},
): Promise<RecordCount> => {
  const handle = await open(file, 'r');
  const chunk = Math.max(2, options.chunkBytes ?? 1 << 20); // tests use tiny windows to cross every boundary
  const w: Window = { handle, chunk, buf: Buffer.alloc(0), base: 0, eof: false };
  const s: Scan = {
    ...{ pos: 0, inQuote: false, recordStart: -1, prev: LF },
    ...{ nextQuote: -2, records: 0, broken: 0, brokenMidFile: false, irregularQuotes: 0 },
  };
  try {
    const head = Buffer.alloc(3);
    await handle.read(head, 0, 3, 0);
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) s.pos = 3;
    await load(w, s.pos);
    for (;;) {
      if (s.pos >= w.base + w.buf.length) {
        if (w.eof) break;
        await load(w, s.pos);
        s.nextQuote = -2; // a new window: look again
        onProgress?.(s.pos);
        continue;
      }
      if (!s.inQuote) {
        if (stepOutside(s, w) === 'more' && s.pos < w.base + w.buf.length) {
          await load(w, s.pos); // the held-back CR starts the next window
          s.nextQuote = -2;
        }
        continue;
      }
      const step = stepInside(s, w);
      if (step === 'broken') await resync(s, w);
      else if (step === 'more' && w.eof) break;
      else if (step === 'more') {
        await load(w, s.pos);
        s.nextQuote = -2;
      }
    }
  } finally {
    await handle.close();
  }
  if (s.inQuote) s.broken++; // a quote still open at the end: the rest of the file is one broken record
  endRecord(s);
  return {
    records: Math.max(0, s.records - 1),
    broken: s.broken,
    brokenMidFile: s.brokenMidFile,
    irregularQuotes: s.irregularQuotes,
    bytes: w.base + w.buf.length,
  };
};
