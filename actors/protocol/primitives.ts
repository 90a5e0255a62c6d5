/**
 * The building blocks every message shares: identities (branded, because code must not mix a drone id with a
 * message id), validated numbers and strings (refined, not branded, so tests and simulators can write literals),
 * and positions.
 */
import { E, pipe, t } from '../../runtime/codec.ts';
import { refine, show } from './codec-kit.ts';

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
 * The fields every event of the protocol begins with (STYLE §4): its dotted `type`, its version `v` (1; a new
 * version is a new codec) and its `id`.
 * @example struct('DroneBack', { ...eventHead('drone.back'), silentId: MessageId }, {})
 */
export const eventHead = <T extends string>(type: T) => ({
  type: t.literal(type),
  v: t.literal(1),
  id: MessageId,
});

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
// text

/**
 * Characters no text field keeps: C0 and C1 controls and DEL (NUL, ANSI escapes, line breaks that forge log
 * lines), the line and paragraph separators, and the bidirectional embeddings, overrides, isolates and marks
 * (U+202E makes `gpj.exe` read `exe.jpg`). The `g` copy replaces, the other tests.
 */
const UNSAFE_CHARS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_CHARS_ALL = new RegExp(UNSAFE_CHARS.source, 'g');
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Whether a string holds a control or bidi-control character ({@link stripUnsafe} removes them). */
export const hasUnsafeChars = (s: string): boolean => UNSAFE_CHARS.test(s);

/**
 * Removes control and bidi-control characters: a control (a line break, a tab, the ESC of an ANSI sequence)
 * becomes a space, so words stay apart; a bidi control is dropped.
 *
 * @example
 * stripUnsafe('12 Main St\u202E\u0000'); // '12 Main St '
 */
export const stripUnsafe = (s: string): string =>
  s.replace(UNSAFE_CHARS_ALL, (c) => (BIDI.test(c) ? '' : ' '));

/**
 * Free text shown to people (an address, an operator's name, a note): decoding strips control and bidi-control
 * characters ({@link stripUnsafe}), then requires a non-blank result of at most `maxChars` (UTF-16 units). Longer
 * text is rejected, not cut: a cut address or name could read as another one.
 *
 * Use where a dirty character must not cost the message (a drone's address must not lose its alarm).
 *
 * @example
 * const Address = CleanText('Address', 200);
 * Address.decode('5th Ave\u001b[2J'); // right('5th Ave [2J')
 */
export const CleanText = (name: string, maxChars: number): t.Type<string, string, unknown> =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string =>
      typeof u === 'string' && !hasUnsafeChars(u) && u.trim() !== '' && u.length <= maxChars,
    (u, c) => {
      if (typeof u !== 'string') return t.failure(u, c);
      const s = stripUnsafe(u);
      if (s.trim() === '') return t.failure(u, c, `expected non-blank text, got ${show(u)}`);
      return s.length <= maxChars
        ? t.success(s)
        : t.failure(u, c, `expected at most ${maxChars} characters, got ${s.length}`);
    },
    (s) => s,
  );

/**
 * An identifier made by a machine (an image id): non-blank, at most `maxChars`, and any control or bidi-control
 * character rejects it: stripped, it could name another object.
 *
 * @example
 * const ImageId = SafeId('ViolationImageId', 128);
 * ImageId.decode('img-1\u0000'); // left
 */
export const SafeId = (name: string, maxChars: number): t.Type<string, string, unknown> =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string =>
      typeof u === 'string' && !hasUnsafeChars(u) && u.trim() !== '' && u.length <= maxChars,
    (u, c) => {
      if (typeof u !== 'string' || u.trim() === '') return t.failure(u, c);
      if (hasUnsafeChars(u))
        return t.failure(u, c, `no control or bidi-control characters allowed, got ${show(u)}`);
      return u.length <= maxChars
        ? t.success(u)
        : t.failure(u, c, `expected at most ${maxChars} characters, got ${u.length}`);
    },
    (s) => s,
  );

/** A drone's optional address: {@link CleanText}, at most 200 characters. */
export const Address = CleanText('Address', 200);

/** The id of a violation image: {@link SafeId}, at most 128 characters. */
export const ViolationImageId = SafeId('ViolationImageId', 128);

/** An operator's name on a decision or escalation: {@link CleanText}, at most 64 characters (as the console). */
export const OperatorName = CleanText('OperatorName', 64);

/** An operator's note on a decision: {@link CleanText}, at most 1,000 characters. */
export const OperatorNote = CleanText('OperatorNote', 1_000);

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
