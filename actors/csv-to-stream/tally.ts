/**
 * What an import has counted so far, per file: rows read, accepted, rejected (by reason), published, and
 * data-quality findings (by kind, with the first lines where each was seen). A tally is checkpointed with the file
 * position, so a resumed import reports the whole file, and `rowsRead === accepted + rejected` at every step.
 */
import type { FindingKind, RejectReason } from './normalise.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** Counts of one file (or of several, summed). */
export interface Tally {
  rowsRead: number;
  accepted: number;
  rejected: number;
  /** Accepted rows the stream has acknowledged (0 in a dry run). */
  published: number;
  rejectsByReason: Partial<Record<RejectReason, number>>;
  findings: Partial<Record<FindingKind, number>>;
  /** The first {@link EXAMPLES} physical lines where each finding was seen. */
  findingLines: Partial<Record<FindingKind, number[]>>;
}

/** How many example lines a finding keeps. */
export const EXAMPLES = 3;

// ---------------------------------------------------------------------------------------------------------------
// constructors

/** A tally with nothing counted. @example const t = emptyTally(); */
export const emptyTally = (): Tally => ({
  rowsRead: 0,
  accepted: 0,
  rejected: 0,
  published: 0,
  rejectsByReason: {},
  findings: {},
  findingLines: {},
});

/** A deep copy (a checkpoint keeps one while counting goes on). @example const saved = copyTally(t); */
export const copyTally = (t: Tally): Tally => ({
  ...t,
  rejectsByReason: { ...t.rejectsByReason },
  findings: { ...t.findings },
  findingLines: Object.fromEntries(Object.entries(t.findingLines).map(([k, v]) => [k, [...v]])),
});

// ---------------------------------------------------------------------------------------------------------------
// counting

/** Counts an accepted row and its findings. @example countAccepted(t, ['county_missing'], 12); */
export const countAccepted = (
  t: Tally,
  findings: ReadonlyArray<FindingKind>,
  line: number,
): void => {
  t.rowsRead++;
  t.accepted++;
  for (const f of findings) {
    t.findings[f] = (t.findings[f] ?? 0) + 1;
    const lines = (t.findingLines[f] ??= []);
    if (lines.length < EXAMPLES) lines.push(line);
  }
};

/** Counts a rejected row. @example countRejected(t, 'field_count'); */
export const countRejected = (t: Tally, reason: RejectReason): void => {
  t.rowsRead++;
  t.rejected++;
  t.rejectsByReason[reason] = (t.rejectsByReason[reason] ?? 0) + 1;
};

/**
 * The sum of several tallies (finding lines are per file, so they are left out of a sum).
 * @example const total = sumTallies(files.map((f) => f.tally));
 */
export const sumTallies = (tallies: ReadonlyArray<Tally>): Omit<Tally, 'findingLines'> => {
  const sum = emptyTally();
  for (const t of tallies) {
    sum.rowsRead += t.rowsRead;
    sum.accepted += t.accepted;
    sum.rejected += t.rejected;
    sum.published += t.published;
    addCounts(sum.rejectsByReason, t.rejectsByReason);
    addCounts(sum.findings, t.findings);
  }
  const { findingLines: _, ...rest } = sum;
  return { ...rest, rejectsByReason: sorted(sum.rejectsByReason), findings: sorted(sum.findings) };
};

// ---------------------------------------------------------------------------------------------------------------
// utils

const addCounts = <K extends string>(
  into: Partial<Record<K, number>>,
  from: Partial<Record<K, number>>,
): void => {
  for (const [k, n] of Object.entries(from) as Array<[K, number]>) into[k] = (into[k] ?? 0) + n;
};

/** Keys by count, largest first, so a summary reads top-down. */
const sorted = <K extends string>(counts: Partial<Record<K, number>>): Partial<Record<K, number>> =>
  Object.fromEntries(
    (Object.entries(counts) as Array<[K, number]>).sort((a, b) => b[1] - a[1]),
  ) as Partial<Record<K, number>>;
