/**
 * The analysis engine: one DuckDB instance (`@duckdb/node-api`), configured so it never reaches beyond its own
 * work folder. Extensions live under that folder (an INSTALL attempt would otherwise create `~/.duckdb`), nothing
 * is auto-installed (httpfs cannot be downloaded here: S3 objects are fetched by the SDK into a cache instead),
 * spills go to the same folder, and memory and threads are bounded so a 2 GB CSV fits an old machine.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

// ---------------------------------------------------------------------------------------------------------------
// model

/** How the engine may use the machine. */
export interface EngineOptions {
  /** A private folder: extensions, spill files. Created if missing; never `~/.duckdb`. */
  readonly workDir: string;
  /** Worker threads. Default 2 (the target machines have two cores). */
  readonly threads?: number;
  /** DuckDB's buffer limit; it spills beyond it. Default `600MB`, so the whole report stays under 1 GB. */
  readonly memoryLimit?: string;
}

/** A JSON-safe result row (DuckDB BIGINT and HUGEINT arrive as strings: cast counts to INTEGER or DOUBLE). */
export type Row = Readonly<Record<string, string | number | boolean | null>>;

/** The engine port the passes use. */
export interface Engine {
  /** Runs statements (DDL, INSERT ...), discarding any result. */
  readonly run: (sql: string) => Promise<void>;
  /** Runs a query and returns its rows as JSON-safe objects. */
  readonly all: (sql: string) => Promise<ReadonlyArray<Row>>;
  /** Progress of the running query, 0–100, or -1 when DuckDB cannot tell. */
  readonly progress: () => number;
  /** The underlying connection, for appenders. */
  readonly connection: DuckDBConnection;
  /** Closes the connection and the instance. Idempotent. */
  readonly close: () => void;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * Opens an in-memory DuckDB bounded by `options`. Tables are small (drone messages, per-group counts): NYPD files
 * are aggregated straight from the CSV in streaming passes, never loaded whole (see analysis/README.md).
 *
 * @example
 * const engine = await createEngine({ workDir: '/tmp/prestacop-analysis' });
 * const rows = await engine.all('SELECT 42::INTEGER AS answer'); // [{ answer: 42 }]
 * engine.close();
 */
export const createEngine = async (options: EngineOptions): Promise<Engine> => {
  const extensions = join(options.workDir, 'extensions');
  const spill = join(options.workDir, 'spill');
  mkdirSync(extensions, { recursive: true });
  mkdirSync(spill, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', {
    extension_directory: extensions,
    temp_directory: spill,
    threads: String(options.threads ?? 2),
    memory_limit: options.memoryLimit ?? '600MB',
    // Row order of CREATE TABLE AS and of aggregations is never relied upon; keeping it costs 2–3× on loads.
    preserve_insertion_order: 'false',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await instance.connect();
  // Session settings: progress() needs DuckDB to track progress, without printing its own bar.
  await connection.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false;');
  let closed = false;
  return {
    run: async (sql) => {
      await connection.run(sql);
    },
    all: async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson() as Row[],
    progress: () => connection.progress.percentage,
    connection,
    close: () => {
      if (closed) return;
      closed = true;
      connection.closeSync();
      instance.closeSync();
    },
  };
};

// ---------------------------------------------------------------------------------------------------------------
// utils

/**
 * A SQL string literal: single quotes doubled. Every path, name or value spliced into SQL goes through here.
 *
 * @example
 * sqlString("O'Brien.csv"); // "'O''Brien.csv'"
 */
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** A number as a SQL literal; throws on NaN or infinities (a bug, not bad input). */
export const sqlNumber = (n: number): string => {
  if (!Number.isFinite(n)) throw new RangeError(`sqlNumber: ${n}`);
  return String(n);
};
