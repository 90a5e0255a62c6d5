/**
 * The report as one self-contained `index.html`: inline CSS and SVG, no script, no font or image to fetch, links
 * only to the CSV files beside it. A manager reads it top-down: headline figures, then one section per theme,
 * each table with a sentence saying what it shows, its chart and its first rows.
 */
import { type Report, SECTIONS, type Table } from '../aggregate/model.ts';
import { escapeHtml } from './escape.ts';
import { formatCell } from './format.ts';
import { renderChart } from './svg.ts';

const STYLE = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2733; margin: 0; }
main { max-width: 1000px; margin: 0 auto; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { border-bottom: 2px solid #1f5f99; padding-bottom: 4px; margin-top: 40px; }
h3 { margin: 28px 0 4px; } p.caption { margin: 0 0 10px; color: #445; } .sources { color: #556; font-size: 13px; }
.headlines { display: flex; flex-wrap: wrap; gap: 12px; margin: 20px 0; }
.headline { background: #eef4fa; border-radius: 6px; padding: 10px 14px; min-width: 150px; }
.headline b { display: block; font-size: 22px; } .headline span { font-size: 13px; color: #445; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { padding: 3px 8px; border-bottom: 1px solid #dde3ea; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 6px 0; font-size: 12px; }
svg.chart rect { fill: #1f5f99; } svg.chart text { fill: #1d2733; } svg.chart text.v { fill: #445; }
.more { font-size: 13px; color: #556; } .notes li { margin-bottom: 6px; } .wide { overflow-x: auto; }
`;

const isNumeric = (kind: string): boolean => kind !== 'text';

/** Page cells are cut at 90 characters (a code's definition runs to 900); the CSV keeps every word. */
const cell = (text: string): string => (text.length > 90 ? `${text.slice(0, 89)}…` : text);

const tableHtml = (t: Table): string => {
  const shown = t.rows.slice(0, t.pageRows ?? t.rows.length);
  const head = t.columns
    .map((c) => `<th${isNumeric(c.kind) ? ' class="n"' : ''}>${escapeHtml(c.label)}</th>`)
    .join('');
  const body = shown
    .map(
      (r) =>
        `<tr>${t.columns
          .map(
            (c) =>
              `<td${isNumeric(c.kind) ? ' class="n"' : ''}>${escapeHtml(cell(formatCell(r[c.key] ?? null, c.kind)))}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('\n');
  const more =
    t.rows.length > shown.length
      ? `<p class="more">${escapeHtml(`First ${shown.length} of ${t.rows.length.toLocaleString('en-US')} rows.`)} `
      : '<p class="more">';
  const charts = (t.charts ?? []).flatMap((chart) => {
    const svg = renderChart(t, chart);
    if (svg === undefined) return [];
    return [(chart.title === undefined ? '' : `<h4>${escapeHtml(chart.title)}</h4>`) + svg];
  });
  const file = escapeHtml(t.file);
  return [
    `<section id="${escapeHtml(t.file.replace(/\.csv$/, ''))}">`,
    `<h3>${escapeHtml(t.title)}</h3>`,
    `<p class="caption">${escapeHtml(t.caption)}</p>`,
    ...charts,
    t.rows.length === 0
      ? '<p class="more">No data.</p>'
      : `<div class="wide"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`,
    `${more}All rows: <a href="${file}">${file}</a></p>`,
    '</section>',
  ].join('\n');
};

/**
 * The page. Deterministic: the same report gives the same bytes (no timestamp; the run prints its own time).
 *
 * @example
 * writeFileSync('out/index.html', renderHtml(report));
 */
export const renderHtml = (report: Report): string => {
  const headlines = report.headlines
    .map(
      (h) =>
        `<div class="headline"><b>${escapeHtml(formatCell(h.value, h.kind))}</b><span>${escapeHtml(h.label)}</span></div>`,
    )
    .join('\n');
  const sections = SECTIONS.flatMap((section) => {
    const tables = report.tables.filter((t) => t.section === section);
    return tables.length === 0 ? [] : [`<h2>${escapeHtml(section)}</h2>`, ...tables.map(tableHtml)];
  });
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(report.title)}</title>`,
    `<style>${STYLE}</style></head><body><main>`,
    `<h1>${escapeHtml(report.title)}</h1>`,
    `<p class="sources">${escapeHtml(`Sources: ${report.sources.join('; ') || 'none'}.`)}</p>`,
    `<div class="headlines">${headlines}</div>`,
    ...sections,
    '<h2>How the figures are made</h2>',
    `<ul class="notes">${report.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}</ul>`,
    '</main></body></html>',
    '',
  ].join('\n');
};
