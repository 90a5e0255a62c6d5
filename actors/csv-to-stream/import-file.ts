/**
 * One file of an import: read its records from a checkpoint, decide each one ({@link normaliseRow}), send the
 * rejects to the rejects file and the tickets to the stream a batch (one read chunk) at a time, with a bounded
 * number of batches in flight, and checkpoint the position after the newest batch before which every batch is
 * acknowledged. A crash at any moment therefore resumes at or before the first unacknowledged row: rows are
 * published at least once, and the ids (`nypd:<summons>`) make the copies harmless.
 */
import { basename } from 'node:path';

import type { NypdTicket } from '../protocol/nypd-ticket.ts';
import type { Layout } from './columns.ts';
import { type Position, readCsv } from './csv-records.ts';
import { type DateWindow, normaliseRow } from './normalise.ts';
import type { RejectsFile } from './rejects.ts';
import { copyTally, countAccepted, countRejected, type Tally } from './tally.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** A consistent cut: everything before `position` is counted in `tally` and written up to `rejectsBytes`. */
export interface Mark {
  readonly position: Position;
  readonly tally: Tally;
  readonly rejectsBytes: number;
}

/** What reading one file needs. */
export interface FileRun {
  readonly path: string;
  readonly layout: Layout;
  readonly from: Mark;
  readonly plausibleIssueDates: DateWindow;
  readonly rejects: RejectsFile;
  /** Resolves once the stream has acknowledged every ticket; absent in a dry run (nothing is published). */
  readonly publish?: (tickets: ReadonlyArray<NypdTicket>) => Promise<void>;
  /** Called with each newly acknowledged mark (the caller decides when to write a checkpoint). */
  readonly acknowledged: (mark: Mark, final: boolean) => void;
  /** Called after each batch is read, with the file bytes read so far. */
  readonly progress: (bytesRead: number, tally: Tally) => void;
  /** Waits between batches (rate limit); resolves at once when there is no limit. */
  readonly pace: (rowsThisBatch: number) => Promise<void>;
  readonly signal?: AbortSignal;
  readonly maxInFlightBatches: number;
  readonly chunkBytes?: number;
}

/** How the file ended: read to the end, or stopped by the signal. */
export interface FileOutcome {
  readonly last: Mark;
  readonly complete: boolean;
}

interface InFlight {
  readonly done: Promise<void>;
  settled: boolean;
  readonly mark: Mark;
}

// ---------------------------------------------------------------------------------------------------------------
// the loop

/**
 * Imports one file from `run.from`. Rejects (throws) only when publishing fails for good (a PortFailure): the
 * checkpoint then stays at the last acknowledged batch and a re-run resumes there.
 *
 * @example
 * const { last, complete } = await importFile({ path, layout, from, rejects, publish, acknowledged, ... });
 */
export const importFile = async (run: FileRun): Promise<FileOutcome> => {
  const tally = copyTally(run.from.tally);
  const sourceFile = basename(run.path);
  const inflight: InFlight[] = [];
  let acked = run.from;

  // Hands out marks in file order as their batches settle; the first failed publish throws here.
  const settle = async (all: boolean): Promise<void> => {
    while (
      inflight[0] &&
      (all || inflight[0].settled || inflight.length > run.maxInFlightBatches)
    ) {
      const head = inflight.shift()!;
      await head.done;
      acked = head.mark;
      run.acknowledged(acked, false);
    }
  };

  let complete = true;
  for await (const batch of readCsv(run.path, run.from.position, { chunkBytes: run.chunkBytes })) {
    const tickets: NypdTicket[] = [];
    for (const item of batch.items) {
      if (item.kind === 'broken') {
        countRejected(tally, 'csv_syntax');
        const detail = `${item.code} (the parser could not finish this record)`;
        run.rejects.write({
          line: item.line,
          reason: 'csv_syntax',
          detail,
          raw: item.raw,
          file: sourceFile,
        });
        continue;
      }
      const verdict = normaliseRow(item.fields, run.layout, {
        sourceFile,
        sourceLine: item.line,
        plausibleIssueDates: run.plausibleIssueDates,
      });
      if (verdict.ok) {
        countAccepted(tally, verdict.findings, item.line);
        tickets.push(verdict.ticket);
      } else {
        countRejected(tally, verdict.reason);
        const { reason, detail } = verdict;
        run.rejects.write({
          line: item.line,
          reason,
          detail,
          raw: batch.raw(item),
          file: sourceFile,
        });
      }
    }
    if (run.publish) tally.published += tickets.length; // counted now, acknowledged with the mark
    const mark: Mark = {
      position: batch.next,
      tally: copyTally(tally),
      rejectsBytes: run.rejects.bytes(),
    };
    const entry: InFlight = {
      done: run.publish && tickets.length > 0 ? run.publish(tickets) : Promise.resolve(),
      settled: false,
      mark,
    };
    const flag = () => void (entry.settled = true);
    entry.done.then(flag, flag); // a failure surfaces when settle() awaits it, in order
    inflight.push(entry);
    await settle(false);
    run.progress(batch.bytesRead, tally);
    await run.pace(batch.items.length);
    if (run.signal?.aborted) {
      complete = false;
      break;
    }
  }
  await settle(true);
  run.acknowledged(acked, true);
  return { last: acked, complete };
};
