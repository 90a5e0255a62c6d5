/**
 * Runs SQL on Amazon Athena: StartQueryExecution in a workgroup and database, GetQueryExecution polled with backoff
 * until the query ends, GetQueryResults page by page. Every call is retried on throttling (ThrottlingException,
 * TooManyRequestsException) with the runtime's backoff. Each query's bytes scanned and cost are kept (Athena bills
 * max(bytes, 10 MB) at a price per TB; DDL and failed queries are free), and an abort (Ctrl-C) stops the query
 * in Athena with StopQueryExecution before the run gives up, so nothing keeps scanning after the user left.
 */
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';

import {
  backoff,
  type BackoffPolicy,
  defaultBackoff,
  sleep as realSleep,
} from '../../runtime/retry.ts';
import type { Row } from '../engine/duckdb.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** Where and how queries run. */
export interface AthenaRunnerOptions {
  readonly workgroup: string;
  readonly database: string;
  /** US dollars per TB (2^40 bytes) scanned; Athena's list price is 5. */
  readonly pricePerTb: number;
  /** Delays between polls of a queued or running query (default: 500 ms, ×1.5, 5 s cap, unbounded). */
  readonly poll?: BackoffPolicy;
  /** Retries of a throttled call (default: the runtime's, 300 ms ×2 up to 30 s, 5 retries). */
  readonly throttle?: BackoffPolicy;
  /** Aborting stops the running query (StopQueryExecution) and rejects with {@link AthenaQueryError}. */
  readonly signal?: AbortSignal;
  /** A short line per state change, for a person. */
  readonly progress?: (line: string) => void;
  /** Injected for tests (virtual time); default the runtime's abortable sleep. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

/** One finished query. */
export interface QueryOutcome {
  readonly name: string;
  readonly queryExecutionId: string;
  readonly rows: ReadonlyArray<Row>;
  readonly bytesScanned: number;
  /** US dollars: max(bytes, 10 MB) × price per TB, 0 for DDL. */
  readonly cost: number;
}

/** Why a query did not succeed: `failed` (Athena's reason), `cancelled`, or the workgroup's `scan_limit`. */
export class AthenaQueryError extends Error {
  override readonly name = 'AthenaQueryError';
  constructor(
    readonly kind: 'failed' | 'cancelled' | 'scan_limit',
    readonly query: string,
    readonly queryExecutionId: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** The runner. */
export interface AthenaRunner {
  /** Runs one statement; `ddl` ones (CREATE VIEW) cost nothing. Rejects with {@link AthenaQueryError}. */
  readonly run: (name: string, sql: string, kind?: 'query' | 'ddl') => Promise<QueryOutcome>;
  /** Every finished query so far, in order. */
  readonly outcomes: () => ReadonlyArray<QueryOutcome>;
}

/** The SDK surface the runner uses (an AthenaClient, or a stub in tests). */
export type AthenaSend = Pick<AthenaClient, 'send'>;

// ---------------------------------------------------------------------------------------------------------------
// cost

const MB = 2 ** 20;
const TB = 2 ** 40;

/**
 * What a query costs: Athena bills at least 10 MB per query.
 * @example queryCost(1_000, 5) // 10 MB at $5/TB ≈ 0.0000477
 */
export const queryCost = (bytes: number, pricePerTb: number): number =>
  (Math.max(bytes, 10 * MB) * pricePerTb) / TB;

/** Bytes for a person: `12.3 MB`. */
export const formatBytes = (bytes: number): string => {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
};

// ---------------------------------------------------------------------------------------------------------------
// constructors

const POLL: BackoffPolicy = {
  initialMs: 500,
  factor: 1.5,
  jitter: 0.1,
  maxMs: 5_000,
  retries: Infinity,
};

const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException']);
const isThrottled = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && THROTTLED.has((e as { name?: string }).name ?? '');

const SCAN_LIMIT = /bytes scanned limit|data scanned limit|BytesScannedCutoffPerQuery/i;

/**
 * A runner over an Athena client.
 *
 * @example
 * const runner = createAthenaRunner(new AthenaClient({}), { workgroup: 'prestacop-analysis', database: 'prestacop', pricePerTb: 5 });
 * const { rows, bytesScanned } = await runner.run('drones', sql);
 */
export const createAthenaRunner = (
  client: AthenaSend,
  options: AthenaRunnerOptions,
): AthenaRunner => {
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const say = options.progress ?? (() => undefined);
  const done: QueryOutcome[] = [];

  /** One SDK call, retried while throttled. */
  const call = async <O>(label: string, send: () => Promise<O>): Promise<O> => {
    const policy = options.throttle ?? defaultBackoff;
    for (let n = 1; ; n++) {
      try {
        return await send();
      } catch (e) {
        if (!isThrottled(e) || n > policy.retries) throw e;
        const ms = backoff(n, policy, random);
        say(`${label}: throttled, retrying in ${ms} ms`);
        await sleep(ms, options.signal);
      }
    }
  };

  const stop = async (id: string): Promise<void> => {
    await call('stop', () => client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })));
  };

  const run: AthenaRunner['run'] = async (name, sql, kind = 'query') => {
    if (options.signal?.aborted)
      throw new AthenaQueryError('cancelled', name, undefined, `${name}: cancelled`);
    const started = await call(name, () =>
      client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          WorkGroup: options.workgroup,
          QueryExecutionContext: { Database: options.database },
        }),
      ),
    );
    const id = started.QueryExecutionId;
    if (id === undefined)
      throw new AthenaQueryError('failed', name, undefined, `${name}: no query id`);
    try {
      const bytes = await awaitEnd(name, id);
      const rows = kind === 'ddl' ? [] : await results(name, id);
      const outcome: QueryOutcome = {
        name,
        queryExecutionId: id,
        rows,
        bytesScanned: bytes,
        cost: kind === 'ddl' ? 0 : queryCost(bytes, options.pricePerTb),
      };
      done.push(outcome);
      return outcome;
    } catch (e) {
      if (options.signal?.aborted) {
        await stop(id).catch(() => undefined); // best effort: the run is ending either way
        throw new AthenaQueryError(
          'cancelled',
          name,
          id,
          `${name}: cancelled, query ${id} stopped`,
        );
      }
      throw e;
    }
  };

  /** Polls until the query ends; resolves with the bytes scanned when it succeeded. */
  const awaitEnd = async (name: string, id: string): Promise<number> => {
    const policy = options.poll ?? POLL;
    for (let n = 1; ; n++) {
      const { QueryExecution: q } = await call(name, () =>
        client.send(new GetQueryExecutionCommand({ QueryExecutionId: id })),
      );
      const state = q?.Status?.State;
      const bytes = q?.Statistics?.DataScannedInBytes ?? 0;
      if (state === 'SUCCEEDED') return bytes;
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason =
          q?.Status?.StateChangeReason ?? q?.Status?.AthenaError?.ErrorMessage ?? 'no reason given';
        if (SCAN_LIMIT.test(reason))
          throw new AthenaQueryError(
            'scan_limit',
            name,
            id,
            `${name}: stopped by the workgroup's per-query scan limit after ${formatBytes(bytes)} (${reason}); ` +
              "raise the workgroup's bytes-scanned limit (Terraform) or read fewer partitions",
          );
        throw new AthenaQueryError(
          state === 'FAILED' ? 'failed' : 'cancelled',
          name,
          id,
          `${name}: ${state === 'FAILED' ? 'failed' : 'cancelled'} in Athena (query ${id}): ${reason}`,
        );
      }
      say(`${name}: ${(state ?? 'unknown').toLowerCase()}, ${formatBytes(bytes)} scanned`);
      await sleep(backoff(n, policy, random), options.signal);
    }
  };

  /** Every row of a finished query, page by page (the first row of the first page is the header). */
  const results = async (name: string, id: string): Promise<Row[]> => {
    const rows: Row[] = [];
    let token: string | undefined;
    let columns: string[] | undefined;
    let first = true;
    do {
      const page: GetQueryResultsCommandOutput = await call(name, () =>
        client.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token })),
      );
      columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
      const data = page.ResultSet?.Rows ?? [];
      for (const [i, r] of data.entries()) {
        if (first && i === 0) continue; // the header row
        const cells = r.Data ?? [];
        rows.push(Object.fromEntries(columns.map((c, j) => [c, cells[j]?.VarCharValue ?? null])));
      }
      first = false;
      token = page.NextToken;
      if (token !== undefined) say(`${name}: ${rows.length.toLocaleString('en-US')} rows read`);
    } while (token !== undefined);
    return rows;
  };

  return { run, outcomes: () => [...done] };
};
