/**
 * What each NYPD source held, as csv-to-stream counts it: rows read = accepted + rejected, rejects by reason,
 * accepted rows per code. Built from the pass's `sources` groups (before deduplication) and, for CSV files, the
 * record scan: rows DuckDB did not return are the records with the wrong number of fields, or the broken ones.
 */
import type { Group } from '../engine/pass.ts';
import type { RejectReason } from '../nypd/sql.ts';
import { valueOf } from './breakdown.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** A source as the run read it. */
export interface SourceInfo {
  readonly name: string;
  readonly kind: 'csv' | 'archive';
  /** CSV files: the record scan (records.ts). */
  readonly scan?: {
    readonly records: number;
    readonly broken: number;
    readonly irregularQuotes: number;
  };
}

/** What one source held. `rowsRead === accepted + rejected`. */
export interface SourceCounts {
  readonly name: string;
  readonly kind: 'csv' | 'archive';
  readonly rowsRead: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly rejectsByReason: Readonly<Partial<Record<RejectReason, number>>>;
  /** Accepted rows per violation code; `code` null counts codes outside 1–99 (left out of the ticket). */
  readonly acceptedByCode: ReadonlyArray<{ readonly code: number | null; readonly n: number }>;
  /** Distinct Violation County values of accepted rows, as written. */
  readonly counties: ReadonlyArray<string>;
  /** Records whose quoting DuckDB reads differently from csv-to-stream (see records.ts). */
  readonly irregularQuotes: number;
}

/**
 * Stored records of the drone side read from one source, per record type: `read = decoded + undecodable` (before
 * raw copies and the same record in the other source are removed).
 */
export interface StoredSourceCounts {
  readonly source: 'archive' | 'dynamo';
  readonly type: 'drone.message' | 'alarm.raised' | 'alarm.resolved';
  readonly read: number;
  readonly undecodable: number;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * The counts of source `src` from the `sources` groups.
 *
 * @example
 * const counts = sources.map((info, src) => sourceCounts(info, src, groups));
 */
export const sourceCounts = (
  info: SourceInfo,
  src: number,
  groups: ReadonlyArray<Group>,
): SourceCounts => {
  const rejectsByReason: Partial<Record<RejectReason, number>> = {};
  const byCode = new Map<number | null, number>();
  const counties = new Set<string>();
  let accepted = 0;
  let returned = 0;
  for (const g of groups) {
    if (g.set !== 'sources' || g.kind !== 'nypd' || Number(valueOf(g, 'src')) !== src) continue;
    returned += g.n;
    if (g.reason === null) {
      accepted += g.n;
      const raw = valueOf(g, 'code');
      const code = raw === null ? null : Number(raw);
      byCode.set(code, (byCode.get(code) ?? 0) + g.n);
      const county = valueOf(g, 'county');
      if (county !== null) counties.add(county);
    } else {
      const reason = g.reason;
      rejectsByReason[reason] = (rejectsByReason[reason] ?? 0) + g.n;
    }
  }
  if (info.scan !== undefined) {
    // Records DuckDB skipped: the scan's broken ones are csv_syntax, the rest had the wrong field count.
    const skipped = Math.max(0, info.scan.records - returned);
    const broken = Math.min(skipped, info.scan.broken);
    if (broken > 0) rejectsByReason.csv_syntax = broken;
    if (skipped > broken) rejectsByReason.field_count = skipped - broken;
  }
  const rejected = Object.values(rejectsByReason).reduce((a, b) => a + b, 0);
  return {
    name: info.name,
    kind: info.kind,
    rowsRead: accepted + rejected,
    accepted,
    rejected,
    rejectsByReason,
    acceptedByCode: [...byCode]
      .map(([code, n]) => ({ code, n }))
      .sort((a, b) => (a.code ?? 0) - (b.code ?? 0)),
    counties: [...counties].sort(),
    irregularQuotes: info.scan?.irregularQuotes ?? 0,
  };
};
