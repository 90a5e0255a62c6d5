/**
 * Ticket times: an Issue Date (`MM/DD/YYYY`) and a Violation Time (`0752A`) written as New York wall-clock time,
 * turned into an instant with the offset New York used then (America/New_York, daylight saving included). Offsets
 * come from the platform's time-zone database through `Intl`, cached per calendar day, so no dependency and no
 * hand-written DST rules.
 */

// ---------------------------------------------------------------------------------------------------------------
// model

/** A calendar day as written on a ticket. */
export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** `YYYY-MM-DD`. */
  readonly iso: string;
}

/** How a Violation Time cell reads; `irregular` says what was odd about a time that still reads. */
export type ViolationTime =
  | {
      readonly kind: 'time';
      readonly hour: number;
      readonly minute: number;
      readonly irregular?: 'no_meridiem' | 'hour_over_12';
    }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable' };

/** An instant rendered with New York's offset, and whether the wall time fell in a spring-forward gap. */
export interface IssuedAt {
  /** `YYYY-MM-DDTHH:MM:SS±HH:MM`, e.g. `2013-08-04T07:52:00-04:00`. */
  readonly iso: string;
  /** The written time did not exist (02:xx on the spring-forward day): read with the earlier offset, see below. */
  readonly inGap: boolean;
}

/** The zone every ticket's wall-clock time is in. */
export const NEW_YORK = 'America/New_York';

// ---------------------------------------------------------------------------------------------------------------
// parsing

const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
// Newer Open Data exports write ISO dates, sometimes with a midnight time.
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T00:00(?::00(?:\.0+)?)?)?$/;
const TIME = /^(\d{2})(\d{2})([AP]?)$/;

/**
 * Reads an Issue Date: `MM/DD/YYYY` (one-digit month and day too) or ISO `YYYY-MM-DD`. `undefined` when it is not a
 * real calendar day (`02/30/2014`) or not a date at all. Years 0001–9999 read; whether a year is plausible is a
 * separate question (a data-quality finding, not a parse failure).
 *
 * @example
 * parseIssueDate('08/04/2013'); // { year: 2013, month: 8, day: 4, iso: '2013-08-04' }
 * parseIssueDate('2013-08-04'); // the same
 * parseIssueDate('13/01/2013'); // undefined
 */
export const parseIssueDate = (text: string): CivilDate | undefined => issueDates(text);

const readIssueDate = (text: string): CivilDate | undefined => {
  const s = text.trim();
  const us = US_DATE.exec(s);
  const iso = us ? undefined : ISO_DATE.exec(s);
  const [year, month, day] = us
    ? [Number(us[3]), Number(us[1]), Number(us[2])]
    : iso
      ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
      : [0, 0, 0];
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
    ? { year, month, day, iso: `${pad(year, 4)}-${pad(month)}-${pad(day)}` }
    : undefined;
};

/**
 * Reads a Violation Time. `HHMM` + `A`/`P` is a 12-hour clock: `0752A` is 07:52, `1240P` 12:40, and midnight is
 * written both ways, `0015A` and `1215A` (both 00:15); `0015P` is read like `1215P`. Without `A`/`P`, `HHMM` is
 * read as a 24-hour clock (`0752` is 07:52, `1930` 19:30): the only reading that fits every such value, and the
 * same as the A reading for 01–11 (`irregular: 'no_meridiem'`). An hour 13–23 with `A`/`P` is read as 24-hour
 * too (`irregular: 'hour_over_12'`). Empty is `missing`; anything else (`07:52A`, `2575P`) is `unreadable`.
 *
 * @example
 * parseViolationTime('0752A'); // { kind: 'time', hour: 7, minute: 52 }
 * parseViolationTime('1215A'); // { kind: 'time', hour: 0, minute: 15 }
 * parseViolationTime('0930'); // { kind: 'time', hour: 9, minute: 30, irregular: 'no_meridiem' }
 */
export const parseViolationTime = (text: string): ViolationTime => violationTimes(text);

const readViolationTime = (text: string): ViolationTime => {
  const s = text.trim().toUpperCase();
  if (s === '') return { kind: 'missing' };
  const m = TIME.exec(s);
  if (m === null) return { kind: 'unreadable' };
  const [hh, minute, meridiem] = [Number(m[1]), Number(m[2]), m[3]];
  if (minute > 59 || hh > 23) return { kind: 'unreadable' };
  if (meridiem === '') return { kind: 'time', hour: hh, minute, irregular: 'no_meridiem' };
  if (hh > 12) return { kind: 'time', hour: hh, minute, irregular: 'hour_over_12' };
  return { kind: 'time', hour: (hh % 12) + (meridiem === 'P' ? 12 : 0), minute };
};

/**
 * Caches a pure function of short strings: a file has a few hundred distinct dates and at most a few thousand
 * distinct times, so each is read once. Cleared when full, so any input keeps memory bounded.
 */
const memo = <A>(f: (s: string) => A, max = 20_000): ((s: string) => A) => {
  const cache = new Map<string, A>();
  return (s) => {
    const hit = cache.get(s);
    if (hit !== undefined || cache.has(s)) return hit as A;
    if (cache.size >= max) cache.clear();
    const a = f(s);
    cache.set(s, a);
    return a;
  };
};

const issueDates = memo(readIssueDate);
const violationTimes = memo(readViolationTime);

// ---------------------------------------------------------------------------------------------------------------
// New York offsets

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const parts = new Intl.DateTimeFormat('en-US', {
  timeZone: NEW_YORK,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** Epoch ms of a wall-clock time read as UTC; years 0–99 stay years 0–99 (unlike `Date.UTC` alone). */
const wallMs = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number => {
  if (y >= 100) return Date.UTC(y, mo - 1, d, h, mi, s);
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return date.getTime();
};

/** New York's UTC offset in ms at an instant (negative: behind UTC), to the second (1883's LMT had seconds). */
export const newYorkOffsetMs = (epochMs: number): number => {
  const at = Math.floor(epochMs / 1000) * 1000;
  const p: Record<string, number> = {};
  for (const { type, value } of parts.formatToParts(at)) p[type] = Number(value);
  return wallMs(p.year!, p.month!, p.day!, p.hour, p.minute, p.second) - at;
};

/** A day on which every time has one offset: its rendered date and offset, so a row only adds its hour. */
interface SteadyDay {
  readonly prefix: string;
  readonly suffix: string;
}

/**
 * Days keyed `y*10000+m*100+d`: `null` marks days next to a transition (or with an offset in seconds, before
 * 1883), which take the exact path. Cleared when full, so dates over many years keep memory bounded.
 */
const days = new Map<number, SteadyDay | null>();
const DAYS_MAX = 20_000;

const steadyDay = (date: Omit<CivilDate, 'iso'>): SteadyDay | null => {
  const key = date.year * 10_000 + date.month * 100 + date.day;
  let day = days.get(key);
  if (day === undefined) {
    if (days.size >= DAYS_MAX) days.clear();
    const midnight = wallMs(date.year, date.month, date.day);
    const offset = newYorkOffsetMs(midnight - DAY);
    // Two transitions never fall within three days of each other, so equal ends mean no transition between.
    day =
      offset === newYorkOffsetMs(midnight + 2 * DAY) && offset % MINUTE === 0
        ? {
            prefix: render(midnight - offset, offset).slice(0, 11),
            suffix: `:00${offsetText(offset)}`,
          }
        : null;
    days.set(key, day);
  }
  return day;
};

/**
 * The instant of a wall-clock time (as `wallMs`) in New York, disambiguated like Temporal's `compatible`: a time
 * repeated when clocks fall back takes the earlier instant (daylight time); a time skipped when they spring forward
 * is read with the offset before the jump, landing an hour later on the wall clock (02:30 → 03:30 EDT).
 */
const instantOf = (wall: number): { readonly ms: number; readonly inGap: boolean } => {
  const before = newYorkOffsetMs(wall - DAY);
  const after = newYorkOffsetMs(wall + DAY);
  const early = wall - before;
  if (before === after) return { ms: early, inGap: false };
  const late = wall - after;
  const earlyOk = newYorkOffsetMs(early) === before;
  const lateOk = newYorkOffsetMs(late) === after;
  if (earlyOk && lateOk) return { ms: Math.min(early, late), inGap: false };
  if (earlyOk || lateOk) return { ms: earlyOk ? early : late, inGap: false };
  return { ms: early, inGap: true };
};

/**
 * The issue instant of a ticket: the day, and the time (start of the day when the time is missing or unreadable),
 * in New York, rendered with the offset in force then (rounded to the minute, the seconds kept in the time: only
 * the local mean time before 1883 had seconds).
 *
 * @example
 * issuedAtOf({ year: 2013, month: 8, day: 4 }, { hour: 7, minute: 52 }); // { iso: '2013-08-04T07:52:00-04:00', inGap: false }
 * issuedAtOf({ year: 2014, month: 3, day: 9 }, { hour: 2, minute: 30 }); // { iso: '2014-03-09T03:30:00-04:00', inGap: true }
 */
export const issuedAtOf = (
  date: Omit<CivilDate, 'iso'>,
  time: { readonly hour: number; readonly minute: number } | undefined,
): IssuedAt => {
  const [hour, minute] = [time?.hour ?? 0, time?.minute ?? 0];
  const day = steadyDay(date);
  if (day !== null)
    return { iso: `${day.prefix}${clockText(hour, minute)}${day.suffix}`, inGap: false };
  const wall = wallMs(date.year, date.month, date.day, hour, minute);
  const { shift, offset, inGap } = transitionHour(wall - minute * MINUTE);
  return { iso: render(wall + shift, offset), inGap };
};

/**
 * How wall times in one hour of a day next to a transition map to instants (New York changes offset on the
 * hour, so one answer serves the whole hour), cached like {@link days}.
 */
const hours = new Map<number, { shift: number; offset: number; inGap: boolean }>();

const transitionHour = (wallHour: number): { shift: number; offset: number; inGap: boolean } => {
  let hour = hours.get(wallHour);
  if (hour === undefined) {
    if (hours.size >= DAYS_MAX) hours.clear();
    const { ms, inGap } = instantOf(wallHour);
    hour = { shift: ms - wallHour, offset: newYorkOffsetMs(ms), inGap };
    hours.set(wallHour, hour);
  }
  return hour;
};

// ---------------------------------------------------------------------------------------------------------------
// utils

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `HH:MM` of every minute of a day, built once. */
let clockTexts: string[] | undefined;
const clockText = (hour: number, minute: number): string =>
  (clockTexts ??= Array.from(
    { length: 1440 },
    (_, i) => `${pad(Math.floor(i / 60))}:${pad(i % 60)}`,
  ))[hour * 60 + minute]!;

/** `±HH:MM` of an offset, rounded to the minute. */
const offsetText = (offsetMs: number): string => {
  const minutes = Math.round(offsetMs / MINUTE);
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
};

/** `YYYY-MM-DDTHH:MM:SS±HH:MM` of an instant at an offset rounded to the minute. */
const render = (epochMs: number, offsetMs: number): string => {
  const d = new Date(epochMs + Math.round(offsetMs / MINUTE) * MINUTE);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    offsetText(offsetMs)
  );
};

const daysInMonth = (year: number, month: number): number => {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
};
