/**
 * csv-to-stream's options, each declared once (runtime/options.ts: the codec, the flag, the env variable, the
 * default, the `--help` line and the README table); the launcher adds the AWS and ops ones (`actor.ts`).
 */
import { CompressionOption } from '../../runtime/bus/kinesis-packing.ts';
import {
  BooleanLike,
  NonEmptyString,
  NonNegativeInt,
  PositiveInt,
  t,
} from '../../runtime/codec.ts';
import type { LaunchedConfig } from '../../runtime/launcher.ts';
import { option, optional, optionGroup } from '../../runtime/options.ts';
import { historyStreamOption, leaseTableOption } from '../protocol/options.ts';

/** The service's name (logs, `--help`, the bus actor). */
export const ACTOR = 'csv-to-stream';

const Files = t.refinement(t.array(NonEmptyString), (fs) => fs.length > 0, 'Files');

/** Its own options. */
export const csvToStreamOptions = optionGroup({
  file: option(Files, {
    multiple: true,
    doc: 'a CSV file to import (repeat for several, in order)',
  }),
  dryRun: option(BooleanLike, {
    type: 'boolean',
    doc: 'parse, validate, write the summary and rejects; publish nothing, no stack needed',
    default: false,
  }),
  restart: option(BooleanLike, {
    type: 'boolean',
    doc: 'ignore the saved position: read every file from its first row',
    default: false,
  }),
  summary: optional(NonEmptyString, {
    doc: 'also write the summary as JSON to this file (overwritten)',
  }),
  rejects: option(NonEmptyString, {
    doc: 'rejected rows, one JSON line each: line, reason, detail, raw, file (overwritten unless resuming)',
    env: 'PRESTACOP_CSV_REJECTS',
    default: '.csv-to-stream/rejects.ndjson',
  }),
  state: option(NonEmptyString, {
    doc: 'checkpoint file: where each file is acknowledged up to (byte, line, counts)',
    env: 'PRESTACOP_CSV_STATE',
    default: '.csv-to-stream/state.json',
  }),
  fiscalYear: optional(PositiveInt, {
    doc: 'fiscal year of the files, for the plausible issue dates (default: from each name, e.g. fy2014)',
  }),
  maxRowsPerSec: option(NonNegativeInt, {
    doc: 'read at most this many rows per second, to share a weak uplink (0 = no limit)',
    env: 'PRESTACOP_CSV_MAX_ROWS_PER_SEC',
    default: '0',
  }),
  compression: option(CompressionOption, {
    doc:
      'compression of the packed records: gzip:1..9, zstd:1..19 (level: higher = fewer bytes, more CPU) or ' +
      'none; zstd needs consumers that read it (deploy them first)',
    env: 'PRESTACOP_CSV_COMPRESSION',
    default: 'zstd:6',
  }),
  historyStream: historyStreamOption,
  leaseTable: leaseTableOption,
});

/** The validated config: its options, the AWS and the ops ones. */
export type CsvToStreamConfig = LaunchedConfig<typeof csvToStreamOptions.codec._A>;
