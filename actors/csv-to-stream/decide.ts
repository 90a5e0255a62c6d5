/**
 * The pure half of an import, in two stages that can run on two threads:
 *
 * 1. {@link parseBatches} reads a file's records from a position with csv-parse and hands out per read chunk their
 *    fields packed in one string ({@link ParsedBatch}: cheap to post to another thread), their lines and byte
 *    ranges, and the bytes they were read from (for a reject's text).
 * 2. {@link decideParsed} decides each record ({@link normaliseRow}), counts it, and turns the accepted tickets into
 *    JSON (one buffer, plus where each ticket ends) and the rejects into entries.
 *
 * {@link decideBatches} runs both in the calling thread; for real imports `decide-thread.ts` runs stage 1 in a
 * worker thread, which parses the next chunks on one core while the main thread decides, publishes, writes the
 * rejects and checkpoints on the other. No effect but reading the file.
 */
import { basename } from 'node:path';

import { encodedAt, type EncodedBatch, encodedBatch } from '../../runtime/bus/encoded.ts';
import type { NypdLayout } from '../protocol/index.ts';
import { type NypdTicket, nypdTicketEncoding } from '../protocol/nypd-ticket.ts';
import { type Position, readCsv, text } from './csv-records.ts';
import { type DateWindow, normaliseRow } from './normalise.ts';
import { clearMissing } from './r-style.ts';
import type { RejectEntry } from './rejects.ts';
import { copyTally, countAccepted, countRejected, type Tally } from './tally.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** What deciding one file needs: plain data, so it can be handed to a worker thread. */
export interface DecideJob {
  readonly path: string;
  readonly layout: NypdLayout;
  /** A record boundary (a checkpoint's position, or the first record after the header). */
  readonly from: Position;
  /** The counts up to `from` (a resumed file goes on counting from its checkpoint). */
  readonly tally: Tally;
  readonly plausibleIssueDates: DateWindow;
  /** Bytes read per batch. */
  readonly chunkBytes: number;
  /** Whether accepted tickets are wanted as JSON (not in a dry run: then they are only counted). */
  readonly encode: boolean;
}

/** What parsing one file needs (the worker thread's `workerData`). */
export type ParseJob = Pick<DecideJob, 'path' | 'from' | 'chunkBytes'>;

/**
 * One read chunk, parsed: plain data and transferable buffers, so posting it to another thread costs a copy of one
 * string. Items (records and broken bytes) are numbered in file order.
 */
export interface ParsedBatch {
  /**
   * The records' fields: fields joined by {@link FIELD_SEP}, records by {@link RECORD_SEP}, in one string; or, when
   * the chunk's bytes hold either separator (then joining would be ambiguous), one array per record.
   */
  readonly fields: string | ReadonlyArray<ReadonlyArray<string>>;
  /** Records in `fields` (items minus broken ones). */
  readonly records: number;
  /** What the parser could not finish, with the item number it takes. */
  readonly broken: ReadonlyArray<{
    readonly item: number;
    readonly line: number;
    readonly code: string;
    readonly raw: string;
  }>;
  /** Per item: physical line where it starts, start and end byte offsets of its text. */
  readonly lines: Float64Array;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  /** The bytes the records were read from, from file offset `bytesStart` (a reject's `raw` is cut from them). */
  readonly bytes: Uint8Array;
  readonly bytesStart: number;
  /** Where reading continues after this batch. */
  readonly next: Position;
  /** File bytes read so far. */
  readonly bytesRead: number;
}

/**
 * The accepted tickets of a batch as their bus bytes (UTF-8 JSON, one after the other), keyed by summons number:
 * made by {@link nypdTicketEncoding}, so the bus takes them as tickets (`publishEncoded`).
 */
export type TicketBatch = EncodedBatch<NypdTicket>;

/** One read chunk, decided. */
export interface DecidedBatch {
  readonly tickets: TicketBatch;
  /** In file order. */
  readonly rejects: ReadonlyArray<RejectEntry>;
  /** The file's counts after this batch (`published` is not counted here: it is the publisher's). */
  readonly tally: Tally;
  /** Records in the batch (accepted + rejected). */
  readonly rows: number;
  /** Where reading continues after this batch. */
  readonly next: Position;
  /** File bytes read so far. */
  readonly bytesRead: number;
}

/** ASCII unit and record separators: never in NYPD text; a chunk that holds one is posted as arrays instead. */
export const FIELD_SEP = '\x1f';
export const RECORD_SEP = '\x1e';
const SEP_BYTES = [0x1f, 0x1e];

// ---------------------------------------------------------------------------------------------------------------
// stage 1: parsing

/**
 * The parsed batches of one file, from `from` to its end.
 *
 * @example
 * for await (const b of parseBatches({ path, from: FILE_START, chunkBytes: 1 << 18 })) console.log(b.records);
 */
export async function* parseBatches(job: ParseJob): AsyncGenerator<ParsedBatch> {
  for await (const batch of readCsv(job.path, job.from, { chunkBytes: job.chunkBytes })) {
    const n = batch.items.length;
    const lines = new Float64Array(n);
    const starts = new Float64Array(n);
    const ends = new Float64Array(n);
    const broken: Array<ParsedBatch['broken'][number]> = [];
    const records: string[][] = [];
    for (const [i, item] of batch.items.entries()) {
      lines[i] = item.line;
      starts[i] = item.start;
      ends[i] = item.end;
      if (item.kind === 'broken')
        broken.push({ item: i, line: item.line, code: item.code, raw: item.raw });
      else records.push(item.fields);
    }
    const joinable = SEP_BYTES.every((b) => batch.bytes.indexOf(b) < 0);
    yield {
      fields: joinable ? records.map((f) => f.join(FIELD_SEP)).join(RECORD_SEP) : records,
      records: records.length,
      broken,
      lines,
      starts,
      ends,
      bytes: new Uint8Array(batch.bytes), // a copy with its own ArrayBuffer: the reader keeps using its buffer
      bytesStart: batch.bytesStart,
      next: batch.next,
      bytesRead: batch.bytesRead,
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// stage 2: deciding

/** The records of a parsed batch, one field array each. */
const recordsOf = (batch: ParsedBatch): ReadonlyArray<ReadonlyArray<string>> => {
  if (typeof batch.fields !== 'string') return batch.fields;
  if (batch.records === 0) return [];
  return batch.fields.split(RECORD_SEP).map((r) => r.split(FIELD_SEP));
};

/**
 * Decides one parsed batch: each record accepted (counted, and as JSON when `job.encode`) or rejected (an entry
 * with its text). Adds to `tally`, and hands out a copy of it with the batch.
 *
 * @example const decided = decideParsed(parsed, job, tally);
 */
export const decideParsed = (
  batch: ParsedBatch,
  job: Pick<DecideJob, 'path' | 'layout' | 'plausibleIssueDates' | 'encode'>,
  tally: Tally,
): DecidedBatch => {
  const sourceFile = basename(job.path);
  const records = recordsOf(batch);
  const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  const tickets = encodedBatch(nypdTicketEncoding);
  const rejects: RejectEntry[] = [];
  const items = batch.lines.length;
  // An R-style file's ticket columns, where an unquoted `NA` is an empty cell (r-style.ts); none in other files.
  const naColumns = job.layout.rStyle === true ? Object.values(job.layout.at) : [];
  const base = batch.bytesStart;
  for (let i = 0, r = 0, b = 0; i < items; i++) {
    const broken = batch.broken[b];
    if (broken?.item === i) {
      b++;
      countRejected(tally, 'csv_syntax');
      rejects.push({
        line: broken.line,
        reason: 'csv_syntax',
        detail: `${broken.code} (the parser could not finish this record)`,
        raw: broken.raw,
        file: sourceFile,
      });
      continue;
    }
    const line = batch.lines[i]!;
    const fields = records[r++]!;
    const cells =
      naColumns.length === 0
        ? fields
        : clearMissing(fields, naColumns, bytes, batch.starts[i]! - base, batch.ends[i]! - base);
    const verdict = normaliseRow(cells, job.layout, {
      sourceFile,
      sourceLine: line,
      plausibleIssueDates: job.plausibleIssueDates,
    });
    if (verdict.ok) {
      countAccepted(tally, verdict.findings, line);
      // Tickets built by `normaliseRow` hold only contract keys with JSON values (normalise.spec checks that each
      // one decodes as NypdTicket and encodes alike both ways), so the fast encoding skips io-ts.
      if (job.encode) tickets.add(verdict.ticket);
    } else {
      countRejected(tally, verdict.reason);
      const { reason, detail } = verdict;
      const raw = text(bytes, batch.bytesStart, batch.starts[i]!, batch.ends[i]!);
      rejects.push({ line, reason, detail, raw, file: sourceFile });
    }
  }
  return {
    tickets: tickets.done(),
    rejects,
    tally: copyTally(tally),
    rows: items,
    next: batch.next,
    bytesRead: batch.bytesRead,
  };
};

/**
 * The batches of one file, from `job.from` to its end, parsed and decided in this thread.
 *
 * @example
 * for await (const b of decideBatches(job)) console.log(b.next.line, b.tickets.ends.length, b.rejects.length);
 */
export async function* decideBatches(job: DecideJob): AsyncGenerator<DecidedBatch> {
  const tally = copyTally(job.tally);
  for await (const parsed of parseBatches(job)) yield decideParsed(parsed, job, tally);
}

/**
 * Ticket i's JSON, a view into the batch's buffer.
 * @example const first = JSON.parse(Buffer.from(ticketAt(batch, 0)).toString());
 */
export const ticketAt: (batch: TicketBatch, i: number) => Uint8Array = encodedAt;
