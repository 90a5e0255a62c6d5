/**
 * Dead letters (STYLE §5): an input the runtime gave up on (bytes that do not decode, a port that failed for good)
 * becomes a versioned message of its own, with the reasons and the raw bytes, so nothing is dropped silently and
 * a fixed consumer can replay it. Generic: knows actors only by name.
 */
import { createHash } from 'node:crypto';

import { type Source, type Topic, topic } from './bus/bus.ts';
import { t } from './codec.ts';
import { describeError, isRuntimeError } from './errors.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

const NonEmpty = new t.Type<string, string, unknown>(
  'NonEmptyString',
  (u): u is string => typeof u === 'string' && u !== '',
  (u, c) => (typeof u === 'string' && u !== '' ? t.success(u) : t.failure(u, c)),
  (a) => a,
);

const intAtLeast = (min: number, name: string): t.Type<number, number, unknown> =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => Number.isSafeInteger(u) && (u as number) >= min,
    (u, c) =>
      Number.isSafeInteger(u) && (u as number) >= min ? t.success(u as number) : t.failure(u, c),
    (a) => a,
  );

const IsoUtc = new t.Type<string, string, unknown>(
  'IsoUtcTime',
  (u): u is string => typeof u === 'string' && isIsoUtc(u),
  (u, c) => (typeof u === 'string' && isIsoUtc(u) ? t.success(u) : t.failure(u, c)),
  (a) => a,
);

const Base64 = new t.Type<string, string, unknown>(
  'Base64',
  (u): u is string => typeof u === 'string' && BASE64.test(u),
  (u, c) => (typeof u === 'string' && BASE64.test(u) ? t.success(u) : t.failure(u, c)),
  (a) => a,
);

/** A record of a stream: the bus's {@link Source}. */
export const BusSource = t.strict(
  {
    stream: NonEmpty,
    shardId: NonEmpty,
    sequence: NonEmpty,
    subSequence: intAtLeast(0, 'SubSequence'),
  },
  'BusSource',
);

/** A line of a file (an input that did not come through the bus, e.g. a CSV row). */
export const FileSource = t.strict(
  { file: NonEmpty, line: intAtLeast(1, 'LineNumber') },
  'FileSource',
);
export type FileSource = t.TypeOf<typeof FileSource>;

/**
 * Where a dead input came from: a bus record or a file line. Tell them apart with `'stream' in source`. (Dispatched
 * on `file` rather than a `t.union`, so an issue reads `at .source.line`, not `at .source.1.line`.)
 */
export const DeadLetterSource = new t.Type<
  t.TypeOf<typeof BusSource> | FileSource,
  t.OutputOf<typeof BusSource> | t.OutputOf<typeof FileSource>,
  unknown
>(
  'DeadLetterSource',
  (u): u is t.TypeOf<typeof BusSource> | FileSource => BusSource.is(u) || FileSource.is(u),
  (u, c) => (isFileLike(u) ? FileSource.validate(u, c) : BusSource.validate(u, c)),
  (a) => ('stream' in a ? BusSource.encode(a) : FileSource.encode(a)),
);
export type DeadLetterSource = t.TypeOf<typeof DeadLetterSource>;

const DeadLetterRequired = t.type({
  type: t.literal('runtime.dead_letter'),
  v: t.literal(1),
  id: NonEmpty,
  actor: NonEmpty,
  errorTag: NonEmpty,
  reasons: t.array(t.string),
  rawBase64: Base64,
  attempts: intAtLeast(1, 'Attempts'),
  at: IsoUtc,
});
const DeadLetterExact = t.exact(
  t.intersection([DeadLetterRequired, t.partial({ source: DeadLetterSource })]),
  'DeadLetter',
);

/**
 * A dead letter, v1. `id` is deterministic (`<actor>:<where>`, see {@link toDeadLetter}) so dead-lettering the
 * same input again after a crash writes the same record. `errorTag` is the RuntimeError's `_tag` (or `Defect`),
 * `reasons` one readable line per issue, `rawBase64` the input's exact bytes, `attempts` how many tries were made,
 * `at` when it was given up (ISO-8601 UTC). `source` is absent for inputs with no address. Unknown keys are
 * stripped.
 *
 * @example
 * const dlq = deadLetterTopic(cfg.streams.deadLetters);
 * await bus.publish(dlq, [toDeadLetter({ actor: 'alert-system', error, raw, source, at: clock.now() })]);
 */
export const DeadLetter = new t.Type<
  t.TypeOf<typeof DeadLetterExact>,
  t.OutputOf<typeof DeadLetterExact>,
  unknown
>(
  'DeadLetter',
  DeadLetterExact.is,
  // Validated field by field rather than through the intersection, so issue paths carry no member index.
  (u, c) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c);
    const required = DeadLetterRequired.validate(u, c);
    const raw = (u as { source?: unknown }).source;
    const source =
      raw === undefined
        ? t.success(undefined)
        : DeadLetterSource.validate(raw, t.appendContext(c, 'source', DeadLetterSource, raw));
    if (required._tag === 'Left' || source._tag === 'Left')
      return t.failures([
        ...(required._tag === 'Left' ? required.left : []),
        ...(source._tag === 'Left' ? source.left : []),
      ]);
    const { type, v, id, actor, errorTag, reasons, rawBase64, attempts, at } = required.right;
    const base = { type, v, id, actor, errorTag, reasons, rawBase64, attempts, at };
    return t.success(source.right === undefined ? base : { ...base, source: source.right });
  },
  DeadLetterExact.encode,
);
export type DeadLetter = t.TypeOf<typeof DeadLetter>;

/** What {@link toDeadLetter} needs: who gave up, on what, why, and when. */
export interface DeadLetterInput {
  /** The actor that gave up, e.g. `alert-system`. */
  readonly actor: string;
  /** The failure: a RuntimeError (its `_tag` and issues are kept) or anything thrown (tagged `Defect`). */
  readonly error: unknown;
  /** The input's bytes as received (text is stored as UTF-8). */
  readonly raw: Uint8Array | string;
  /** When it was given up, in epoch ms from the Clock port. */
  readonly at: number;
  /** Attempts made, including the first; default 1 (a decode failure is never retried). */
  readonly attempts?: number;
  /** Where the input came from; without it the id is derived from the bytes. */
  readonly source?: Source | FileSource;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * Builds the dead letter for an input. The id is `<actor>:<stream>/<shardId>/<sequence>/<subSequence>` for bus
 * records, `<actor>:<file>#<line>` for file lines and `<actor>:sha256:<32 hex>` of the bytes otherwise.
 *
 * Throws a RangeError on a bad `at` or `attempts`: those come from our code, not from the input.
 *
 * @example
 * toDeadLetter({ actor: 'stream-to-storage', error: decodeFailure('drones', ['at .time: ...']),
 *   raw: delivery.raw, source: delivery.source, at: clock.now() });
 */
export const toDeadLetter = (input: DeadLetterInput): DeadLetter => {
  const raw =
    typeof input.raw === 'string' ? Buffer.from(input.raw, 'utf8') : Buffer.from(input.raw);
  const attempts = input.attempts ?? 1;
  if (!Number.isSafeInteger(attempts) || attempts < 1)
    throw new RangeError(`toDeadLetter: attempts ${attempts}`);
  const source = input.source === undefined ? undefined : sourceOf(input.source);
  return {
    type: 'runtime.dead_letter',
    v: 1,
    id: `${input.actor}:${source === undefined ? `sha256:${sha256(raw)}` : sourceKey(source)}`,
    actor: input.actor,
    errorTag: isRuntimeError(input.error) ? input.error._tag : 'Defect',
    reasons: [...describeError(input.error)],
    rawBase64: raw.toString('base64'),
    attempts,
    at: new Date(input.at).toISOString(), // throws RangeError on NaN
    ...(source === undefined ? {} : { source }),
  };
};

/**
 * The topic of a dead-letter stream (name from config), partitioned by actor.
 *
 * @example
 * const dlq = deadLetterTopic('prestacop-dead-letters');
 */
export const deadLetterTopic = (stream: string): Topic<DeadLetter> =>
  topic(stream, DeadLetter, (d) => d.actor);

// ---------------------------------------------------------------------------------------------------------------
// utils

/** The bytes a dead letter carries. */
export const rawOf = (d: DeadLetter): Buffer => Buffer.from(d.rawBase64, 'base64');

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

const isIsoUtc = (s: string): boolean => {
  if (!ISO_UTC.test(s)) return false;
  const ms = Date.parse(s);
  // Date.parse rolls 2026-02-30 over; re-rendering catches it (and hour 24).
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === s.slice(0, 19);
};

const isFileLike = (u: unknown): boolean =>
  typeof u === 'object' && u !== null && 'file' in u && !('stream' in u);

const sourceOf = (s: Source | FileSource): DeadLetterSource =>
  'stream' in s
    ? { stream: s.stream, shardId: s.shardId, sequence: s.sequence, subSequence: s.subSequence }
    : { file: s.file, line: s.line };

const sourceKey = (s: DeadLetterSource): string =>
  'stream' in s ? `${s.stream}/${s.shardId}/${s.sequence}/${s.subSequence}` : `${s.file}#${s.line}`;

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex').slice(0, 32);

/** Key-safe form of a dead letter id: how its object in a store (and anything named after it) is keyed. */
export const keySafeId = (id: string): string => id.replace(/[^A-Za-z0-9._=-]+/g, '_');

/**
 * An actor's name as a partition value of a store's keys (`actor=<value>/`): `/` becomes `.`
 * (`stream-to-storage/drones` → `stream-to-storage.drones`), so a partition value never holds a `/` (Athena's
 * partition projection reads one folder per value). Objects written before kept the `/`: readers accept both.
 *
 * @example
 * actorPartition('stream-to-storage/drones'); // 'stream-to-storage.drones'
 */
export const actorPartition = (actor: string): string => actor.replace(/\//g, '.');

/**
 * The key of a dead letter's object: `<prefix>actor=<actor, '/' → '.'>/day=YYYY-MM-DD/<key-safe id>.json`, the
 * day being the letter's (`at`, ISO UTC). `day`, not `date`: `date` is a reserved word in Athena's DDL.
 *
 * @example
 * deadLetterKey('dead-letter/', 'stream-to-storage/drones', '2026-11-27T18:00:00.000Z', 'a/b');
 * // 'dead-letter/actor=stream-to-storage.drones/day=2026-11-27/a_b.json'
 */
export const deadLetterKey = (prefix: string, actor: string, at: string, id: string): string =>
  `${prefix}actor=${actorPartition(actor)}/day=${at.slice(0, 10)}/${keySafeId(id)}.json`;
