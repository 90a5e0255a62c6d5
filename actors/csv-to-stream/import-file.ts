/**
 * One file of an import: take its decided batches ({@link decideBatches}, in this thread or a worker's), send the
 * rejects to the rejects file and the tickets to the stream, with a bounded number of batches in flight, and
 * checkpoint the position after the newest batch before which every batch is acknowledged. A crash at any moment
 * therefore resumes at or before the first unacknowledged row: rows are published at least once, and the ids
 * (`nypd:<summons>`) make the copies harmless.
 */
import type { NypdLayout } from '../protocol/index.ts';
import type { Position } from './csv-records.ts';
import { decideBatches, type DecidedBatch, type DecideJob, type TicketBatch } from './decide.ts';
import type { DateWindow } from './normalise.ts';
import type { RejectsFile } from './rejects.ts';
import type { Tally } from './tally.ts';

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
  readonly layout: NypdLayout;
  readonly from: Mark;
  readonly plausibleIssueDates: DateWindow;
  readonly rejects: RejectsFile;
  /** Resolves once the stream has acknowledged every ticket; absent in a dry run (nothing is published). */
  readonly publish?: (tickets: TicketBatch) => Promise<void>;
  /** Where the decided batches come from (default {@link decideBatches}, in this thread). */
  readonly decide?: (job: DecideJob) => AsyncIterable<DecidedBatch>;
  /** Called with each newly acknowledged mark (the caller decides when to write a checkpoint). */
  readonly acknowledged: (mark: Mark, final: boolean) => void;
  /** Called after each batch is read, with the file bytes read so far. */
  readonly progress: (bytesRead: number, tally: Tally) => void;
  /** Waits between batches (rate limit); resolves at once when there is no limit. */
  readonly pace: (rowsThisBatch: number) => Promise<void>;
  readonly signal?: AbortSignal;
  readonly maxInFlightBatches: number;
  readonly chunkBytes: number;
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
  let published = run.from.tally.published;
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

  const decide = run.decide ?? decideBatches;
  const batches = decide({
    path: run.path,
    layout: run.layout,
    from: run.from.position,
    tally: run.from.tally,
    plausibleIssueDates: run.plausibleIssueDates,
    chunkBytes: run.chunkBytes,
    encode: run.publish !== undefined,
  });
  let complete = true;
  for await (const batch of batches) {
    for (const reject of batch.rejects) run.rejects.write(reject);
    const count = batch.tickets.ends.length;
    if (run.publish) published += count; // counted now, acknowledged with the mark
    const tally: Tally = { ...batch.tally, published };
    const mark: Mark = { position: batch.next, tally, rejectsBytes: run.rejects.bytes() };
    const entry: InFlight = {
      done: run.publish && count > 0 ? run.publish(batch.tickets) : Promise.resolve(),
      settled: false,
      mark,
    };
    const flag = () => void (entry.settled = true);
    entry.done.then(flag, flag); // a failure surfaces when settle() awaits it, in order
    inflight.push(entry);
    await settle(false);
    run.progress(batch.bytesRead, tally);
    await run.pace(batch.rows);
    if (run.signal?.aborted) {
      complete = false;
      break;
    }
  }
  await settle(true);
  run.acknowledged(acked, true);
  return { last: acked, complete };
};
