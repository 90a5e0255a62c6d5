/**
 * The analysis command line: every option once (flag, env variable, default, one line of doc) and the codec that
 * validates them, so `--help`, parsing and errors come from the same declarations (runtime/config.ts).
 */
import { homedir } from 'node:os';

import {
  DEFAULT_HUMAN_CODES,
  loadResourcesOrThrow,
  VIOLATION_CODES_FILE,
} from '../actors/protocol/index.ts';
import { AwsOptions, awsOptionSpecs } from '../runtime/aws/options.ts';
import {
  BooleanLike,
  intList,
  NonEmptyString,
  NonNegative,
  oneOf,
  PositiveInt,
  t,
} from '../runtime/codec.ts';
import type { CommandSpec } from '../runtime/config.ts';
import { defaultCacheDir } from './load/cache-dir.ts';

/** The command's name (`--help`, messages). */
export const COMMAND = 'analysis';

const Optional = <A>(codec: t.Type<A, unknown, unknown>) => t.union([codec, t.undefined]);

/** The validated options. */
export const AnalysisConfig = t.intersection([
  AwsOptions,
  t.type({
    out: NonEmptyString,
    nypd: Optional(t.array(NonEmptyString)),
    archive: BooleanLike,
    dynamo: BooleanLike,
    codes: NonEmptyString,
    humanCodes: intList('HumanCodes', 1, 99),
    top: PositiveInt,
    cache: NonEmptyString,
    bucket: NonEmptyString,
    messagesTable: NonEmptyString,
    alarmsTable: NonEmptyString,
    alarmEventsTable: NonEmptyString,
    memoryLimit: NonEmptyString,
    threads: PositiveInt,
    engine: oneOf('Engine', ['duckdb', 'athena']),
    workgroup: Optional(NonEmptyString),
    database: Optional(NonEmptyString),
    pricePerTb: NonNegative,
    check: BooleanLike,
    allowStaleMarkers: BooleanLike,
  }),
]);
export type AnalysisConfig = t.TypeOf<typeof AnalysisConfig>;

/**
 * The command spec (resource names default from config/resources.json; the cache from `env` and the home folder).
 * @example const cfg = configOrExit(analysisSpec(), process.argv.slice(2), process.env);
 */
export const analysisSpec = (
  env: Readonly<Record<string, string | undefined>> = process.env,
  home: string = homedir(),
): CommandSpec<AnalysisConfig> => {
  const resources = loadResourcesOrThrow();
  return {
    name: COMMAND,
    summary:
      'statistics over NYPD tickets, drone messages and alarms: CSV files and a self-contained index.html',
    codec: AnalysisConfig,
    options: {
      out: { type: 'string', doc: 'folder for the report (created; files in it are overwritten)' },
      nypd: {
        type: 'string',
        multiple: true,
        doc: 'an NYPD CSV file (repeat for several); offline',
      },
      archive: {
        type: 'boolean',
        doc: 'read the S3 archive (drone messages, alarms, imported history) via a local cache',
        default: false,
      },
      dynamo: {
        type: 'boolean',
        doc: 'read the DynamoDB hot messages and alarms tables',
        default: false,
      },
      codes: {
        type: 'string',
        doc: 'violation-code table (code, definition, fines)',
        env: 'PRESTACOP_VIOLATION_CODES',
        default: VIOLATION_CODES_FILE.pathname,
      },
      'human-codes': {
        type: 'string',
        doc: 'codes that need a person (alarms expected)',
        env: 'PRESTACOP_HUMAN_CODES',
        default: DEFAULT_HUMAN_CODES.join(','),
      },
      top: { type: 'string', doc: 'top streets and repeat plates listed', default: '50' },
      cache: {
        type: 'string',
        doc: 'local mirror of the S3 archive (kept between runs; created 0700): yours alone, $XDG_CACHE_HOME or ~/.cache',
        env: 'PRESTACOP_ANALYSIS_CACHE',
        default: defaultCacheDir(env, home),
      },
      bucket: {
        type: 'string',
        doc: 'archive bucket',
        env: 'PRESTACOP_BUCKET',
        default: resources.buckets.archive.name,
      },
      'messages-table': {
        type: 'string',
        doc: 'hot messages table',
        env: 'PRESTACOP_MESSAGES_TABLE',
        default: resources.tables.messages.name,
      },
      'alarms-table': {
        type: 'string',
        doc: 'alarms table (the alert system records every alarm there)',
        env: 'PRESTACOP_ALARMS_TABLE',
        default: resources.tables.alarms.name,
      },
      'alarm-events-table': {
        type: 'string',
        doc: "the operator console's decisions and escalations (alarm.resolved gives the time to acknowledge)",
        env: 'PRESTACOP_ALARM_EVENTS_TABLE',
        default: resources.tables.alarmEvents.name,
      },
      'memory-limit': {
        type: 'string',
        doc: "DuckDB's memory limit; it spills to a temporary folder beyond it",
        env: 'PRESTACOP_ANALYSIS_MEMORY',
        default: '600MB',
      },
      threads: {
        type: 'string',
        doc: 'DuckDB threads',
        env: 'PRESTACOP_ANALYSIS_THREADS',
        default: '2',
      },
      engine: {
        type: 'string',
        doc: 'duckdb (this machine) or athena (the archive in S3, through the Glue database; --target aws)',
        env: 'PRESTACOP_ANALYSIS_ENGINE',
        default: 'duckdb',
      },
      workgroup: {
        type: 'string',
        doc: 'Athena workgroup (its result location and per-query scan limit apply); required with athena',
        env: 'PRESTACOP_ATHENA_WORKGROUP',
      },
      database: {
        type: 'string',
        doc: "Glue database holding the archive's tables; required with athena",
        env: 'PRESTACOP_ATHENA_DATABASE',
      },
      'price-per-tb': {
        type: 'string',
        doc: "US dollars per TB scanned, for the cost printed (Athena's list price: 5)",
        env: 'PRESTACOP_ATHENA_PRICE_PER_TB',
        default: '5',
      },
      check: {
        type: 'boolean',
        doc: 'with athena: also run DuckDB over the same archive and print where the reports differ',
        default: false,
      },
      'allow-stale-markers': {
        type: 'boolean',
        doc: 'with athena: report even when a compacted hour received batches after its compaction (left out)',
        default: false,
      },
      ...awsOptionSpecs,
    },
    epilog: [
      'With only --nypd it runs offline. --archive and --dynamo use the local stack (npm run stack) by default,',
      'or AWS with --target aws. Exit codes: 0 done, 65 an NYPD file cannot be read, 66 nothing to read,',
      '75 (athena) a compacted hour received batches after its compaction: npm run compact first,',
      '78 bad options, 1 a store failed.',
      '',
      'example: npm run analysis -- --out report --nypd fy2017.csv --archive',
      '         npm run analysis -- --out report --engine athena --target aws --workgroup W --database D',
    ].join('\n'),
  };
};
