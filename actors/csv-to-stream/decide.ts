/**
 * The pure half of an import: read a file's records from a position, decide each one ({@link normaliseRow}), count
 * it, and hand out per read chunk the accepted tickets already as JSON (one buffer, plus where each ticket ends)
 * and the rejects as entries. No effect but reading the file, so it runs in the calling thread or, for real imports,
 * in a worker thread (`decide-thread.ts`): parsing and deciding then take one core while the main thread publishes,
 * writes the rejects and checkpoints on the other.
 */
import { basename } from 'node:path';

import type { Layout } from './columns.ts';
import { type Position, readCsv } from './csv-records.ts';
import { type DateWindow, normaliseRow } from './normalise.ts';
import type { RejectEntry } from './rejects.ts';
import { copyTally, countAccepted, countRejected, type Tally } from './tally.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** What deciding one file needs: plain data, so it can be handed to a worker thread. */
export interface DecideJob {
  readonly path: string;
  readonly layout: Layout;
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

/** The accepted tickets of a batch as UTF-8 JSON, one after the other. */
export interface TicketBatch {
  /** Every ticket's JSON, concatenated. */
  readonly json: Uint8Array;
  /** Where ticket i ends in `json` (it starts where ticket i − 1 ends, the first at 0). */
  readonly ends: Uint32Array;
  /** Ticket i's partition key (its summons number). */
  readonly keys: ReadonlyArray<string>;
}

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

// ---------------------------------------------------------------------------------------------------------------
// deciding

const encoder = new TextEncoder();

/**
 * The batches of one file, from `job.from` to its end.
 *
 * @example
 * for await (const b of decideBatches(job)) console.log(b.next.line, b.tickets.ends.length, b.rejects.length);
 */
export async function* decideBatches(job: DecideJob): AsyncGenerator<DecidedBatch> {
  const tally = copyTally(job.tally);
  const sourceFile = basename(job.path);
  for await (const batch of readCsv(job.path, job.from, { chunkBytes: job.chunkBytes })) {
    const json: string[] = [];
    const keys: string[] = [];
    const rejects: RejectEntry[] = [];
    for (const item of batch.items) {
      if (item.kind === 'broken') {
        countRejected(tally, 'csv_syntax');
        rejects.push({
          line: item.line,
          reason: 'csv_syntax',
          detail: `${item.code} (the parser could not finish this record)`,
          raw: item.raw,
          file: sourceFile,
        });
        continue;
      }
      const verdict = normaliseRow(item.fields, job.layout, {
        sourceFile,
        sourceLine: item.line,
        plausibleIssueDates: job.plausibleIssueDates,
      });
      if (verdict.ok) {
        countAccepted(tally, verdict.findings, item.line);
        // Tickets built by `normaliseRow` hold only contract keys with JSON values (a property spec checks that
        // each one decodes as NypdTicket), so io-ts's key-by-key encoding, dearer than JSON.stringify, is skipped.
        if (job.encode) {
          json.push(JSON.stringify(verdict.ticket));
          keys.push(verdict.ticket.summonsNumber);
        }
      } else {
        countRejected(tally, verdict.reason);
        const { reason, detail } = verdict;
        rejects.push({ line: item.line, reason, detail, raw: batch.raw(item), file: sourceFile });
      }
    }
    yield {
      tickets: encodeTickets(json, keys),
      rejects,
      tally: copyTally(tally),
      rows: batch.items.length,
      next: batch.next,
      bytesRead: batch.bytesRead,
    };
  }
}

/** The JSON texts as one buffer (its own ArrayBuffer, so it can be transferred) and their end offsets. */
const encodeTickets = (json: ReadonlyArray<string>, keys: ReadonlyArray<string>): TicketBatch => {
  const text = json.join('');
  const bytes = encoder.encode(text);
  const ascii = bytes.length === text.length; // then every ticket's bytes are its characters
  const ends = new Uint32Array(json.length);
  let at = 0;
  for (const [i, t] of json.entries()) {
    at += ascii ? t.length : Buffer.byteLength(t, 'utf8');
    ends[i] = at;
  }
  return { json: bytes, ends, keys };
};

/**
 * Ticket i's JSON, a view into the batch's buffer.
 * @example const first = JSON.parse(Buffer.from(ticketAt(batch, 0)).toString());
 */
export const ticketAt = (batch: TicketBatch, i: number): Uint8Array =>
  batch.json.subarray(i === 0 ? 0 : batch.ends[i - 1], batch.ends[i]);
