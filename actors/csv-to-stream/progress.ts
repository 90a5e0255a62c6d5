/**
 * Progress of an import for whoever watches: a bar redrawn in place on a terminal (rows, MB, rows/s, ETA), or a
 * JSON log line every few seconds when output goes to a file or a pipe, where a bar would be noise.
 */
import type { ImportProgress } from './importer.ts';

// ---------------------------------------------------------------------------------------------------------------
// rendering

const MB = 1_000_000;

/** Rates and the ETA of a progress report (rates from this run only: a resumed run did not read the rest). */
export const progressFigures = (
  p: ImportProgress,
): {
  readonly percent: number;
  readonly rowsPerSec: number;
  readonly mbDone: number;
  readonly mbTotal: number;
  readonly etaSec: number | null;
} => {
  const seconds = p.elapsedMs / 1_000;
  const bytesPerSec = seconds > 0 ? p.bytesThisRun / seconds : 0;
  return {
    percent: p.bytesTotal > 0 ? (100 * p.bytesDone) / p.bytesTotal : 100,
    rowsPerSec: seconds > 0 ? Math.round(p.rowsThisRun / seconds) : 0,
    mbDone: p.bytesDone / MB,
    mbTotal: p.bytesTotal / MB,
    etaSec: bytesPerSec > 0 ? Math.round((p.bytesTotal - p.bytesDone) / bytesPerSec) : null,
  };
};

const clock = (sec: number | null): string =>
  sec === null
    ? '--:--'
    : `${Math.floor(sec / 60)}:${String(Math.floor(sec % 60)).padStart(2, '0')}`;

/**
 * One line of the terminal bar, e.g. `[########------------]  42% | 420,000 rows | 80.1/192.0 MB | 52,310 rows/s |
 * ETA 0:04 | fy2017.csv`.
 *
 * @example process.stderr.write(`\r${progressBar(p)}`);
 */
export const progressBar = (p: ImportProgress, width = 20): string => {
  const f = progressFigures(p);
  const filled = Math.min(width, Math.round((f.percent / 100) * width));
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${f.percent.toFixed(0).padStart(3)}% | ` +
    `${p.rowsRead.toLocaleString('en-US')} rows | ${f.mbDone.toFixed(1)}/${f.mbTotal.toFixed(1)} MB | ` +
    `${f.rowsPerSec.toLocaleString('en-US')} rows/s | ETA ${clock(f.etaSec)} | ${p.file}`
  );
};

// ---------------------------------------------------------------------------------------------------------------
// reporters

/** Receives progress; `end()` clears a bar before the summary is printed. */
export interface ProgressReporter {
  readonly update: (p: ImportProgress) => void;
  readonly end: () => void;
}

/**
 * A reporter: on a terminal a bar on `tty` (redrawn at most every 200 ms), else `log` every `everyMs`.
 *
 * @example
 * const progress = createProgressReporter(process.stderr.isTTY ? process.stderr : undefined,
 *   (fields) => log.info(fields, 'progress'), Date.now);
 */
export const createProgressReporter = (
  tty: { readonly write: (s: string) => unknown; readonly columns?: number } | undefined,
  log: (fields: Record<string, unknown>) => void,
  now: () => number,
  everyMs = 5_000,
): ProgressReporter => {
  let last = -Infinity;
  let drawn = false;
  return {
    update: (p) => {
      const t = now();
      if (t - last < (tty ? 200 : everyMs)) return;
      last = t;
      if (tty) {
        const line = progressBar(p);
        tty.write(`\r\x1b[K${tty.columns ? line.slice(0, tty.columns - 1) : line}`);
        drawn = true;
        return;
      }
      const f = progressFigures(p);
      log({
        file: p.file,
        rows: p.rowsRead,
        mb: Number(f.mbDone.toFixed(1)),
        percent: Number(f.percent.toFixed(1)),
        rowsPerSec: f.rowsPerSec,
        etaSec: f.etaSec,
      });
    },
    end: () => {
      if (drawn) tty?.write('\r\x1b[K');
      drawn = false;
    },
  };
};
