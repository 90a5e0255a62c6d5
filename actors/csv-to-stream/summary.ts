/**
 * The summary of an import, printed at the end and written as JSON with `--summary`: the counts of the whole job
 * (resumed rows included), what this run did (time, rate, bytes sent), and the same per file.
 */
import type { ImportReport } from './importer.ts';
import type { FindingKind, RejectReason } from './normalise.ts';
import { sumTallies } from './tally.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** Counts of one file or of the job. `rowsRead === accepted + rejected` always. */
export interface Counts {
  readonly rowsRead: number;
  readonly accepted: number;
  readonly rejected: number;
  /** Accepted rows the stream acknowledged (0 in a dry run). */
  readonly published: number;
  readonly rejectsByReason: Partial<Record<RejectReason, number>>;
  readonly findings: Partial<Record<FindingKind, number>>;
}

/** One file in the summary. */
export interface FileSummary extends Counts {
  readonly file: string;
  /** `51`, `43` or `subset` (a header with some of the columns). */
  readonly layout: string;
  readonly bytes: number;
  readonly done: boolean;
  /** Where this run started when it resumed a previous one: the checkpoint's byte, line and rows. */
  readonly resumedFrom: {
    readonly byte: number;
    readonly line: number;
    readonly rowsRead: number;
  } | null;
  /** The first lines where each finding was seen. */
  readonly findingLines: Partial<Record<FindingKind, number[]>>;
}

/** The summary, v1 (`--summary FILE` writes it as JSON). */
export interface ImportSummary extends Counts {
  readonly seconds: number;
  /** Rows this run read per second (a resumed run counts only its own). */
  readonly rowsPerSecond: number;
  /** Bytes sent to the stream by this run (packed, gzip-compressed records with their keys) and per row published. */
  readonly bytesSent: number;
  readonly bytesPerRow: number | null;
  readonly peakRssMB: number;
  readonly dryRun: boolean;
  readonly interrupted: boolean;
  readonly rejectsFile: string;
  readonly files: ReadonlyArray<FileSummary>;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * The summary of a report, with what the caller measured around it.
 * @example const summary = toSummary(report, { bytesSent, peakRssMB: process.resourceUsage().maxRSS / 1024 });
 */
export const toSummary = (
  report: ImportReport,
  measured: { readonly bytesSent: number; readonly peakRssMB: number },
): ImportSummary => {
  const total = sumTallies(report.files.map((f) => f.tally));
  const publishedThisRun = report.files.reduce(
    (n, f) => n + f.tally.published - (f.resumedFrom?.published ?? 0),
    0,
  );
  return {
    rowsRead: total.rowsRead,
    accepted: total.accepted,
    rejected: total.rejected,
    published: total.published,
    rejectsByReason: total.rejectsByReason,
    findings: total.findings,
    seconds: round(report.seconds, 3),
    rowsPerSecond: report.seconds > 0 ? Math.round(report.rowsThisRun / report.seconds) : 0,
    bytesSent: measured.bytesSent,
    bytesPerRow: publishedThisRun > 0 ? round(measured.bytesSent / publishedThisRun, 1) : null,
    peakRssMB: round(measured.peakRssMB, 1),
    dryRun: report.dryRun,
    interrupted: report.interrupted,
    rejectsFile: report.rejectsFile,
    files: report.files.map((f) => {
      const { findingLines, ...counts } = f.tally;
      const s = sumTallies([f.tally]);
      return {
        file: f.file,
        layout: f.layout,
        bytes: f.bytes,
        done: f.done,
        ...counts,
        rejectsByReason: s.rejectsByReason,
        findings: s.findings,
        resumedFrom: f.resumedFrom
          ? { byte: f.resumedFrom.byte, line: f.resumedFrom.line, rowsRead: f.resumedFrom.rowsRead }
          : null,
        findingLines,
      };
    }),
  };
};

/**
 * The summary for a person at a terminal.
 * @example process.stdout.write(summaryText(summary));
 */
export const summaryText = (s: ImportSummary): string => {
  const n = (x: number) => x.toLocaleString('en-US');
  const counts = (c: Partial<Record<string, number>>) =>
    Object.entries(c).map(([k, v]) => `    ${k.padEnd(28)} ${n(v ?? 0)}`);
  return [
    `${s.interrupted ? 'interrupted' : 'done'}${s.dryRun ? ' (dry run: nothing published)' : ''}: ` +
      `${n(s.rowsRead)} rows read = ${n(s.accepted)} accepted + ${n(s.rejected)} rejected; ` +
      `${n(s.published)} published`,
    `  ${s.seconds} s, ${n(s.rowsPerSecond)} rows/s` +
      (s.bytesPerRow === null ? '' : `, ${n(s.bytesSent)} bytes sent (${s.bytesPerRow} per row)`) +
      `, peak RSS ${s.peakRssMB} MB`,
    ...(s.rejected > 0 ? [`  rejects (${s.rejectsFile}):`, ...counts(s.rejectsByReason)] : []),
    ...(Object.keys(s.findings).length > 0 ? ['  findings:', ...counts(s.findings)] : []),
    ...s.files.map(
      (f) =>
        `  ${f.file} (${f.layout}): ${n(f.rowsRead)} rows, ${n(f.rejected)} rejected` +
        (f.resumedFrom ? `, resumed at line ${n(f.resumedFrom.line)}` : '') +
        (f.done ? '' : ', not finished'),
    ),
    '',
  ].join('\n');
};

const round = (x: number, digits: number): number => Number(x.toFixed(digits));
