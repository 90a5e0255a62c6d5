/**
 * What a statistic is: a name, a line of doc, and its SQL over the logical relations (relations.ts) in either
 * dialect. The registry is analysis/statistics.ts.
 */
import type { Dialect } from './dialect.ts';

/** What a statistic's text depends on besides the dialect: the run's options. */
export interface StatisticParams {
  /** Codes that need a person (the alerts expected). */
  readonly humanCodes: ReadonlyArray<number>;
  /** Top streets and repeat plates kept. */
  readonly top: number;
}

/** One statistic: a name (its Athena file and named query), a line of doc, and its SQL in either dialect. */
export interface Statistic {
  readonly name: string;
  readonly doc: string;
  readonly sql: (d: Dialect, p: StatisticParams) => string;
}

/**
 * A code list as SQL (`NULL` for none, so `code IN (NULL)` matches nothing).
 * @example codeList([14, 46]) // '14, 46'
 */
export const codeList = (codes: ReadonlyArray<number>): string =>
  codes.length === 0 ? 'NULL' : codes.map((c) => String(Math.trunc(c))).join(', ');
