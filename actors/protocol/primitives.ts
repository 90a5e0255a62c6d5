/**
 * The building blocks every message shares: identities (branded, because code must not mix a drone id with a
 * message id), validated numbers and strings (refined, not branded, so tests and simulators can write literals),
 * and positions.
 */
import { E, pipe, t } from '../../runtime/codec.ts';
import { refine } from './codec-kit.ts';

// ---------------------------------------------------------------------------------------------------------------
// identities

interface DroneIdBrand {
  readonly DroneId: unique symbol;
}

/**
 * A drone's id: 1–64 characters from `A-Z a-z 0-9 . _ -`, starting with a letter or digit. Our simulator writes
 * `drone-0001` ({@link droneIdOf}); real fleets use serials like `DJI-M30T.1ZNBJ7`, which pass too. No `:` (it
 * separates the parts of a message id) and no spaces (it is a Kinesis partition key and a log field).
 *
 * @example
 * DroneId.is('drone-0042'); // true
 * DroneId.is('drone 42'); // false
 */
export const DroneId = t.brand(
  t.string,
  (s): s is t.Branded<string, DroneIdBrand> => /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(s),
  'DroneId',
);
export type DroneId = t.TypeOf<typeof DroneId>;

interface MessageIdBrand {
  readonly MessageId: unique symbol;
}

/**
 * The id of any message on the bus: 1–256 printable ASCII characters without spaces (a DynamoDB key and, for
 * alarms, an SNS deduplication key). Schemes: `<droneId>:<seq>` for drone messages, `legacy:<droneId>:<hash>` for
 * normalised legacy ones, `nypd:<summons>` for tickets, `<alarmId>:…` for alarm follow-ups.
 *
 * @example
 * MessageId.is('drone-0001:17'); // true
 */
export const MessageId = t.brand(
  t.string,
  (s): s is t.Branded<string, MessageIdBrand> => /^[\x21-\x7e]{1,256}$/.test(s),
  'MessageId',
);
export type MessageId = t.TypeOf<typeof MessageId>;

/**
 * The canonical simulator drone id: `drone-` and at least four digits.
 *
 * @example
 * droneIdOf(7); // 'drone-0007'
 */
export const droneIdOf = (n: number): DroneId => {
  const id = `drone-${String(n).padStart(4, '0')}`;
  if (!Number.isSafeInteger(n) || n < 0 || !DroneId.is(id))
    throw new RangeError(`droneIdOf: bad number ${n}`);
  return id;
};

// ---------------------------------------------------------------------------------------------------------------
// numbers and strings

/** A string with at least one non-whitespace character. @example NonBlankString.is(' x') // true */
export const NonBlankString = refine(t.string, (s) => s.trim() !== '', 'NonBlankString');

/** An integer ≥ 0 (sequence numbers, counts, precincts where 0 is "unknown" in the source). */
export const NonNegativeInt = refine(
  t.number,
  (n) => Number.isSafeInteger(n) && n >= 0,
  'NonNegativeInt',
);

/** An integer ≥ 1 (line numbers, escalation levels, weights). */
export const PositiveInt = refine(
  t.number,
  (n) => Number.isSafeInteger(n) && n >= 1,
  'PositiveInt',
);

/**
 * An NYC Department of Finance violation code: an integer 1–99. Only the range is checked: the table in
 * `config/violation-codes.csv` has 86 codes, but real tickets also carry codes missing from it (e.g. 95), and
 * what a code means is a lookup, not a decoding rule.
 *
 * @example
 * ViolationCode.is(40); // true (fire hydrant)
 * ViolationCode.is(0); // false
 */
export const ViolationCode = refine(
  t.number,
  (n) => Number.isInteger(n) && n >= 1 && n <= 99,
  'ViolationCode',
);
export type ViolationCode = t.TypeOf<typeof ViolationCode>;

// ---------------------------------------------------------------------------------------------------------------
// positions

/**
 * A finite number in `[min, max]`; `-0` decodes to `0`, because JSON cannot carry `-0` and a position that changes
 * on a round trip would break deduplication by content.
 */
const coordinate = (name: string, min: number, max: number): t.Type<number, number, unknown> =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && u >= min && u <= max, // NaN fails every comparison
    (u, c) => (typeof u === 'number' && u >= min && u <= max ? t.success(u + 0) : t.failure(u, c)),
    (a) => a + 0,
  );

/** Degrees north, −90…90 (WGS 84). */
export const Latitude = coordinate('Latitude', -90, 90);

/** Degrees east, −180…180 (WGS 84). */
export const Longitude = coordinate('Longitude', -180, 180);

const LocationFields = t.strict({ lat: Latitude, lon: Longitude });

/** A position as decoded: WGS 84 degrees, never `-0`. */
export interface Location {
  readonly lat: number;
  readonly lon: number;
}

/**
 * A WGS 84 position; unknown keys (`alt`, `accuracy`) are stripped and `-0` becomes `0` (io-ts's `t.type` keeps an
 * input field whose decoded value is `===` to it, and `-0 === 0`, so the object is rebuilt here).
 *
 * @example
 * Location.decode({ lat: 40.7128, lon: -74.006 }); // right
 */
export const Location: t.Type<Location, Location, unknown> = new t.Type<
  Location,
  Location,
  unknown
>(
  'Location',
  LocationFields.is,
  (u, c) =>
    pipe(
      LocationFields.validate(u, c),
      E.map(({ lat, lon }) => ({ lat: lat + 0, lon: lon + 0 })),
    ),
  ({ lat, lon }) => ({ lat: lat + 0, lon: lon + 0 }),
);
