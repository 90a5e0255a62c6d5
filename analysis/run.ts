/**
 * One analysis run: load (ports: files, the archive cache, the hot tables) → decode and count (DuckDB) →
 * aggregate (pure) → render CSV and HTML (pure) → write (port). `main.ts` wires the ports; tests and the bench
 * call this directly.
 */
import type { ViolationCodeTable } from '../actors/protocol/index.ts';
import { E } from '../runtime/codec.ts';
import type { Report } from './aggregate/model.ts';
import { buildReport, type Counts } from './aggregate/report.ts';
import { sourceCounts, type StoredSourceCounts } from './aggregate/sources.ts';
import {
  appendRecord,
  createDroneTables,
  type DroneRecordType,
  insertCompacted,
  type LoadCounts,
} from './drones/load.ts';
import { droneCounts } from './drones/sql.ts';
import type { Engine, Row } from './engine/duckdb.ts';
import { groupsPass } from './engine/pass.ts';
import { type NypdInput, sourceName, ticketRows } from './engine/sources.ts';
import type { ArchiveCache } from './load/archive-cache.ts';
import type { DeadLetterTally } from './load/dead-letters.ts';
import { jsonLines } from './load/records.ts';
import { readLayout } from './nypd/layout.ts';
import { countCsvRecords } from './nypd/records.ts';
import { NYPD_MACROS } from './nypd/sql.ts';
import { duckdbRelations } from './relations.ts';
import { renderCsv } from './render/csv.ts';
import { renderHtml } from './render/html.ts';
import { DEAD_LETTERS, onDuckdb } from './statistics.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** What to read. */
export interface RunOptions {
  readonly nypdFiles: ReadonlyArray<string>;
  readonly codes: ViolationCodeTable;
  readonly humanCodes: ReadonlyArray<number>;
  /** Today, `YYYY-MM-DD`, from the caller's clock (plausible issue dates of files without a fiscal year). */
  readonly today: string;
  /** Top streets and repeat plates kept. */
  readonly top: number;
}

/** The ports a run reads through. */
export interface RunPorts {
  readonly engine: Engine;
  /** With `--archive`: the local mirror of the S3 archive. */
  readonly archive?: ArchiveCache;
  /**
   * With `--dynamo`: every item of the hot messages table, of the alarms table and of the operator console's
   * event table (its `alarm.resolved` items are the decisions; escalations are left to the console).
   */
  readonly hotTables?: {
    readonly messages: () => AsyncIterable<unknown>;
    readonly alarms: () => AsyncIterable<unknown>;
    readonly decisions?: () => AsyncIterable<unknown>;
  };
  /** With `--archive`: the dead letters beside it, counted per actor and reason (bounded: `load/dead-letters.ts`). */
  readonly deadLetters?: () => Promise<DeadLetterTally>;
  /** Progress for a person: a short line, replaced by the next one on a terminal. */
  readonly progress: (line: string) => void;
}

/** A run's result: the report, its files (name → content, index.html included), and the counts behind it. */
export interface RunResult {
  readonly report: Report;
  readonly files: ReadonlyMap<string, string>;
  readonly counts: Counts;
}

/** A file that cannot be read as an NYPD file (missing, or its header lacks a required column). */
export class NypdFileError extends Error {
  override readonly name = 'NypdFileError';
}

// ---------------------------------------------------------------------------------------------------------------
// the run

/**
 * Runs the analysis. Rejects with {@link NypdFileError} when an NYPD file cannot be read at all; port failures
 * (S3, DynamoDB) reject as they come.
 *
 * @example
 * const { files } = await runAnalysis({ nypdFiles: ['fy2017.csv'], codes, humanCodes, today, top: 50 }, { engine, progress });
 */
export const runAnalysis = async (options: RunOptions, ports: RunPorts): Promise<RunResult> => {
  const { engine } = ports;
  await engine.run(NYPD_MACROS);
  const inputs = await nypdInputs(options.nypdFiles, ports);
  const { loaded, stored } = await loadDrones(ports);
  if (ports.deadLetters) ports.progress('counting dead letters');
  const tally = ports.deadLetters ? await ports.deadLetters() : undefined;
  const rows = ticketRows(inputs);
  await engine.run(duckdbRelations({ ticketRows: rows, deadLetters: tally?.byReason }));
  const statistic = onDuckdb(engine, options);
  const drones = loaded === undefined ? undefined : await droneCounts(statistic, loaded);

  const { groups, dedup } = await withProgress(ports, 'counting and grouping', () =>
    groupsPass(
      engine,
      {
        ticketRows: rows === undefined ? undefined : 'SELECT * FROM nypd_tickets',
        drones: drones !== undefined,
      },
      options.top,
    ),
  );
  const sources = inputs.map((input, src) =>
    sourceCounts(
      {
        name: sourceName(input),
        kind: input.kind,
        ...(input.kind === 'csv' ? { scan: input.scan } : {}),
      },
      src,
      groups,
    ),
  );
  const deadLetters =
    tally === undefined
      ? undefined
      : { ...tally, byReason: deadLetterRows(await statistic(DEAD_LETTERS)) };
  const counts: Counts = { sources, dedup, groups, drones, stored, deadLetters };
  const report = buildReport(counts, options.codes, {
    today: options.today,
    sources: [
      ...options.nypdFiles.map((f) => `NYPD file ${f}`),
      ...(ports.archive ? ['the S3 archive'] : []),
      ...(ports.hotTables ? ['the DynamoDB hot tables'] : []),
    ],
  });
  const files = new Map<string, string>(report.tables.map((t) => [t.file, renderCsv(t)]));
  files.set('index.html', renderHtml(report));
  return { report, files, counts };
};

/** Header and record count of each file (the scan also tells which files need a serial read). */
const nypdInputs = async (files: ReadonlyArray<string>, ports: RunPorts): Promise<NypdInput[]> => {
  const inputs: NypdInput[] = [];
  for (const file of files) {
    const layout = await readLayout(file);
    if (E.isLeft(layout)) throw new NypdFileError(`${file}: ${layout.left.join('; ')}`);
    const scan = await countCsvRecords(file, (bytes) =>
      ports.progress(`scanning ${file}: ${(bytes / 1e6).toFixed(0)} MB`),
    );
    inputs.push({ kind: 'csv', file, layout: layout.right, scan });
  }
  if (ports.archive !== undefined) {
    const tickets = await ports.archive.sync('nypd.ticket', (done, total) =>
      ports.progress(`fetching archived NYPD tickets: ${done}/${total} objects`),
    );
    inputs.push({ kind: 'archive', files: tickets.ndjson, parquet: tickets.parquet });
  }
  return inputs;
};

/**
 * Decodes and loads the drone side into the raw tables (relations.ts defines the relations over them; `loaded`
 * undefined when neither the archive nor the hot tables are read), with what each source held per record type.
 * Compacted hours are inserted from their Parquet parts into the same raw tables (`insertCompacted`).
 */
const loadDrones = async (
  ports: RunPorts,
): Promise<{ loaded: LoadCounts | undefined; stored: StoredSourceCounts[] }> => {
  const stored: StoredSourceCounts[] = [];
  const tables = await createDroneTables(ports.engine);
  if (ports.archive === undefined && ports.hotTables === undefined) {
    tables.close();
    return { loaded: undefined, stored };
  }
  const feed = async (
    source: StoredSourceCounts['source'],
    type: DroneRecordType,
    records: AsyncIterable<unknown>,
  ) => {
    const before = { ...tables.counts[type] };
    for await (const json of records) {
      appendRecord(tables, type, json);
      if (tables.counts[type].read % 10_000 === 0)
        ports.progress(`reading ${type}: ${tables.counts[type].read.toLocaleString('en-US')}`);
    }
    const after = tables.counts[type];
    stored.push({
      source,
      type,
      read: after.read - before.read,
      undecodable: after.undecodable - before.undecodable,
    });
  };
  // Compacted hours: Parquet parts, inserted once the appenders are closed (decoded when they were compacted).
  const parquet: Array<{ type: DroneRecordType; files: ReadonlyArray<string> }> = [];
  try {
    if (ports.archive !== undefined)
      for (const type of ['drone.message', 'alarm.raised', 'alarm.resolved'] as const) {
        const files = await ports.archive.sync(type, (done, total) =>
          ports.progress(`fetching archived ${type}: ${done}/${total} objects`),
        );
        await feed('archive', type, jsonLines(files.ndjson));
        if (files.parquet.length > 0) parquet.push({ type, files: files.parquet });
      }
    if (ports.hotTables !== undefined) {
      await feed('dynamo', 'drone.message', ports.hotTables.messages());
      await feed('dynamo', 'alarm.raised', ports.hotTables.alarms());
      const { decisions } = ports.hotTables;
      if (decisions !== undefined)
        await feed('dynamo', 'alarm.resolved', onlyResolved(decisions()));
    }
  } finally {
    tables.close();
  }
  for (const { type, files } of parquet) {
    ports.progress(`reading ${type}: ${files.length} compacted hours`);
    const rows = await insertCompacted(ports.engine, type, files);
    tables.counts[type].read += rows;
    const archived = stored.find((s) => s.source === 'archive' && s.type === type);
    if (archived !== undefined)
      stored[stored.indexOf(archived)] = { ...archived, read: archived.read + rows };
  }
  return { loaded: tables.counts, stored };
};

/** The dead-letter statistic's rows as a tally's `byReason`. */
const deadLetterRows = (rows: ReadonlyArray<Row>): DeadLetterTally['byReason'] =>
  rows.map((r) => ({ actor: String(r.actor), reason: String(r.reason), n: Number(r.n) }));

/** The `alarm.resolved` items of the console's event table, which also holds `alarm.escalated` ones. */
async function* onlyResolved(items: AsyncIterable<unknown>): AsyncGenerator<unknown> {
  for await (const item of items)
    if ((item as { type?: unknown } | null)?.type === 'alarm.resolved') yield item;
}

/** Runs a long query, reporting DuckDB's progress every half second. */
const withProgress = async <A>(
  ports: RunPorts,
  label: string,
  work: () => Promise<A>,
): Promise<A> => {
  const timer = setInterval(() => {
    const p = ports.engine.progress();
    if (p >= 0) ports.progress(`${label}: ${p.toFixed(0)}%`);
  }, 500);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
};
