/**
 * The resource spec: config/resources.json decoded and typed. It is the one description of PrestaCop's AWS
 * resources: the local provisioner creates them, `provision(..., { mode: 'verify' })` checks them on AWS, and
 * Terraform reads the same file. Names come from here (or from config built from it), never from code.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { decodeWith, E, pipe, t } from '../codec.ts';
import { type ConfigError, configError } from '../errors.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** A name matching `pattern`; `what` names the AWS rule in the error. */
const name = (what: string, pattern: RegExp) =>
  t.refinement(t.string, (s) => pattern.test(s), what);

/** Kinesis: 1-128 of `[a-zA-Z0-9_.-]`. */
const StreamName = name('StreamName', /^[a-zA-Z0-9_.-]{1,128}$/);
/** DynamoDB: 3-255 of `[a-zA-Z0-9_.-]`. */
const TableName = name('TableName', /^[a-zA-Z0-9_.-]{3,255}$/);
/** S3: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit. */
const BucketName = name('BucketName', /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
/** SNS topics and SQS queues (standard, not FIFO): 1-80 of `[A-Za-z0-9_-]`. */
const TopicOrQueueName = name('TopicOrQueueName', /^[A-Za-z0-9_-]{1,80}$/);
const PositiveInt = t.refinement(t.Int, (n) => n > 0, 'PositiveInt');

/** A Kinesis stream in provisioned mode (`stream_mode_details` is left out: kinesalite has no stream modes). */
export const StreamSpec = t.strict(
  { name: StreamName, shards: PositiveInt, retentionHours: PositiveInt },
  'StreamSpec',
);
export type StreamSpec = t.TypeOf<typeof StreamSpec>;

/** A PAY_PER_REQUEST table keyed by one string attribute; items expire on `ttlAttribute` (epoch seconds). */
export const TableSpec = t.strict(
  { name: TableName, hashKey: t.string, ttlAttribute: t.union([t.string, t.null]) },
  'TableSpec',
);
export type TableSpec = t.TypeOf<typeof TableSpec>;

export const BucketSpec = t.strict({ name: BucketName }, 'BucketSpec');
export type BucketSpec = t.TypeOf<typeof BucketSpec>;

export const TopicSpec = t.strict({ name: TopicOrQueueName }, 'TopicSpec');
export type TopicSpec = t.TypeOf<typeof TopicSpec>;

/** An SQS queue; `subscribeTo` is the key of a topic in the same spec (not its name). */
export const QueueSpec = t.strict(
  { name: TopicOrQueueName, subscribeTo: t.union([t.string, t.null]) },
  'QueueSpec',
);
export type QueueSpec = t.TypeOf<typeof QueueSpec>;

/**
 * Every resource by role. Roles are spelled out (not a record) so `spec.streams.drones.name` is typed and a
 * missing role fails at load time, not on first use; a new resource means a new key here.
 */
export const ResourceSpec = t.strict(
  {
    region: t.string,
    streams: t.strict({ drones: StreamSpec, history: StreamSpec }),
    tables: t.strict({
      messages: TableSpec,
      alarms: TableSpec,
      leases: TableSpec,
      /** Operator decisions and escalations (`alarm.resolved`, `alarm.escalated`), one item per event id. */
      alarmEvents: TableSpec,
    }),
    buckets: t.strict({ archive: BucketSpec }),
    topics: t.strict({ alarms: TopicSpec }),
    queues: t.strict({
      /** Read by the swarm's summary (`countPublishedAlarms`), which consumes it. */
      console: QueueSpec,
      /** The operator console's own subscription, so it never competes with the summary for messages. */
      operatorConsole: QueueSpec,
    }),
  },
  'ResourceSpec',
);
export type ResourceSpec = t.TypeOf<typeof ResourceSpec>;

/** The kinds of resource, as named in reports and errors. */
export type ResourceKind = keyof Omit<ResourceSpec, 'region'>;

// ---------------------------------------------------------------------------------------------------------------
// constructors

/** Path of the repository's config/resources.json. */
export const DEFAULT_RESOURCES_PATH = fileURLToPath(
  new URL('../../config/resources.json', import.meta.url),
);

/**
 * Decodes a parsed resources document, checking that every queue's `subscribeTo` names a topic key.
 * @example
 * const spec = decodeResources(JSON.parse(text)); // Either<ConfigError, ResourceSpec>
 */
export const decodeResources = (u: unknown): E.Either<ConfigError, ResourceSpec> =>
  pipe(
    decodeWith(ResourceSpec, 'resources')(u),
    E.mapLeft((f) => configError(f.issues)),
    E.chain((spec) => {
      const dangling = Object.entries(spec.queues)
        .filter(([, q]) => q.subscribeTo !== null && !(q.subscribeTo in spec.topics))
        .map(([key, q]) => `at .queues.${key}.subscribeTo: no topic with key "${q.subscribeTo}"`);
      return dangling.length ? E.left(configError(dangling)) : E.right(spec);
    }),
  );

/**
 * Reads and decodes config/resources.json (or another file): a missing file, bad JSON or a bad field is a
 * `ConfigError` listing every issue.
 * @example
 * const spec = loadResources(); // E.right({ region: 'us-east-1', streams: { drones: ... }, ... })
 */
export const loadResources = (
  path: string = DEFAULT_RESOURCES_PATH,
): E.Either<ConfigError, ResourceSpec> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return E.left(configError([`${path}: ${(err as Error).message}`]));
  }
  return pipe(
    decodeResources(parsed),
    E.mapLeft((e) => configError(e.issues.map((i) => `${path}: ${i}`))),
  );
};

/** {@link loadResources} for start-up code and tests: throws one Error listing every issue. */
export const loadResourcesOrThrow = (path?: string): ResourceSpec => {
  const spec = loadResources(path);
  if (E.isLeft(spec)) throw new Error(`invalid resource spec:\n  ${spec.left.issues.join('\n  ')}`);
  return spec.right;
};

// ---------------------------------------------------------------------------------------------------------------
// combinators

/**
 * Renames every resource (keys and sizes stay): `rename(kind, key, name)` returns the new name.
 * @example renameResources(spec, (_kind, _key, n) => `${n}-blue`)
 */
export const renameResources = (
  spec: ResourceSpec,
  rename: (kind: ResourceKind, key: string, name: string) => string,
): ResourceSpec => {
  const each = <S extends { readonly name: string }, R extends Readonly<Record<string, S>>>(
    kind: ResourceKind,
    group: R,
  ): R =>
    Object.fromEntries(
      Object.entries(group).map(([key, r]) => [key, { ...r, name: rename(kind, key, r.name) }]),
    ) as R;
  return {
    region: spec.region,
    streams: each('streams', spec.streams),
    tables: each('tables', spec.tables),
    buckets: each('buckets', spec.buckets),
    topics: each('topics', spec.topics),
    queues: each('queues', spec.queues),
  };
};

/**
 * Prefixes every name, e.g. to give each test run its own resources on a shared stack. The prefix must suit all
 * services (S3 is the strictest): lowercase letters, digits and hyphens, starting with a letter or digit.
 * @example withNamePrefix(spec, 't1a2b-').streams.drones.name // 't1a2b-prestacop-drones'
 */
export const withNamePrefix = (spec: ResourceSpec, prefix: string): ResourceSpec => {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(prefix))
    throw new Error(`withNamePrefix: "${prefix}" is not a valid prefix (use [a-z0-9-])`);
  return renameResources(spec, (_kind, _key, n) => `${prefix}${n}`);
};
