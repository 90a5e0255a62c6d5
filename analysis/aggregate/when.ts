/**
 * When violations happen, in New York time for both sources: an NYPD ticket's Violation Time and Issue Date are
 * New York wall-clock time already; a drone's UTC time was converted with America/New_York (daylight saving
 * included) before grouping (drones/sql.ts). A ticket's hour is the one written on it: csv-to-stream's `issuedAt`
 * moves a time in the spring-forward gap an hour later, which can change a handful of tickets a year.
 */
import type { Group } from '../engine/pass.ts';
import { breakdown, type Split, tallyField, totalOf } from './breakdown.ts';
import { columnOf } from './columns.ts';
import { type Table } from './model.ts';
import { readTime } from './normalise.ts';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Monday = 0 … Sunday = 6 of an ISO day `YYYY-MM-DD`. */
export const weekdayOf = (isoDay: string): number => {
  const [y, m, d] = isoDay.split('-').map(Number);
  return (new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1)).getUTCDay() + 6) % 7;
};

const hourOf = (raw: string | null): number | undefined => {
  const t = readTime(raw);
  return t.kind === 'time' ? t.hour : undefined;
};

/**
 * The time breakdowns: `violations_by_hour.csv`, `violations_by_weekday.csv`, `violations_by_month.csv` (month
 * of the year), `violations_by_day_type.csv` (weekday vs weekend) and `violations_by_am_pm.csv`.
 *
 * @example
 * const tables = whenTables(groups);
 */
export const whenTables = (groups: ReadonlyArray<Group>): Table[] => {
  const population: Split = totalOf(groups);
  const common = { section: 'When' as const, sources: 'both' as const, population };
  const hours = Array.from({ length: 24 }, (_, h) => h);
  // The day of a ticket or a message ('YYYY-MM-DD', New York time), or unknown.
  const byDay = <K extends string | number>(keyOf: (day: string) => K) =>
    tallyField(groups, 'day', (d) => (d === null ? undefined : keyOf(d)));
  return [
    breakdown(tallyField(groups, 'tod', hourOf), {
      ...common,
      file: 'violations_by_hour.csv',
      title: 'Violations by hour of day',
      caption:
        'Violations by the hour they happened, New York time (0 = midnight to 1 am); "unknown" counts tickets ' +
        'without a readable Violation Time.',
      key: columnOf('hour'),
      order: { keys: hours },
    }),
    breakdown(byDay(weekdayOf), {
      ...common,
      file: 'violations_by_weekday.csv',
      title: 'Violations by weekday',
      caption: 'Violations by day of the week, New York time.',
      key: columnOf('weekday'),
      label: (w) => WEEKDAYS[w]!,
      order: { keys: [0, 1, 2, 3, 4, 5, 6] },
    }),
    breakdown(
      byDay((d) => Number(d.slice(5, 7))),
      {
        ...common,
        file: 'violations_by_month.csv',
        title: 'Violations by month',
        caption: 'Violations by month of the year (all years together), New York time.',
        key: columnOf('month'),
        label: (m) => MONTHS[m - 1]!,
        order: { keys: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] },
      },
    ),
    breakdown(
      byDay((d) => (weekdayOf(d) >= 5 ? 'weekend' : 'weekday')),
      {
        ...common,
        file: 'violations_by_day_type.csv',
        title: 'Weekdays and weekends',
        caption: 'Violations on weekdays (Monday to Friday) and at weekends, New York time.',
        key: columnOf('day_type'),
        order: { keys: ['weekday', 'weekend'] },
      },
    ),
    breakdown(
      tallyField(groups, 'tod', (raw) => {
        const h = hourOf(raw);
        return h === undefined ? undefined : h < 12 ? 'AM' : 'PM';
      }),
      {
        ...common,
        file: 'violations_by_am_pm.csv',
        title: 'Morning and afternoon',
        caption: 'Violations before noon (AM) and from noon on (PM), New York time.',
        key: columnOf('period'),
        order: { keys: ['AM', 'PM'] },
      },
    ),
  ];
};
