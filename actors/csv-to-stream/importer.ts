/**
 * An import job: several files, in order, into the history stream. Checks every file's header before anything is
 * published, decides between resuming the saved job and starting over, runs the files one after the other
 * ({@link importFile}) and reports what each one counted. Effects are ports: the stream, the state file, the
 * rejects file, the clock, so the same code runs for real, in a dry run (no stream, no state) and in tests.
 */
import { basename, resolve } from 'node:path';

import { E } from '../../runtime/codec.ts';
import type { NypdLayout } from '../protocol/index.ts';
import { type FileCheckpoint, type ImportState, sameJob, type StateStore } from './checkpoint.ts';
import type { Position } from './csv-records.ts';
import type { DecidedBatch, DecideJob, TicketBatch } from './decide.ts';
import { importFile, type Mark } from './import-file.ts';
import { type InputFile, prepareInputs } from './inputs.ts';
import { fiscalYearOf, plausibleIssueDates } from './normalise.ts';
import { openRejectsFile } from './rejects.ts';
import { emptyTally, type Tally } from './tally.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** What the job is. */
export interface ImportOptions {
  readonly files: ReadonlyArray<string>;
  /** Ignore the saved state: read every file from its first row. */
  readonly restart: boolean;
  /** For the plausible-date window; default: from each file's name (`fy2014`), else none. */
  readonly fiscalYear?: number;
  /** Today as an ISO day (the plausible window when no fiscal year is known). */
  readonly today: string;
  /** Rows per second at most (0: no limit). */
  readonly maxRowsPerSec?: number;
  /** Batches (read chunks) published but not yet acknowledged before reading waits (default 6). */
  readonly maxInFlightBatches?: number;
  /** Least time between two checkpoints (default 1,000 ms; the end of a file always writes one). */
  readonly checkpointEveryMs?: number;
  /**
   * Bytes read per batch (default 128 KiB, about 650 rows): a batch's fields and JSON stay alive until it is
   * published, so smaller batches die young in the GC and keep the peak RSS down, while the bus still packs a
   * thousand rows per record across batches. Sized in the README's Publishing decision.
   */
  readonly chunkBytes?: number;
  /** Aborting stops after the current batch; what was read is acknowledged and checkpointed. */
  readonly signal?: AbortSignal;
}

/** How the job reaches the outside. */
export interface ImportPorts {
  /** Resolves once the stream acknowledged every ticket. Absent: a dry run, which publishes nothing. */
  readonly publish?: (tickets: TicketBatch) => Promise<void>;
  /** Decides a file's records (default `decideBatches`, in this thread; `decideInWorker` for a worker thread). */
  readonly decide?: (job: DecideJob) => AsyncIterable<DecidedBatch>;
  /** Absent: no checkpoints (a dry run). */
  readonly state?: StateStore;
  readonly rejectsPath: string;
  readonly now: () => number;
  /** Waits `ms`, or less: resolves (never rejects) as soon as `signal` aborts, so a stop does not wait out the pacer. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly notice: (message: string) => void;
  readonly progress?: (p: ImportProgress) => void;
}

/** Where the job is, after each batch. */
export interface ImportProgress {
  readonly file: string;
  readonly fileIndex: number;
  readonly fileCount: number;
  /** Bytes of every file behind the read position, and in total. */
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** Bytes and rows read by this run (a resumed run starts at 0). */
  readonly bytesThisRun: number;
  readonly rowsThisRun: number;
  /** Rows of the whole job so far, resumed ones included. */
  readonly rowsRead: number;
  readonly elapsedMs: number;
}

/** One file's outcome. */
export interface FileReport {
  readonly file: string;
  readonly layout: NypdLayout['kind'];
  readonly bytes: number;
  readonly tally: Tally;
  /** Set when this run resumed the file after rows a previous run had acknowledged. */
  readonly resumedFrom?: Position & { readonly rowsRead: number; readonly published: number };
  readonly done: boolean;
}

/** The job's outcome. */
export interface ImportReport {
  readonly files: ReadonlyArray<FileReport>;
  readonly seconds: number;
  readonly rowsThisRun: number;
  readonly interrupted: boolean;
  readonly dryRun: boolean;
  readonly rejectsFile: string;
}

// ---------------------------------------------------------------------------------------------------------------
// the job

/**
 * Runs the job. Throws an {@link InputError} before publishing anything when a file cannot be imported, and a
 * PortFailure when publishing fails for good (the checkpoint stays at the last acknowledged batch).
 *
 * @example
 * const report = await runImport({ files: ['fy2017.csv'], restart: false, today: '2026-01-01' },
 *   { publish: (ts) => bus.publish(history, ts), state, rejectsPath, now: Date.now, sleep, notice: log.info });
 */
export const runImport = async (
  options: ImportOptions,
  ports: ImportPorts,
): Promise<ImportReport> => {
  const started = ports.now();
  const prepared = await prepareInputs(options.files);
  const rejectsPath = resolve(ports.rejectsPath);
  const saved = options.restart ? undefined : loadResumable(ports, prepared, rejectsPath);
  const rejects = openRejectsFile(rejectsPath, saved?.rejects.bytes ?? 0);
  if (saved && rejects.bytes() < saved.rejects.bytes)
    ports.notice(`${rejectsPath} is shorter than at the checkpoint: rejects before it are missing`);
  const checkpoints: FileCheckpoint[] = prepared.map(
    (p, i) =>
      saved?.files[i] ?? {
        path: p.path,
        identity: p.identity,
        position: p.afterHeader,
        done: false,
        tally: emptyTally(),
      },
  );
  let rejectsBytes = rejects.bytes();
  let lastSave = -Infinity;
  const save = (force: boolean): void => {
    const now = ports.now();
    if (!ports.state || (!force && now - lastSave < (options.checkpointEveryMs ?? 1_000))) return;
    rejects.sync(); // the rejects a checkpoint counts are on disk before it is
    const state: ImportState = {
      v: 1,
      files: checkpoints,
      rejects: { path: rejectsPath, bytes: rejectsBytes },
      savedAt: new Date(now).toISOString(),
    };
    ports.state.save(state);
    lastSave = now;
  };

  const bytesTotal = prepared.reduce((n, p) => n + p.identity.size, 0);
  const bytesAtStart = checkpoints.reduce(
    (n, c, i) => n + (c.done ? prepared[i]!.identity.size : c.position.byte),
    0,
  );
  const pace = pacer(options.maxRowsPerSec ?? 0, ports, options.signal);
  let rowsThisRun = 0;
  let interrupted = false;
  try {
    for (const [i, p] of prepared.entries()) {
      const cp = checkpoints[i]!;
      if (cp.done) continue;
      const from: Mark = { position: cp.position, tally: cp.tally, rejectsBytes };
      const bytesBefore = prepared.slice(0, i).reduce((n, q) => n + q.identity.size, 0);
      const rowsBefore = checkpoints.slice(0, i).reduce((n, c) => n + c.tally.rowsRead, 0);
      const outcome = await importFile({
        path: p.path,
        layout: p.layout,
        from,
        plausibleIssueDates: plausibleIssueDates(
          options.fiscalYear ?? fiscalYearOf(basename(p.path)),
          options.today,
        ),
        rejects,
        publish: ports.publish,
        decide: ports.decide,
        acknowledged: (mark, final) => {
          checkpoints[i] = { ...cp, position: mark.position, tally: mark.tally };
          rejectsBytes = mark.rejectsBytes;
          save(final);
        },
        progress: (bytesRead, tally) => {
          const rowsNow = rowsBefore + tally.rowsRead;
          ports.progress?.({
            file: p.given,
            fileIndex: i,
            fileCount: prepared.length,
            bytesDone: bytesBefore + bytesRead,
            bytesTotal,
            bytesThisRun: bytesBefore + bytesRead - bytesAtStart,
            rowsThisRun: rowsThisRun + tally.rowsRead - cp.tally.rowsRead,
            rowsRead: rowsNow,
            elapsedMs: ports.now() - started,
          });
        },
        pace,
        signal: options.signal,
        maxInFlightBatches: options.maxInFlightBatches ?? 6,
        chunkBytes: options.chunkBytes ?? 128 * 1024,
      });
      rowsThisRun += outcome.last.tally.rowsRead - cp.tally.rowsRead;
      checkpoints[i] = { ...checkpoints[i]!, done: outcome.complete };
      save(true);
      if (!outcome.complete) {
        interrupted = true;
        break;
      }
    }
  } finally {
    save(true);
    rejects.close();
  }
  return {
    files: prepared.map((p, i) => fileReport(p, checkpoints[i]!, saved?.files[i])),
    seconds: (ports.now() - started) / 1_000,
    rowsThisRun,
    interrupted,
    dryRun: ports.publish === undefined,
    rejectsFile: rejectsPath,
  };
};

// ---------------------------------------------------------------------------------------------------------------
// utils

/** The saved state if it describes this very job; otherwise says why it starts over. */
const loadResumable = (
  ports: ImportPorts,
  prepared: ReadonlyArray<InputFile>,
  rejectsPath: string,
): ImportState | undefined => {
  if (!ports.state) return undefined;
  const loaded = ports.state.load();
  if (E.isLeft(loaded)) {
    if (loaded.left !== undefined)
      ports.notice(`state file unusable (${loaded.left}): starting over`);
    return undefined;
  }
  if (sameJob(loaded.right, prepared, rejectsPath)) return loaded.right;
  ports.notice(
    'the state file describes another job (other or changed files, or another rejects file): starting over',
  );
  return undefined;
};

/** Sleeps after each batch as long as needed to stay under `perSec` rows per second, or until `signal` aborts. */
const pacer = (
  perSec: number,
  ports: Pick<ImportPorts, 'now' | 'sleep'>,
  signal: AbortSignal | undefined,
) => {
  const started = ports.now();
  let rows = 0;
  return async (batchRows: number): Promise<void> => {
    if (perSec <= 0) return;
    rows += batchRows;
    const ahead = (rows / perSec) * 1_000 - (ports.now() - started);
    if (ahead > 0) await ports.sleep(ahead, signal);
  };
};

const fileReport = (
  p: InputFile,
  cp: FileCheckpoint,
  resumed: FileCheckpoint | undefined,
): FileReport => ({
  file: p.given,
  layout: p.layout.kind,
  bytes: p.identity.size,
  tally: cp.tally,
  ...(resumed && resumed.tally.rowsRead > 0
    ? {
        resumedFrom: {
          ...resumed.position,
          rowsRead: resumed.tally.rowsRead,
          published: resumed.tally.published,
        },
      }
    : {}),
  done: cp.done,
});
