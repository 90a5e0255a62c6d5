/**
 * The resource spec: a declarations file (config/resources.json) decoded and typed. It is the one description of
 * the AWS resources: the local provisioner creates them, `provision(..., { mode: 'verify' })` checks them on AWS,
 * and Terraform reads the same file. The runtime knows kinds (stream, table, bucket, topic, queue), not roles: a
 * program declares the roles it needs ({@link ResourceRoles}) and gets them typed. Names come from the file (or
 * from config built from it), never from code.
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

/**
 * An SQS queue; `subscribeTo` is the key of a topic in the same spec (not its name). `rawDelivery` (default false):
 * the subscription delivers the message itself, not the SNS envelope around it (a reader that needs no attributes).
 * `filterPolicy`: the subscription's SNS filter policy on message attributes (attribute → accepted values), so the
 * queue gets only the messages its reader takes.
 */
export const QueueSpec = t.exact(
  t.intersection([
    t.type({ name: TopicOrQueueName, subscribeTo: t.union([t.string, t.null]) }),
    t.partial({
      rawDelivery: t.boolean,
      filterPolicy: t.record(t.string, t.array(t.string)),
    }),
  ]),
  'QueueSpec',
);
export type QueueSpec = t.TypeOf<typeof QueueSpec>;

/**
 * Every resource by kind, each keyed by its role (`streams.<role>`). The runtime knows the kinds, never the roles:
 * which roles a program needs is the program's to declare ({@link ResourceRoles}), and the names are data.
 */
export const ResourceSpec = t.strict(
  {
    region: t.string,
    streams: t.record(t.string, StreamSpec),
    tables: t.record(t.string, TableSpec),
    buckets: t.record(t.string, BucketSpec),
    topics: t.record(t.string, TopicSpec),
    queues: t.record(t.string, QueueSpec),
  },
  'ResourceSpec',
);
export type ResourceSpec = t.TypeOf<typeof ResourceSpec>;

/** The kinds of resource, as named in reports and errors. */
export type ResourceKind = keyof Omit<ResourceSpec, 'region'>;

/** The role keys a program needs, per kind; a kind left out needs none. */
export type ResourceRoles = { readonly [K in ResourceKind]?: ReadonlyArray<string> };

/** The role keys of one kind in `R`, as a union of literals. */
type RolesOf<R extends ResourceRoles, K extends ResourceKind> =
  R[K] extends ReadonlyArray<infer N extends string> ? N : never;

/**
 * A spec that has every role of `R`: `spec.streams.<role>` is typed (no `undefined`), and roles the file declares
 * beyond `R` stay (they are provisioned too).
 */
export type ResourcesOf<R extends ResourceRoles> = ResourceSpec & {
  readonly [K in ResourceKind]: Readonly<Record<RolesOf<R, K>, ResourceSpec[K][string]>>;
};

const KINDS: ReadonlyArray<ResourceKind> = ['streams', 'tables', 'buckets', 'topics', 'queues'];

// ---------------------------------------------------------------------------------------------------------------
// constructors

/** Path of the repository's config/resources.json, the declarations every tool reads (Terraform too). */
export const DEFAULT_RESOURCES_PATH = fileURLToPath(
  new URL('../../config/resources.json', import.meta.url),
);

/**
 * Decodes a parsed resources document, checking that it declares every role of `roles` and that every queue's
 * `subscribeTo` names a topic key.
 * @example
 * const spec = decodeResourceSpec(JSON.parse(text), { streams: ['orders'] }); // Either<ConfigError, ResourcesOf<...>>
 * if (E.isRight(spec)) spec.right.streams.orders.name;
 */
export const decodeResourceSpec = <const R extends ResourceRoles = Record<never, never>>(
  u: unknown,
  roles?: R,
): E.Either<ConfigError, ResourcesOf<R>> =>
  pipe(
    decodeWith(ResourceSpec, 'resources')(u),
    E.mapLeft((f) => configError(f.issues)),
    E.chain((spec) => {
      const missing = KINDS.flatMap((kind) =>
        (roles?.[kind] ?? [])
          .filter((role) => !Object.hasOwn(spec[kind], role))
          .map((role) => `at .${kind}.${role}: missing (a role this program needs)`),
      );
      const dangling = Object.entries(spec.queues)
        .filter(([, q]) => q.subscribeTo !== null && !Object.hasOwn(spec.topics, q.subscribeTo))
        .map(([key, q]) => `at .queues.${key}.subscribeTo: no topic with key "${q.subscribeTo}"`);
      const issues = [...missing, ...dangling];
      return issues.length ? E.left(configError(issues)) : E.right(spec as ResourcesOf<R>);
    }),
  );

/**
 * Reads and decodes config/resources.json (or another file): a missing file, bad JSON, a bad field or a missing
 * role is a `ConfigError` listing every issue.
 * @example
 * const spec = loadResourceSpec(); // E.right({ region: 'us-east-1', streams: { ... }, ... }), whatever it declares
 */
export const loadResourceSpec = <const R extends ResourceRoles = Record<never, never>>(
  path: string = DEFAULT_RESOURCES_PATH,
  roles?: R,
): E.Either<ConfigError, ResourcesOf<R>> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return E.left(configError([`${path}: ${(err as Error).message}`]));
  }
  return pipe(
    decodeResourceSpec(parsed, roles),
    E.mapLeft((e) => configError(e.issues.map((i) => `${path}: ${i}`))),
  );
};

/** {@link loadResourceSpec} for start-up code and tests: throws one Error listing every issue. */
export const loadResourceSpecOrThrow = <const R extends ResourceRoles = Record<never, never>>(
  path?: string,
  roles?: R,
): ResourcesOf<R> => {
  const spec = loadResourceSpec(path, roles);
  if (E.isLeft(spec)) throw new Error(`invalid resource spec:\n  ${spec.left.issues.join('\n  ')}`);
  return spec.right;
};

// ---------------------------------------------------------------------------------------------------------------
// combinators

/**
 * Renames every resource (keys and sizes stay): `rename(kind, key, name)` returns the new name.
 * @example renameResources(spec, (_kind, _key, n) => `${n}-blue`)
 */
export const renameResources = <S extends ResourceSpec>(
  spec: S,
  rename: (kind: ResourceKind, key: string, name: string) => string,
): S => {
  const each = <X extends { readonly name: string }, R extends Readonly<Record<string, X>>>(
    kind: ResourceKind,
    group: R,
  ): R =>
    Object.fromEntries(
      Object.entries(group).map(([key, r]) => [key, { ...r, name: rename(kind, key, r.name) }]),
    ) as R;
  return {
    ...spec,
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
 * @example withNamePrefix(spec, 't1a2b-').streams.orders.name // 't1a2b-shop-orders'
 */
export const withNamePrefix = <S extends ResourceSpec>(spec: S, prefix: string): S => {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(prefix))
    throw new Error(`withNamePrefix: "${prefix}" is not a valid prefix (use [a-z0-9-])`);
  return renameResources(spec, (_kind, _key, n) => `${prefix}${n}`);
};
