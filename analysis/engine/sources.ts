/**
 * The NYPD sources of a run (CSV files, the archive's tickets) as one SQL relation of ticket rows, and the
 * bookkeeping that goes with them: which index names which source, and which files must be read serially.
 */
import type { NypdLayout } from '../../actors/protocol/index.ts';
import type { RecordCount } from '../nypd/records.ts';
import { archiveParquetTicketSource, archiveTicketSource, csvSource } from '../nypd/sql.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** A CSV file, its header layout and what the record scan found. */
export interface CsvInput {
  readonly kind: 'csv';
  readonly file: string;
  readonly layout: NypdLayout;
  readonly scan: RecordCount;
}

/** The archive's `nypd.ticket` batches, fetched into the local cache: NDJSON, and Parquet for compacted hours. */
export interface ArchiveTicketsInput {
  readonly kind: 'archive';
  readonly files: ReadonlyArray<string>;
  readonly parquet?: ReadonlyArray<string>;
}

/** One NYPD source; its index in the list is its `src` in every query. */
export type NypdInput = CsvInput | ArchiveTicketsInput;

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * All ticket rows of all sources (accepted and rejected), `src` = the input's index. `undefined` when there is
 * no input at all, so callers can skip the NYPD passes.
 *
 * @example
 * const rows = ticketRows([{ kind: 'csv', file, layout, scan }]); // SELECT ... UNION ALL ...
 */
export const ticketRows = (inputs: ReadonlyArray<NypdInput>): string | undefined => {
  const parts = inputs.flatMap((input, src) => {
    if (input.kind === 'csv') {
      // DuckDB's parallel reader drops the rest of a buffer after a quote it cannot read (1.5.6): read such a
      // file serially, so only that record is lost.
      const serial = input.scan.irregularQuotes > 0 || input.scan.brokenMidFile;
      return [csvSource(src, input.file, input.layout, serial)];
    }
    return [
      ...(input.files.length === 0 ? [] : [archiveTicketSource(src, input.files)]),
      ...((input.parquet ?? []).length === 0
        ? []
        : [archiveParquetTicketSource(src, input.parquet ?? [])]),
    ];
  });
  return parts.length === 0 ? undefined : parts.map((p) => `(${p})`).join('\nUNION ALL\n');
};

/** A short name for a source in reports: the file's path, or `archive`. */
export const sourceName = (input: NypdInput): string =>
  input.kind === 'csv' ? input.file : 'archive';
