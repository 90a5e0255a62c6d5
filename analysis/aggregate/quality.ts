/**
 * Data quality: what each source held (`sources.csv`), and `data_quality.csv`: rows rejected by reason, values
 * that are well-formed but doubtful (csv-to-stream's findings, by the same names and rules, counted here after
 * deduplication), the share of empty cells per key column, duplicates, undecodable stored records and drone
 * messages stored with a suspect time (the storage writer's `timeSuspect` mark).
 */
import { basename } from 'node:path';

import { boroughOf } from '../../actors/protocol/index.ts';
import type { Group } from '../engine/pass.ts';
import { REJECT_REASONS } from '../nypd/sql.ts';
import { type Field, FIELDS, totalOf, valueOf } from './breakdown.ts';
import { columnsOf } from './columns.ts';
import { shareOf, type Table, type TableRow } from './model.ts';
import { cellKey, readTime, type TimeReading } from './normalise.ts';
import type { Counts } from './report.ts';
import type { SourceCounts, StoredSourceCounts } from './sources.ts';

// ---------------------------------------------------------------------------------------------------------------
// plausible dates (csv-to-stream's rule)

/**
 * The fiscal year a file name announces (`fy2014`, `Fiscal_Year_2017`), as csv-to-stream reads it.
 *
 * @example
 * fiscalYearOf('Parking_Violations_Issued_-_Fiscal_Year_2017.csv'); // 2017
 */
export const fiscalYearOf = (fileName: string): number | undefined => {
  const m = /(?:^|[^a-z])(?:fy|fiscal[ _-]?year)[ _-]?((?:19|20)\d\d)(?!\d)/i.exec(fileName);
  return m ? Number(m[1]) : undefined;
};

/**
 * Issue dates outside this window are implausible: the fiscal year widened by a year each side, or 1990-01-01
 * to a year after `today` when the file's name gives no fiscal year (the archive's tickets included).
 */
export const plausibleWindow = (
  fiscalYear: number | undefined,
  today: string,
): { from: string; to: string } =>
  fiscalYear === undefined
    ? { from: '1990-01-01', to: `${Number(today.slice(0, 4)) + 1}${today.slice(4, 10)}` }
    : { from: `${fiscalYear - 2}-07-01`, to: `${fiscalYear + 1}-06-30` };

// ---------------------------------------------------------------------------------------------------------------
// findings

/** NYPD tickets whose `field` passes `test` (on the raw value, and the group for a second key). */
type Count = (field: Field, test: (raw: string | null, g: Group) => boolean) => number;

const findings = (count: Count, sources: ReadonlyArray<SourceCounts>, today: string) => {
  const windows = sources.map((s) =>
    plausibleWindow(s.kind === 'csv' ? fiscalYearOf(basename(s.name)) : undefined, today),
  );
  const time = (test: (t: TimeReading) => boolean) => (raw: string | null) => test(readTime(raw));
  const irregular = (kind: string) => time((t) => t.kind === 'time' && t.irregular === kind);
  return {
    issue_date_implausible: count('day', (day, g) => {
      const w = windows[Number(valueOf(g, 'daySrc'))];
      return day !== null && w !== undefined && (day < w.from || day > w.to);
    }),
    violation_time_missing: count(
      'tod',
      time((t) => t.kind === 'missing'),
    ),
    violation_time_unreadable: count(
      'tod',
      time((t) => t.kind === 'unreadable'),
    ),
    violation_time_no_meridiem: count('tod', irregular('no_meridiem')),
    violation_time_hour_over_12: count('tod', irregular('hour_over_12')),
    county_missing: count('county', (raw) => cellKey(raw) === undefined),
    county_unknown: count(
      'county',
      (raw) => cellKey(raw) !== undefined && boroughOf(raw ?? '') === undefined,
    ),
    registration_state_99: count('state', (raw) => raw?.trim() === '99'),
    plate_type_999: count('plateType', (raw) => raw?.trim() === '999'),
    violation_code_out_of_range: count('code', (raw) => raw === null),
    vehicle_year_implausible: count('vyear', (raw, g) => {
      const year = raw?.trim() ?? '';
      if (year === '' || year === '0') return false;
      const n = /^\d{4}$/.test(year) ? Number(year) : 0;
      return n < 1900 || n > Number(valueOf(g, 'iyear')) + 2;
    }),
  };
};

const EMPTY_CELLS: ReadonlyArray<[Field, string]> = [
  ['tod', 'Violation Time'],
  ['county', 'Violation County'],
  ['precinct', 'Violation Precinct'],
  ['street', 'Street Name'],
  ['state', 'Registration State'],
  ['plateType', 'Plate Type'],
  ['make', 'Vehicle Make'],
  ['body', 'Vehicle Body Type'],
  ['color', 'Vehicle Color'],
  ['vyear', 'Vehicle Year'],
];

// ---------------------------------------------------------------------------------------------------------------
// tables

/**
 * `sources.csv` and `data_quality.csv`. `today` (an ISO day) bounds plausible issue dates of files without a
 * fiscal year in their name.
 *
 * @example
 * const tables = qualityTables({ sources, dedup, groups, drones, today: '2026-11-27' });
 */
export const qualityTables = (q: Counts & { readonly today: string }): Table[] => {
  const tickets = totalOf(q.groups).nypd;
  const rowsRead = q.sources.reduce((sum, s) => sum + s.rowsRead, 0);
  const count: Count = (field, test) =>
    q.groups
      .filter((g) => g.set === FIELDS[field][0] && g.kind === 'nypd' && test(valueOf(g, field), g))
      .reduce((sum, g) => sum + g.n, 0);
  const row = (
    check: string,
    key: string,
    rows: number,
    of: [string, number] | null,
  ): TableRow => ({
    check,
    key,
    rows,
    ...shareOf(rows, of),
  });
  const rejected = REJECT_REASONS.map((reason) =>
    row(
      'rejected',
      reason,
      q.sources.reduce((sum, s) => sum + (s.rejectsByReason[reason] ?? 0), 0),
      ['rows_read', rowsRead],
    ),
  ).filter((r) => r.rows !== 0);
  const found = Object.entries(findings(count, q.sources, q.today)).map(([k, n]) =>
    row('finding', k, n, ['nypd_tickets', tickets]),
  );
  const empty = EMPTY_CELLS.map(([field, name]) =>
    row(
      'empty',
      name,
      count(field, (raw) => cellKey(raw) === undefined),
      ['nypd_tickets', tickets],
    ),
  );
  const loaded = q.drones?.loaded;
  const other = [
    row('duplicates', 'nypd_duplicated_ids', q.dedup.duplicatedIds, ['nypd_tickets', tickets]),
    row('duplicates', 'nypd_copies_dropped', q.dedup.droppedCopies, ['rows_read', rowsRead]),
    row('duplicates', 'nypd_conflicting_ids', q.dedup.conflictingIds, ['nypd_tickets', tickets]),
    row('duplicates', 'drone_raw_copies_dropped', q.drones?.rawCopies ?? 0, null),
    row(
      'csv',
      'irregular_quotes',
      q.sources.reduce((sum, s) => sum + s.irregularQuotes, 0),
      ['rows_read', rowsRead],
    ),
    ...(loaded === undefined
      ? []
      : Object.entries(loaded).map(([type, c]) =>
          row('undecodable', type, c.undecodable, [`${type}_read`, c.read]),
        )),
    ...(q.drones === undefined
      ? []
      : [
          row('time', 'drone_time_suspect', q.drones.timeSuspect, [
            'drone_messages',
            q.drones.messages,
          ]),
        ]),
    // Inputs an actor gave up on (kept in S3 with their bytes): one row per actor and reason.
    ...(q.deadLetters?.byReason ?? []).map((d) =>
      row('dead_letter', `${d.actor}: ${d.reason}`, d.n, null),
    ),
    // Counts that are lower bounds: the listing stopped at its limit (rows: the dead letters listed).
    ...(q.deadLetters?.truncated
      ? [row('dead_letter', 'listing_stopped_at_limit', q.deadLetters.listed, null)]
      : []),
  ];
  return [
    sourcesTable(q.sources, q.stored ?? []),
    qualityTable([...rejected, ...found, ...empty, ...other]),
  ];
};

const STORED_SOURCE_NAMES: Record<StoredSourceCounts['source'], string> = {
  archive: 'archive',
  dynamo: 'DynamoDB hot tables',
};

const sourcesTable = (
  sources: ReadonlyArray<SourceCounts>,
  stored: ReadonlyArray<StoredSourceCounts>,
): Table => ({
  file: 'sources.csv',
  section: 'Data quality',
  title: 'Sources read',
  caption:
    'Each source and what it held: NYPD rows read, accepted as tickets and rejected, by the same rules as ' +
    'csv-to-stream (before duplicates across sources are removed); stored drone messages and alarm events read, ' +
    'decoded and undecodable (before raw copies and the same record in the other store are removed).',
  columns: columnsOf('source', 'kind', 'records', 'rows_read', 'accepted', 'rejected'),
  rows: [
    ...sources.map((s) => ({
      source: s.name,
      kind: s.kind,
      records: 'nypd.ticket',
      rows_read: s.rowsRead,
      accepted: s.accepted,
      rejected: s.rejected,
    })),
    ...stored.map((s) => ({
      source: STORED_SOURCE_NAMES[s.source],
      kind: s.source,
      records: s.type,
      rows_read: s.read,
      accepted: s.read - s.undecodable,
      rejected: s.undecodable,
    })),
  ],
});

const qualityTable = (rows: ReadonlyArray<TableRow>): Table => ({
  file: 'data_quality.csv',
  section: 'Data quality',
  title: 'Data quality',
  caption:
    'Rows rejected and why; values accepted but doubtful (a date years away, state 99, a time without AM/PM); ' +
    'empty cells per column; duplicates removed; stored records that could not be read; drone messages whose ' +
    'drone time was far from their arrival on the stream (drone clock off, stored marked timeSuspect); dead ' +
    'letters (inputs an actor gave up on) per actor and reason.',
  columns: columnsOf('check', ['key', 'What'], 'rows', 'share', 'share_of'),
  rows,
  pageRows: 60,
});
