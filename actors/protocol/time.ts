/**
 * Time on the wire is text, never epoch numbers: `UtcTime` for instants our own code produces (drone messages,
 * alarms), `OffsetDateTime` for instants read from sources that state a local offset (NYPD tickets), `IsoDate`
 * for calendar days. All three reject impossible dates (`2026-02-30`), hour 24 and leap seconds.
 */
import { t } from '../../runtime/codec.ts';
import { refine } from './codec-kit.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

interface UtcTimeBrand {
  readonly UtcTime: unique symbol;
}

/**
 * An ISO-8601 instant in UTC: `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z`, e.g. `2026-11-27T18:49:16.123Z`. Branded: build one
 * with {@link utcTimeOf} from the Clock port's epoch ms, or decode one.
 *
 * Kept as written (not re-rendered), so encode → decode is the identity. Compare instants with
 * {@link epochMsOf}, not as strings, when precisions may differ.
 *
 * @example
 * UtcTime.is('2026-11-27T18:49:16.123Z'); // true
 * UtcTime.is('2026-11-27T18:49:16+01:00'); // false: use OffsetDateTime
 */
export const UtcTime = t.brand(
  t.string,
  (s): s is t.Branded<string, UtcTimeBrand> => isValidDateTime(s, UTC_TIME),
  'UtcTime',
);
export type UtcTime = t.TypeOf<typeof UtcTime>;

/**
 * An ISO-8601 instant with an explicit offset or `Z`: `2013-08-04T07:52:00-04:00`. Use for source data whose local
 * time matters (an NYPD ticket's issue time is New York wall-clock time).
 *
 * @example
 * OffsetDateTime.is('2013-08-04T07:52:00-04:00'); // true
 */
export const OffsetDateTime = refine(
  t.string,
  (s) => isValidDateTime(s, OFFSET_TIME),
  'OffsetDateTime',
);

/**
 * A calendar day `YYYY-MM-DD` (no time, no zone), validated (`2023-02-29` fails).
 *
 * @example
 * IsoDate.is('2013-08-04'); // true
 */
export const IsoDate = refine(t.string, (s) => isValidDateTime(s, DATE_ONLY), 'IsoDate');

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * The canonical `UtcTime` (millisecond precision) of an epoch-ms instant, e.g. from the Clock port.
 *
 * Throws a RangeError outside years 0000–9999: that is a programming error (a bad clock), not bad input.
 *
 * @example
 * utcTimeOf(0); // '1970-01-01T00:00:00.000Z'
 */
export const utcTimeOf = (epochMs: number): UtcTime => {
  const s = new Date(epochMs).toISOString(); // throws RangeError on NaN
  if (!UtcTime.is(s)) throw new RangeError(`utcTimeOf: ${epochMs} is outside years 0000-9999`);
  return s;
};

/**
 * Epoch milliseconds of any valid ISO-8601 instant (`UtcTime` or `OffsetDateTime`). Digits beyond the millisecond
 * are truncated.
 *
 * @example
 * epochMsOf(utcTimeOf(1_700_000_000_000)); // 1700000000000
 */
export const epochMsOf = (iso: string): number => {
  const m = /^(.*?:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(iso);
  if (m === null) return Number.NaN;
  const millis = (m[2] ?? '.0').slice(0, 4).padEnd(4, '0');
  return Date.parse(`${m[1] ?? ''}${millis}${m[3] ?? ''}`);
};

/**
 * Renders an instant with an explicit offset or `Z` as a canonical `UtcTime`; `undefined` if the text is not one.
 *
 * Use when accepting instants from outside (legacy drone messages) that may carry a local offset.
 *
 * @example
 * toUtcTime('2026-11-27T19:49:16+01:00'); // '2026-11-27T18:49:16.000Z'
 */
export const toUtcTime = (iso: string): UtcTime | undefined => {
  if (!OffsetDateTime.is(iso)) return undefined;
  const ms = epochMsOf(iso);
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_MS ? utcTimeOfSafe(ms) : undefined;
};

/**
 * How far a drone's clock may stray from the stream's arrival time before its reported time is suspect: behind
 * (queued, buffered or a clock set late) and ahead (a clock set early; transit never makes a time run ahead).
 */
export interface ClockWindow {
  readonly behindMs: number;
  readonly aheadMs: number;
}

/** 24 h back (a drone that buffered through a day offline is still believed), 5 min ahead. */
export const DEFAULT_CLOCK_WINDOW: ClockWindow = { behindMs: 86_400_000, aheadMs: 300_000 };

/**
 * How far the drone's `time` is off from `arrivedAt` (the stream's arrival time, epoch ms), in ms (negative:
 * behind), when it falls outside `window`; `undefined` when it is plausible. The message is kept either way: a
 * suspect time is a mark, never a reason to drop an alarm.
 *
 * @example
 * clockOffMs('2025-06-01T12:00:00.000Z' as UtcTime, Date.parse('2026-06-01T12:00:00Z')); // -31536000000
 */
export const clockOffMs = (
  time: UtcTime,
  arrivedAt: number,
  window: ClockWindow = DEFAULT_CLOCK_WINDOW,
): number | undefined => {
  const off = epochMsOf(time) - arrivedAt;
  if (!Number.isFinite(off)) return undefined;
  return off < -window.behindMs || off > window.aheadMs ? off : undefined;
};

// ---------------------------------------------------------------------------------------------------------------
// utils

const UTC_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$/;
const OFFSET_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_MS = 8.64e15;

const utcTimeOfSafe = (ms: number): UtcTime | undefined => {
  const s = new Date(ms).toISOString();
  return UtcTime.is(s) ? s : undefined;
};

/** Format by regex, then the calendar: month 1–12, day within the month (leap years), 00:00:00–23:59:59. */
const isValidDateTime = (s: string, format: RegExp): boolean => {
  const m = format.exec(s);
  if (m === null) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m
    .slice(1)
    .map((x) => Number(x ?? 0));
  if (year === undefined || month === undefined || day === undefined) return false;
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59
  );
};

const daysInMonth = (year: number, month: number): number => {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
};
