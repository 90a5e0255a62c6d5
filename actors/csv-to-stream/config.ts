/**
 * csv-to-stream's command line: every option once (flag, env variable, default, one line of doc), and the codec
 * that validates them, so `--help`, parsing and error messages come from the same declarations (runtime/config.ts).
 */
import { AwsOptions, awsOptionSpecs } from '../../runtime/aws/options.ts';
import { CompressionOption } from '../../runtime/bus/kinesis-packing.ts';
import {
  BooleanLike,
  NonEmptyString,
  NonNegativeInt,
  oneOf,
  PositiveInt,
  t,
} from '../../runtime/codec.ts';
import type { CommandSpec } from '../../runtime/config.ts';
import { loadResourcesOrThrow } from '../protocol/index.ts';

/** The service's name (logs, `--help`, the bus actor). */
export const ACTOR = 'csv-to-stream';

const Files = t.refinement(t.array(NonEmptyString), (fs) => fs.length > 0, 'Files');
const Optional = <A>(codec: t.Type<A, unknown, unknown>) => t.union([codec, t.undefined]);

/** The validated options. */
export const CsvToStreamConfig = t.intersection([
  AwsOptions,
  t.type({
    file: Files,
    dryRun: BooleanLike,
    restart: BooleanLike,
    summary: Optional(NonEmptyString),
    rejects: NonEmptyString,
    state: NonEmptyString,
    fiscalYear: Optional(PositiveInt),
    maxRowsPerSec: NonNegativeInt,
    compression: CompressionOption,
    historyStream: NonEmptyString,
    leaseTable: NonEmptyString,
    logLevel: oneOf('LogLevel', ['debug', 'info', 'warn', 'error', 'silent']),
  }),
]);
export type CsvToStreamConfig = t.TypeOf<typeof CsvToStreamConfig>;

/**
 * The command spec (resource names default from config/resources.json).
 * @example const cfg = configOrExit(csvToStreamSpec(), process.argv.slice(2), process.env);
 */
export const csvToStreamSpec = (): CommandSpec<CsvToStreamConfig> => {
  const resources = loadResourcesOrThrow();
  return {
    name: ACTOR,
    summary:
      'streams NYPD parking-ticket CSV files (51- or 43-column layouts) into the history stream, resumably',
    codec: CsvToStreamConfig,
    options: {
      file: {
        type: 'string',
        multiple: true,
        doc: 'a CSV file to import (repeat for several, in order)',
      },
      'dry-run': {
        type: 'boolean',
        doc: 'parse, validate, write the summary and rejects; publish nothing, no stack needed',
        default: false,
      },
      restart: {
        type: 'boolean',
        doc: 'ignore the saved position: read every file from its first row',
        default: false,
      },
      summary: { type: 'string', doc: 'also write the summary as JSON to this file (overwritten)' },
      rejects: {
        type: 'string',
        doc: 'rejected rows, one JSON line each: line, reason, detail, raw, file (overwritten unless resuming)',
        env: 'PRESTACOP_CSV_REJECTS',
        default: '.csv-to-stream/rejects.ndjson',
      },
      state: {
        type: 'string',
        doc: 'checkpoint file: where each file is acknowledged up to (byte, line, counts)',
        env: 'PRESTACOP_CSV_STATE',
        default: '.csv-to-stream/state.json',
      },
      'fiscal-year': {
        type: 'string',
        doc: 'fiscal year of the files, for the plausible issue dates (default: from each name, e.g. fy2014)',
      },
      'max-rows-per-sec': {
        type: 'string',
        doc: 'read at most this many rows per second, to share a weak uplink (0 = no limit)',
        env: 'PRESTACOP_CSV_MAX_ROWS_PER_SEC',
        default: '0',
      },
      compression: {
        type: 'string',
        doc:
          'compression of the packed records: gzip:1..9, zstd:1..19 (level: higher = fewer bytes, more CPU) or ' +
          'none; zstd needs consumers that read it (deploy them first)',
        env: 'PRESTACOP_CSV_COMPRESSION',
        default: 'zstd:6',
      },
      'history-stream': {
        type: 'string',
        doc: 'NYPD history stream',
        env: 'PRESTACOP_HISTORY_STREAM',
        default: resources.streams.history.name,
      },
      'lease-table': {
        type: 'string',
        doc: 'leases table (the bus adapter needs it; a producer writes none)',
        env: 'PRESTACOP_LEASE_TABLE',
        default: resources.tables.leases.name,
      },
      'log-level': {
        type: 'string',
        doc: 'debug, info, warn, error or silent',
        env: 'LOG_LEVEL',
        default: 'info',
      },
      ...awsOptionSpecs,
    },
    epilog: [
      'exit codes: 0 done (rejects are not failures), 65 a file cannot be imported (bad header),',
      '66 a file is missing, 75 the stream failed (run again: it resumes), 78 bad options,',
      '130/143 stopped by SIGINT/SIGTERM after checkpointing (run again: it resumes).',
      '',
      'example: npm run csv-to-stream -- --file fy2017.csv --summary summary.json --rejects rejects.ndjson',
    ].join('\n'),
  };
};
