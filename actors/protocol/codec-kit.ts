/**
 * Small io-ts combinators the protocol needs and io-ts lacks: a refinement that keeps the default
 * "expected X" report, a cross-field check with a readable path, a "blank means absent" preprocessor and a union
 * that dispatches on `type` (so a bad message reports its own fields, not every member's).
 */
import { E, pipe, t } from '../../runtime/codec.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** A cross-field problem: the field it is about (relative to the object) and why. */
export interface Problem {
  readonly at: string;
  readonly why: string;
}

// ---------------------------------------------------------------------------------------------------------------
// combinators

/**
 * An object with required and optional keys; unknown keys are stripped (decode and encode). The same contract as
 * `t.exact(t.intersection([t.type(required), t.partial(optional)]))`, but an issue's path is the field's
 * (`at .location.lat`), without the intersection's member index (`at .0.location.lat`), and an optional key whose
 * value is `undefined` is left out.
 *
 * Use for every message: a dotted `type`, a `v`, the fields, the optional fields.
 *
 * @example
 * const Point = struct('Point', { x: t.number }, { label: t.string });
 */
export const struct = <R extends t.Props, P extends t.Props>(
  name: string,
  required: R,
  optional: P,
) => {
  const req = t.type(required);
  const opt = t.partial(optional);
  const exact = t.exact(t.intersection([req, opt]), name);
  type A = t.TypeOf<typeof exact>;
  return new t.Type<A, t.OutputOf<typeof exact>, unknown>(
    name,
    exact.is,
    (u, c) => {
      if (!isRecord(u)) return t.failure(u, c);
      const r = req.validate(u, c);
      const o = opt.validate(u, c);
      if (E.isLeft(r) || E.isLeft(o))
        return E.left([...(E.isLeft(r) ? r.left : []), ...(E.isLeft(o) ? o.left : [])]);
      const [a, b] = [r.right as Record<string, unknown>, o.right as Record<string, unknown>];
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(required)) out[k] = a[k];
      for (const k of Object.keys(optional)) if (b[k] !== undefined) out[k] = b[k];
      return t.success(out as A);
    },
    exact.encode,
  );
};

/**
 * Narrows a codec by a predicate, without a brand. Failures read `at .path: expected <name>, got <value>`.
 *
 * Use for validated primitives that code builds by hand (ranges, formats), where a brand would force a cast.
 *
 * @example
 * const Percent = refine(t.number, (n) => n >= 0 && n <= 100, 'Percent');
 */
export const refine = <A, O>(
  codec: t.Type<A, O, unknown>,
  predicate: (a: A) => boolean,
  name: string,
): t.Type<A, O, unknown> =>
  new t.Type<A, O, unknown>(
    name,
    (u): u is A => codec.is(u) && predicate(u),
    (u, c) =>
      pipe(
        codec.validate(u, c),
        E.chain((a) => (predicate(a) ? t.success(a) : t.failure(u, c))),
      ),
    codec.encode,
  );

/**
 * Adds a check across the fields of a decoded object (both-or-neither, a derived id). The failure names the field:
 * `at .violationImageId: required when violationCode is present`.
 *
 * Use on object codecs whose rules span several keys; single-field rules belong in the field's codec.
 *
 * @example
 * const Span = crossCheck(t.type({ from: t.number, to: t.number }), (s) =>
 *   s.from <= s.to ? undefined : { at: 'to', why: 'must not be before from' });
 */
export const crossCheck = <A, O>(
  codec: t.Type<A, O, unknown>,
  check: (a: A) => Problem | undefined,
  name: string = codec.name,
): t.Type<A, O, unknown> =>
  new t.Type<A, O, unknown>(
    name,
    (u): u is A => codec.is(u) && check(u) === undefined,
    (u, c) =>
      pipe(
        codec.validate(u, c),
        E.chain((a) => {
          const problem = check(a);
          if (problem === undefined) return t.success(a);
          // The field joins the path, so runtime/codec.ts reports `at .<path>.<field>: <why>`.
          const value = isRecord(a) ? a[problem.at] : undefined;
          return t.failure(value, t.appendContext(c, problem.at, codec, value), problem.why);
        }),
      ),
    codec.encode,
  );

/**
 * A {@link crossCheck} that an object's `id` is the one derived from its other fields (`idOf`): an event re-published
 * keeps its id, and one whose id does not match its content does not decode. The failure reads
 * `at .id: must be "<the derived id>"`.
 *
 * @example
 * const Back = derivedId(struct('Back', { id: t.string, of: t.string }, {}), (e) => `${e.of}:back`);
 */
export const derivedId = <A extends { readonly id: string }, O>(
  codec: t.Type<A, O, unknown>,
  idOf: (a: A) => string,
): t.Type<A, O, unknown> =>
  crossCheck(codec, (a) => {
    const id = idOf(a);
    return a.id === id ? undefined : { at: 'id', why: `must be "${id}"` };
  });

/**
 * Treats `null`, `""` and whitespace-only values as absent keys before decoding: CSV-born records write "unknown"
 * as an empty cell, and the contract says an optional key is either meaningful or missing.
 *
 * @example
 * const Row = withoutBlanks(t.partial({ plate: t.string })); // Row.decode({ plate: ' ' }) → right({})
 */
export const withoutBlanks = <A, O>(codec: t.Type<A, O, unknown>): t.Type<A, O, unknown> =>
  new t.Type<A, O, unknown>(
    codec.name,
    codec.is,
    (u, c) => codec.validate(isRecord(u) ? dropBlanks(u) : u, c),
    codec.encode,
  );

/**
 * A union of messages dispatched on their `type` field: an unknown `type` fails with the list of known ones, and
 * a known one reports only its own codec's issues (plain `t.union` reports every member's).
 *
 * @example
 * const Event = taggedUnion('Event', { 'a.happened': A, 'b.happened': B });
 */
export const taggedUnion = <R extends Record<string, t.Mixed>>(
  name: string,
  members: R,
): t.Type<t.TypeOf<R[keyof R]>, t.OutputOf<R[keyof R]>, unknown> => {
  type A = t.TypeOf<R[keyof R]>;
  const tags = Object.keys(members);
  const memberOf = (tag: unknown): t.Mixed | undefined =>
    typeof tag === 'string' && Object.hasOwn(members, tag) ? members[tag] : undefined;
  return new t.Type<A, t.OutputOf<R[keyof R]>, unknown>(
    name,
    (u): u is A => isRecord(u) && memberOf(u.type)?.is(u) === true,
    (u, c) => {
      if (!isRecord(u)) return t.failure(u, c, `expected ${name} object, got ${show(u)}`);
      const member = memberOf(u.type);
      if (member === undefined) {
        const expected = `expected one of ${tags.map((k) => `"${k}"`).join(' | ')}, got ${show(u.type)}`;
        return t.failure(u.type, t.appendContext(c, 'type', t.unknown, u.type), expected);
      }
      return member.validate(u, c) as t.Validation<A>;
    },
    // A value of type A always carries one of the tags; the fallback only keeps the function total.
    (a) => (memberOf((a as { type: unknown }).type)?.encode(a) ?? a) as t.OutputOf<R[keyof R]>,
  );
};

// ---------------------------------------------------------------------------------------------------------------
// utils

/** Whether a value is a plain JSON-like object (not null, not an array). */
export const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u);

const dropBlanks = (u: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(u).filter(([, v]) => v !== null && !(typeof v === 'string' && v.trim() === '')),
  );

/** A short JSON rendering of a value for an issue line. */
export const show = (u: unknown): string => {
  if (u === undefined) return 'undefined';
  if (typeof u === 'bigint') return `${u}n`;
  try {
    const s = JSON.stringify(u) as string | undefined; // undefined for functions and symbols
    if (s === undefined) return typeof u;
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return 'a non-JSON value'; // circular
  }
};
