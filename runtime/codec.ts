/**
 * io-ts stays behind this file (fp-ts/io-ts are in maintenance, STYLE §4): the rest of the code decodes through
 * {@link decodeWith} and {@link decodeJson} and gets `Either<DecodeFailure, A>` back, never a throw.
 */
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';

import { type DecodeFailure, decodeFailure } from './errors.ts';

export { E, pipe, t };

/** Human-readable issues: `at .location.lat: expected number, got "x"`, one per failed leaf. */
export const reportErrors = (errors: t.Errors): ReadonlyArray<string> =>
  errors.map((e) => {
    const path = e.context
      .map((c) => c.key)
      .filter((k) => k !== '')
      .join('.');
    const expected = e.context[e.context.length - 1]?.type.name ?? 'unknown';
    const got = safeShow(e.value);
    return e.message ?? `at .${path}: expected ${expected}, got ${got}`;
  });

const safeShow = (u: unknown): string => {
  if (u === undefined) return 'undefined';
  try {
    const s = JSON.stringify(u);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(u);
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

/** Parses JSON bytes or text and decodes them: not-JSON is a DecodeFailure too, never an exception. */
export const decodeJson =
  <A, O>(codec: t.Type<A, O, unknown>, topic: string) =>
  (raw: Uint8Array | string): E.Either<DecodeFailure, A> => {
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
