/**
 * Every column of the report's tables, declared once: its key (the CSV header) with its label in the page and its
 * kind (how a cell is shown). A table names its columns by key, in order ({@link columnsOf}); one that labels a
 * column otherwise gives the label beside the key (`['tickets', 'Violations']`), the kind stays the column's.
 */
import type { CellKind, Column } from './model.ts';

const COLUMNS = {
  drone_id: ['Drone', 'text'],
  messages: ['Messages', 'count'],
  violations: ['Violations', 'count'],
  alarms: ['Alarms recorded', 'count'],
  expected_alarms: ['Violations needing a person', 'count'],
  violation_rate: ['Violation rate', 'share'],
  alarm_rate: ['Alarm rate', 'share'],
  violation_code: ['Code', 'text'],
  description: ['Description', 'text'],
  breakdown: ['Breakdown', 'text'],
  key: ['Code or borough', 'text'],
  share: ['Share', 'share'],
  alarms_decided: ['Alarms decided', 'count'],
  median_seconds: ['Median', 'seconds'],
  p90_seconds: ['90th percentile', 'seconds'],
  max_seconds: ['Longest', 'seconds'],
  source: ['Source', 'text'],
  kind: ['Kind', 'text'],
  records: ['Records', 'text'],
  rows_read: ['Rows read', 'count'],
  accepted: ['Accepted', 'count'],
  rejected: ['Rejected', 'count'],
  check: ['Check', 'text'],
  rows: ['Rows', 'count'],
  share_of: ['Share of', 'text'],
  plate: ['Plate', 'text'],
  registration_state: ['State', 'text'],
  tickets: ['Tickets', 'count'],
  tickets_per_plate: ['Tickets per plate', 'text'],
  plates: ['Plates', 'count'],
  nypd_tickets: ['NYPD tickets', 'count'],
  drone_violations: ['Drone violations', 'count'],
  fine_manhattan_96_and_below: ['Fine, Manhattan ≤ 96th St', 'money'],
  fine_other_areas: ['Fine, other areas', 'money'],
  tickets_manhattan_96_and_below: ['At the Manhattan fine', 'count'],
  tickets_other_areas: ['At the other-areas fine', 'count'],
  estimated_revenue: ['Estimated revenue', 'money'],
  metric: ['Metric', 'text'],
  label: ['What', 'text'],
  count: ['Count', 'count'],
  street: ['Street', 'text'],
  plate_type: ['Plate type', 'text'],
  vehicle_make: ['Make', 'text'],
  body_type: ['Body type', 'text'],
  vehicle_color: ['Colour', 'text'],
  vehicle_year: ['Model year', 'text'],
  borough: ['Borough', 'text'],
  precinct: ['Precinct', 'text'],
  hour: ['Hour', 'text'],
  weekday: ['Weekday', 'text'],
  month: ['Month', 'text'],
  day_type: ['Days', 'text'],
  period: ['Period', 'text'],
} as const satisfies Readonly<Record<string, readonly [string, CellKind]>>;

/** A declared column's key. */
export type ColumnKey = keyof typeof COLUMNS;

/**
 * A table's columns, in order, from their keys (a key with its own label: `[key, label]`).
 * @example columnsOf('violation_code', 'description', ['tickets', 'Violations'], 'share')
 */
export const columnsOf = (
  ...keys: ReadonlyArray<ColumnKey | readonly [ColumnKey, string]>
): Column[] =>
  keys.map((k) => {
    const [key, label] = typeof k === 'string' ? [k, COLUMNS[k][0]] : k;
    return { key, label, kind: COLUMNS[key][1] };
  });

/**
 * One declared column.
 * @example columnOf('borough') // { key: 'borough', label: 'Borough', kind: 'text' }
 */
export const columnOf = (key: ColumnKey): Column => ({
  key,
  label: COLUMNS[key][0],
  kind: COLUMNS[key][1],
});
