/**
 * io-ts stays behind this file (fp-ts/io-ts are in maintenance, STYLE §4): the rest of the code decodes through
 * {@link decodeWith} and {@link decodeJson} and gets `Either<DecodeFailure, A>` back, never a throw.
 */
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';

import { type DecodeFailure, decodeFailure } from './errors.ts';

export { E, pipe, t };

/**
 * Human-readable issues: `at .location.lat: expected number, got "x"`, one per failed leaf. The member index of
 * an intersection or union is not part of the path (`at .drones`, not `at .2.drones`): the reader knows fields,
 * not how the codec was assembled.
 */
export const reportErrors = (errors: t.Errors): ReadonlyArray<string> =>
  errors.map((e) => {
    const path = e.context
      .filter((c, i) => c.key !== '' && !isComposite(e.context[i - 1]?.type))
      .map((c) => c.key)
      .join('.');
    const expected = e.context[e.context.length - 1]?.type.name ?? 'unknown';
    const got = safeShow(e.value);
    if (e.message?.startsWith('at .')) return e.message; // already placed by a cross-field check
    return `at .${path}: ${e.message ?? `expected ${expected}, got ${got}`}`;
  });

const isComposite = (type: t.Decoder<unknown, unknown> | undefined): boolean =>
  type instanceof t.IntersectionType || type instanceof t.UnionType;

const safeShow = (u: unknown): string => {
  if (u === undefined) return 'undefined';
  try {
    const s = JSON.stringify(u);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return Object.prototype.toString.call(u);
  }
};

/** Decodes an unknown value with a codec, naming the topic (or config section) in the failure. */
export const decodeWith =
  <A, O>(codec: t.Type<A, O, unknown>, topic: string) =>
  (u: unknown): E.Either<DecodeFailure, A> =>
    pipe(
      codec.decode(u),
      E.mapLeft((errors) => decodeFailure(topic, reportErrors(errors))),
    );

/** A codec that declares the largest message it accepts, in bytes as received (see {@link withMaxBytes}). */
export interface MaxBytes {
  readonly maxBytes: number;
}

/**
 * The codec, declaring the largest message it accepts in bytes as received: {@link decodeJson} refuses a larger
 * one before parsing it, so every consumer of a topic agrees on what is too big. Decoding an already parsed value
 * does not check it (there are no bytes to count).
 *
 * @example
 * const Small = withMaxBytes(Message, 256 * 1024); // decodeJson(Small, 'topic')(bytes) → left('too large: ...')
 */
export const withMaxBytes = <A, O>(
  codec: t.Type<A, O, unknown>,
  maxBytes: number,
): t.Type<A, O, unknown> & MaxBytes =>
  Object.assign(new t.Type<A, O, unknown>(codec.name, codec.is, codec.validate, codec.encode), {
    maxBytes,
  });

const maxBytesOf = (codec: unknown): number | undefined => {
  const n = (codec as Partial<MaxBytes>).maxBytes;
  return typeof n === 'number' ? n : undefined;
};

/**
 * Parses JSON bytes or text and decodes them: not-JSON, or more bytes than the codec declares
 * ({@link withMaxBytes}), is a DecodeFailure too, never an exception.
 */
export const decodeJson =
  <A, O>(codec: t.Type<A, O, unknown>, topic: string) =>
  (raw: Uint8Array | string): E.Either<DecodeFailure, A> => {
    const max = maxBytesOf(codec);
    const size =
      max === undefined ? 0 : typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
    if (max !== undefined && size > max)
      return E.left(
        decodeFailure(topic, [`too large: ${size} bytes, the message contract allows ${max}`]),
      );
    const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return E.left(decodeFailure(topic, [`not JSON: ${(err as Error).message}`]));
    }
    return decodeWith(codec, topic)(parsed);
  };

/** Encodes a value to the JSON bytes that travel on the bus. */
export const encodeJson = <A, O>(codec: t.Type<A, O, unknown>, a: A): Buffer =>
  Buffer.from(JSON.stringify(codec.encode(a)), 'utf8');

// ---------------------------------------------------------------------------------------------------------------
// codecs for config values: files give numbers and booleans, env and flags give strings

const numberIn = (name: string, ok: (n: number) => boolean, expected: string) =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && ok(u),
    (u, c) => {
      const n =
        typeof u === 'number' ? u : typeof u === 'string' && u.trim() !== '' ? Number(u) : NaN;
      return Number.isFinite(n) && ok(n)
        ? t.success(n)
        : t.failure(u, c, `expected ${expected}, got ${safeShow(u)}`);
    },
    (n) => n,
  );

/** A finite number, from a number or a numeric string. */
export const NumberLike = numberIn('NumberLike', () => true, 'a number');
/** A non-negative finite number. */
export const NonNegative = numberIn('NonNegative', (n) => n >= 0, 'a number >= 0');
/** A positive integer. */
export const PositiveInt = numberIn(
  'PositiveInt',
  (n) => Number.isInteger(n) && n > 0,
  'an integer > 0',
);
/** A non-negative integer. */
export const NonNegativeInt = numberIn(
  'NonNegativeInt',
  (n) => Number.isInteger(n) && n >= 0,
  'an integer >= 0',
);
/** A zlib compression level, 1 (fastest) to 9 (smallest). */
export const GzipLevel = numberIn(
  'GzipLevel',
  (n) => Number.isInteger(n) && n >= 1 && n <= 9,
  'an integer from 1 to 9',
);
/** A nice value for a process or thread: 0 (the default priority) to 19 (the lowest). */
export const NiceValue = numberIn(
  'NiceValue',
  (n) => Number.isInteger(n) && n >= 0 && n <= 19,
  'an integer from 0 to 19',
);
/** A probability, 0 to 1 inclusive. */
export const Probability = numberIn('Probability', (n) => n >= 0 && n <= 1, 'a number from 0 to 1');
/** A TCP port, 0 (pick a free one) to 65535. */
export const Port = numberIn(
  'Port',
  (n) => Number.isInteger(n) && n >= 0 && n <= 65_535,
  'a port from 0 to 65535',
);

/** A boolean, from a boolean or `true/false/1/0/yes/no`. */
export const BooleanLike = new t.Type<boolean, boolean, unknown>(
  'BooleanLike',
  (u): u is boolean => typeof u === 'boolean',
  (u, c) => {
    if (typeof u === 'boolean') return t.success(u);
    const s = typeof u === 'string' ? u.trim().toLowerCase() : '';
    if (['true', '1', 'yes'].includes(s)) return t.success(true);
    if (['false', '0', 'no'].includes(s)) return t.success(false);
    return t.failure(u, c, `expected true or false, got ${safeShow(u)}`);
  },
  (b) => b,
);

/** A non-empty string. */
export const NonEmptyString = new t.Type<string, string, unknown>(
  'NonEmptyString',
  (u): u is string => typeof u === 'string' && u.length > 0,
  (u, c) =>
    typeof u === 'string' && u.trim().length > 0
      ? t.success(u.trim())
      : t.failure(u, c, `expected a non-empty string, got ${safeShow(u)}`),
  (s) => s,
);

/** One of a fixed set of strings, with a message that lists them. */
export const oneOf = <const K extends string>(name: string, values: ReadonlyArray<K>) =>
  new t.Type<K, K, unknown>(
    name,
    (u): u is K => typeof u === 'string' && (values as ReadonlyArray<string>).includes(u),
    (u, c) =>
      typeof u === 'string' && (values as ReadonlyArray<string>).includes(u)
        ? t.success(u as K)
        : t.failure(u, c, `expected one of ${values.join(', ')}, got ${safeShow(u)}`),
    (k) => k,
  );

/**
 * A comma-separated list of integers in [min, max] (env and flags), or an array of them (config files).
 * @example intList('ViolationCodes', 1, 99).decode('40,98') // right([40, 98])
 */
export const intList = (name: string, min: number, max: number) =>
  new t.Type<number[], string, unknown>(
    name,
    (u): u is number[] => Array.isArray(u) && u.every((n) => Number.isInteger(n)),
    (u, c) => {
      const parts = Array.isArray(u) ? u.map(String) : typeof u === 'string' ? u.split(',') : [];
      const ns = parts.map((p) => (p.trim() === '' ? NaN : Number(p.trim())));
      return ns.length > 0 && ns.every((n) => Number.isInteger(n) && n >= min && n <= max)
        ? t.success(ns)
        : t.failure(u, c, `expected comma-separated integers ${min}-${max}, got ${safeShow(u)}`);
    },
    (a) => a.join(','),
  );
