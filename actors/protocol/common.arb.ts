/**
 * fast-check arbitraries for the shared building blocks (ids, times, positions, strings). Every value they make
 * decodes with its codec; positions never hold `-0` (JSON cannot carry it, so a round trip would change it).
 */
import fc from 'fast-check';

import {
  DroneId,
  droneIdOf,
  hasUnsafeChars,
  type Location,
  MessageId,
  type ViolationCode,
} from './primitives.ts';
import { IsoDate, OffsetDateTime, UtcTime, utcTimeOf } from './time.ts';

const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = Date.UTC(2099, 11, 31, 23, 59, 59, 999);

/** Drone ids: simulator-style `drone-0042` and arbitrary real-fleet serials. */
export const arbDroneId: fc.Arbitrary<DroneId> = fc
  .oneof(
    fc.nat({ max: 99_999 }).map(droneIdOf),
    fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
  )
  .filter(DroneId.is);

/** Message ids: short printable-ASCII strings (so derived ids stay under 256 characters). */
export const arbMessageId: fc.Arbitrary<MessageId> = fc
  .stringMatching(/^[\x21-\x7e]{1,40}$/)
  .filter(MessageId.is);

/** Epoch milliseconds in 2000–2099. */
export const arbEpochMs: fc.Arbitrary<number> = fc.integer({ min: MIN_MS, max: MAX_MS });

/** UTC instants in 2000–2099, canonical (`.123Z`) mostly, also without fraction or with 6 or 9 digits. */
export const arbUtcTime: fc.Arbitrary<UtcTime> = fc
  .tuple(arbEpochMs, fc.constantFrom('ms', 's', 'us', 'ns'))
  .map(([ms, precision]) => {
    const canonical = utcTimeOf(ms);
    const seconds = canonical.slice(0, 19);
    if (precision === 's') return `${seconds}Z`;
    if (precision === 'us') return `${canonical.slice(0, 23)}456Z`;
    if (precision === 'ns') return `${canonical.slice(0, 23)}456789Z`;
    return canonical;
  })
  .filter(UtcTime.is);

/** A UTC offset in minutes, as New York (−4 h, −5 h) or anywhere (−12 h … +14 h, quarter hours). */
export const arbOffsetMinutes: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(-240, -300, 0),
  fc.integer({ min: -48, max: 56 }).map((q) => q * 15),
);

/** Renders an instant as local time at an offset: `2013-08-04T07:52:00.000-04:00` (`Z` for offset 0 if `z`). */
export const withOffset = (ms: number, offsetMinutes: number, z = true): string => {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
  if (offsetMinutes === 0 && z) return `${local}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};

/** Instants with an offset, as NYPD tickets are written. */
export const arbOffsetDateTime: fc.Arbitrary<string> = fc
  .tuple(arbEpochMs, arbOffsetMinutes, fc.boolean())
  .map(([ms, offset, z]) => withOffset(ms, offset, z))
  .filter(OffsetDateTime.is);

/** Calendar days in 2000–2099. */
export const arbIsoDate: fc.Arbitrary<string> = arbEpochMs
  .map((ms) => new Date(ms).toISOString().slice(0, 10))
  .filter(IsoDate.is);

/** Positions anywhere on Earth, `-0` normalised. */
export const arbLocation: fc.Arbitrary<Location> = fc.record(
  {
    lat: fc.double({ min: -90, max: 90, noNaN: true }).map((x) => x + 0),
    lon: fc.double({ min: -180, max: 180, noNaN: true }).map((x) => x + 0),
  },
  { noNullPrototype: true },
);

/** Positions in New York City's bounding box (for realistic fixtures). */
export const arbNycLocation: fc.Arbitrary<Location> = fc.record(
  {
    lat: fc.double({ min: 40.49, max: 40.92, noNaN: true }),
    lon: fc.double({ min: -74.26, max: -73.7, noNaN: true }),
  },
  { noNullPrototype: true },
);

/** Violation codes 1–99. */
export const arbViolationCode: fc.Arbitrary<ViolationCode> = fc.integer({ min: 1, max: 99 });

/** Non-blank strings, ASCII or any Unicode. */
export const arbNonBlank: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ minLength: 1, maxLength: 30 }),
    fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }),
  )
  .filter((s) => s.trim() !== '');

/** Non-blank strings without control or bidi-control characters: what a text field holds once decoded. */
export const arbSafeText: fc.Arbitrary<string> = arbNonBlank.filter((s) => !hasUnsafeChars(s));

/** Strings sprinkled with NUL, ANSI escapes, line breaks, DEL, C1 controls and bidi overrides and isolates. */
export const arbHostileText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      arbNonBlank,
      fc.constantFrom(
        '\u0000',
        '\u001b[31m',
        '\r\n',
        '\u007f',
        '\u0085',
        '\u202e',
        '\u2066',
        '\u200f',
      ),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((parts) => parts.join(''));
