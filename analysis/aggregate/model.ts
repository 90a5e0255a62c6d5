/**
 * What the analysis produces, independent of how it is shown: tables (each becomes a CSV file with a header row
 * and a chart or table in index.html), headline figures and notes. Renderers (render/) know nothing about NYPD or
 * drones; aggregators (this folder) know nothing about CSV or HTML.
 */

// ---------------------------------------------------------------------------------------------------------------
// model

/** How a cell is formatted: counts, dollars, a share (0–1), seconds, or text. */
export type CellKind = 'text' | 'count' | 'money' | 'share' | 'seconds';

/** A column: its CSV header (`key`), its label in the page, and its kind. */
export interface Column {
  readonly key: string;
  readonly label: string;
  readonly kind: CellKind;
}

/** A cell value; `null` is an empty cell (unknown, not applicable). */
export type Cell = string | number | null;

/** A row, keyed by column key. */
export type TableRow = Readonly<Record<string, Cell>>;

/**
 * A bar chart of one table: bars labelled by the `label` column (followed by the `detail` column, shortened, when
 * given), sized by the `value` column, the first `top` rows at most.
 */
export interface Chart {
  readonly label: string;
  readonly value: string;
  readonly detail?: string;
  readonly top?: number;
  /** A heading when a table has several charts. */
  readonly title?: string;
  /** Largest first, rather than in the table's order (a second chart of a table ranked by another column). */
  readonly sortByValue?: boolean;
  /** Only the rows whose `column` holds `equals` (a long-format table holding several breakdowns). */
  readonly where?: { readonly column: string; readonly equals: string };
}

/** The sections of the report, in page order. */
export const SECTIONS = [
  'Overview',
  'Violations and fines',
  'When',
  'Where',
  'Vehicles',
  'Drone fleet',
  'Alarms',
  'Data quality',
] as const;
export type Section = (typeof SECTIONS)[number];

/** One statistic. */
export interface Table {
  /** The CSV file name, e.g. `violations_by_code.csv`. */
  readonly file: string;
  readonly section: Section;
  readonly title: string;
  /** One sentence for a reader: what the table shows and over what population. */
  readonly caption: string;
  readonly columns: ReadonlyArray<Column>;
  readonly rows: ReadonlyArray<TableRow>;
  readonly charts?: ReadonlyArray<Chart>;
  /** Show at most this many rows in the page (the CSV has them all). */
  readonly pageRows?: number;
  /** A breakdown: the values of `column` sum to `value` (checked by a property test). */
  readonly total?: { readonly column: string; readonly value: number };
}

/** A headline figure at the top of the page. */
export interface Headline {
  readonly label: string;
  readonly value: number;
  readonly kind: CellKind;
}

/** The whole report. */
export interface Report {
  readonly title: string;
  /** What was read: one line per source. */
  readonly sources: ReadonlyArray<string>;
  readonly headlines: ReadonlyArray<Headline>;
  readonly tables: ReadonlyArray<Table>;
  /** Method notes shown at the end (how fines, hours and duplicates were decided). */
  readonly notes: ReadonlyArray<string>;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

/** A column. @example col('tickets', 'Tickets', 'count') */
export const col = (key: string, label: string, kind: CellKind): Column => ({ key, label, kind });

/** `n / total`, or 0 when the total is 0 (an empty report shows zero shares, not NaN). */
export const share = (n: number, total: number): number => (total === 0 ? 0 : n / total);

/** A share's two columns: `share` (of a base) and `share_of` (the base's name), for tables of mixed bases. */
export const SHARE_OF_COLUMNS: ReadonlyArray<Column> = [
  col('share', 'Share', 'share'),
  col('share_of', 'Share of', 'text'),
];

/**
 * A row's {@link SHARE_OF_COLUMNS} cells: `n` as a share of the named base, or two empty cells without one.
 * @example shareOf(3, ['rows_read', 12]) // { share: 0.25, share_of: 'rows_read' }
 */
export const shareOf = (
  n: number,
  of: readonly [name: string, total: number] | null | undefined,
): { readonly share: number | null; readonly share_of: string | null } =>
  of == null ? { share: null, share_of: null } : { share: share(n, of[1]), share_of: of[0] };
