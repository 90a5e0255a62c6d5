/**
 * The archive maintenance commands' options, each declared once (flag, env variable, default, doc): `npm run
 * compact` (Parquet compaction, hourly on the storage host) and `npm run archive:relayout` (moves objects written
 * in the layout before issue 18). Bad options exit 78 before anything is read.
 */
import { loadResourcesOrThrow } from '../../actors/protocol/index.ts';
import { AwsOptions, awsOptionSpecs } from '../../runtime/aws/options.ts';
import { BooleanLike, NonEmptyString, oneOf, PositiveInt, t } from '../../runtime/codec.ts';
import type { CommandSpec } from '../../runtime/config.ts';
import { COMPACTED_TYPES } from './schema.ts';

/** `npm run compact`'s validated options. */
export const CompactConfig = t.intersection([
  AwsOptions,
  t.type({
    bucket: NonEmptyString,
    graceMinutes: PositiveInt,
    type: t.union([t.array(oneOf('CompactedType', [...COMPACTED_TYPES.keys()])), t.undefined]),
    dryRun: BooleanLike,
    memoryLimit: NonEmptyString,
    threads: PositiveInt,
  }),
]);
export type CompactConfig = t.TypeOf<typeof CompactConfig>;

/** `npm run archive:relayout`'s validated options. */
export const RelayoutConfig = t.intersection([
  AwsOptions,
  t.type({ bucket: NonEmptyString, dryRun: BooleanLike }),
]);
export type RelayoutConfig = t.TypeOf<typeof RelayoutConfig>;

const bucketOption = () => ({
  type: 'string' as const,
  doc: 'archive bucket',
  env: 'PRESTACOP_BUCKET',
  default: loadResourcesOrThrow().buckets.archive.name,
});

/**
 * The compaction's command spec.
 * @example const cfg = configOrExit(compactSpec(), process.argv.slice(2), process.env);
 */
export const compactSpec = (): CommandSpec<CompactConfig> => ({
  name: 'compact',
  summary:
    'turns each closed hour of the archive (gzip NDJSON) into Parquet (zstd), deduplicated by id; never deletes NDJSON',
  codec: CompactConfig,
  options: {
    bucket: bucketOption(),
    'grace-minutes': {
      type: 'string',
      doc: 'an hour is closed this long after its end (its last batches are written by then)',
      env: 'PRESTACOP_COMPACT_GRACE_MINUTES',
      default: '10',
    },
    type: {
      type: 'string',
      multiple: true,
      doc: `record type to compact (repeat; default all: ${[...COMPACTED_TYPES.keys()].join(', ')})`,
    },
    'dry-run': { type: 'boolean', doc: 'list the hours to compact, write nothing', default: false },
    'memory-limit': {
      type: 'string',
      doc: "DuckDB's memory limit; it spills to a temporary folder beyond it",
      env: 'PRESTACOP_COMPACT_MEMORY',
      default: '600MB',
    },
    threads: {
      type: 'string',
      doc: 'DuckDB threads',
      env: 'PRESTACOP_COMPACT_THREADS',
      default: '1',
    },
    ...awsOptionSpecs,
  },
  epilog: [
    'Each closed hour with no marker covering its current NDJSON objects is read, deduplicated by id, written to',
    'archive-parquet/type=T/day=D/hour=H/part-0.parquet, counted back, and then its marker is written to',
    'archive-compacted/type=T/day=D/hour=H/marker.json. Safe to kill and to run again. Exit codes: 0 done,',
    '65 an hour was refused (it stays NDJSON; the reason is printed), 78 bad options, 1 a store failed.',
    '',
    'example: npm run compact -- --dry-run',
  ].join('\n'),
});

/**
 * The relayout's command spec.
 * @example const cfg = configOrExit(relayoutSpec(), process.argv.slice(2), process.env);
 */
export const relayoutSpec = (): CommandSpec<RelayoutConfig> => ({
  name: 'archive:relayout',
  summary:
    'moves objects written before issue 18 to the Athena-friendly layout (archive date= → day=; dead-letter actor=a/b/date= → actor=a.b/day=)',
  codec: RelayoutConfig,
  options: {
    bucket: bucketOption(),
    'dry-run': { type: 'boolean', doc: 'list the moves, change nothing', default: false },
    ...awsOptionSpecs,
  },
  epilog: [
    'Each object is copied to its new key, then deleted: a run killed between the two leaves both, which the',
    'readers take as one (same name, same hour), and the next run finishes the move. Run it again: it moves',
    'nothing. Exit codes: 0 done, 78 bad options, 1 a store failed.',
    '',
    'example: npm run archive:relayout -- --dry-run',
  ].join('\n'),
});
