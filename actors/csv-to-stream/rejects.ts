/**
 * The rejects file: one JSON line per rejected record (`line` = the 1-based physical line where the record starts,
 * the header being line 1; `reason`; `detail`; `raw` = the record as written; `file`). Writes are buffered and made
 * durable by `sync()` before a checkpoint counts them; a resumed run truncates the file back to the checkpointed
 * length first, so a reject is in the file exactly once whatever crashed when.
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

import type { RejectReason } from './normalise.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** One line of the rejects file. */
export interface RejectEntry {
  readonly line: number;
  readonly reason: RejectReason;
  readonly detail: string;
  readonly raw: string;
  /** The file's base name. */
  readonly file: string;
}

/** An open rejects file. */
export interface RejectsFile {
  readonly path: string;
  /** Appends an entry (buffered). */
  readonly write: (entry: RejectEntry) => void;
  /** Bytes written so far, buffered ones included: the length after the next `sync()`. */
  readonly bytes: () => number;
  /** Writes the buffer out and fsyncs. */
  readonly sync: () => void;
  readonly close: () => void;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

const FLUSH_AT = 64 * 1024;

/**
 * Opens (creating its folder) and truncates a rejects file to `keepBytes`: 0 overwrites it, a checkpoint's length
 * resumes it. A file shorter than that (edited or replaced since) is kept whole: `bytes()` tells.
 *
 * @example
 * const rejects = openRejectsFile('rejects.ndjson', 0);
 * rejects.write({ line: 12, reason: 'field_count', detail: 'expected 43 fields, got 1', raw, file: 'fy2017.csv' });
 * rejects.sync();
 */
export const openRejectsFile = (path: string, keepBytes: number): RejectsFile => {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a+');
  let written = Math.min(keepBytes, fstatSync(fd).size);
  ftruncateSync(fd, written); // 'a+' then appends after it
  let pending: string[] = [];
  let pendingBytes = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    writeSync(fd, pending.join(''));
    pending = [];
    pendingBytes = 0;
  };
  return {
    path,
    write: (entry) => {
      const text = `${JSON.stringify({
        line: entry.line,
        reason: entry.reason,
        detail: entry.detail,
        raw: entry.raw,
        file: entry.file,
      })}\n`;
      const size = Buffer.byteLength(text);
      pending.push(text);
      pendingBytes += size;
      written += size;
      if (pendingBytes >= FLUSH_AT) flush();
    },
    bytes: () => written,
    sync: () => {
      flush();
      fsyncSync(fd);
    },
    close: () => {
      flush();
      closeSync(fd);
    },
  };
};
