/**
 * A table as a CSV file (RFC 4180): the header row is the column keys, a field with a comma, a quote or a line
 * break is quoted, empty cells are empty, LF line ends. Pure, so golden files pin every byte.
 */
import type { Table } from '../aggregate/model.ts';
import { csvNumber } from './format.ts';

const field = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * The CSV text of a table.
 *
 * @example
 * renderCsv(table); // 'hour,tickets,nypd_tickets,drone_violations,share\n0,12,12,0,0.010000\n...'
 */
export const renderCsv = (table: Table): string => {
  const lines = [table.columns.map((c) => field(c.key)).join(',')];
  for (const row of table.rows)
    lines.push(
      table.columns
        .map((c) => {
          const v = row[c.key] ?? null;
          return v === null ? '' : typeof v === 'number' ? csvNumber(v, c.kind) : field(v);
        })
        .join(','),
    );
  return `${lines.join('\n')}\n`;
};
