/**
 * Horizontal bar charts as inline SVG: no library, no script, no network, readable when printed. Labels and
 * values go through the one escaping helper.
 */
import type { Chart, Table } from '../aggregate/model.ts';
import { escapeHtml } from './escape.ts';
import { formatCell } from './format.ts';

const WIDTH = 760;
const LABEL_WIDTH = 300;
const VALUE_WIDTH = 90;
const BAR_HEIGHT = 16;
const GAP = 5;

/** A label cut to `max` characters with an ellipsis, so one long description cannot push the bars away. */
const shorten = (s: string, max: number): string =>
  s.length > max ? `${s.slice(0, max - 1)}…` : s;

/**
 * The chart's bars: one per row (the first `chart.top`), each labelled and with its value written at its end.
 * `undefined` when there is nothing to draw (no rows, or every value zero).
 *
 * @example
 * const svg = renderChart(table, table.charts[0]);
 */
export const renderChart = (table: Table, chart: Chart): string | undefined => {
  const valueColumn = table.columns.find((c) => c.key === chart.value);
  const numbers = table.rows
    .filter((r) => chart.where === undefined || r[chart.where.column] === chart.where.equals)
    .filter((r) => typeof r[chart.value] === 'number');
  const ranked = chart.sortByValue
    ? [...numbers].sort((a, b) => (b[chart.value] as number) - (a[chart.value] as number))
    : numbers;
  const rows = ranked.slice(0, chart.top ?? ranked.length);
  const max = Math.max(0, ...rows.map((r) => r[chart.value] as number));
  if (rows.length === 0 || max <= 0 || valueColumn === undefined) return undefined;
  const height = rows.length * (BAR_HEIGHT + GAP) + GAP;
  const barSpace = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const bars = rows.map((r, i) => {
    const value = r[chart.value] as number;
    const y = GAP + i * (BAR_HEIGHT + GAP);
    const w = Math.max(value > 0 ? 1 : 0, Math.round((value / max) * barSpace));
    const detail = chart.detail === undefined ? null : r[chart.detail];
    const label = `${r[chart.label] ?? 'unknown'}${detail === null || detail === undefined ? '' : ` ${detail}`}`;
    const text = escapeHtml(formatCell(value, valueColumn.kind));
    return (
      `<text x="${LABEL_WIDTH - 6}" y="${y + BAR_HEIGHT - 4}" text-anchor="end">${escapeHtml(shorten(label, 44))}</text>` +
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${w}" height="${BAR_HEIGHT}" rx="2"></rect>` +
      `<text x="${LABEL_WIDTH + w + 4}" y="${y + BAR_HEIGHT - 4}" class="v">${text}</text>`
    );
  });
  const title = escapeHtml(chart.title ?? table.title);
  return (
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" ` +
    `aria-label="${title}" xmlns="http://www.w3.org/2000/svg">${bars.join('')}</svg>`
  );
};
