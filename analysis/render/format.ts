/**
 * Numbers for people (the page: `12,345`, `$1,200`, `12.3%`) and for machines (the CSV files: plain digits, a
 * dot for decimals, a fixed number of digits so files compare byte for byte across runs).
 */
import type { Cell, CellKind } from '../aggregate/model.ts';

const counts = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const dollars = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 0,
});
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/**
 * A cell for the page; empty cells are `–`.
 *
 * @example
 * formatCell(0.1234, 'share'); // '12.3%'
 * formatCell(1200, 'money'); // '$1,200'
 */
export const formatCell = (value: Cell, kind: CellKind): string => {
  if (value === null) return '–';
  if (typeof value === 'string') return value;
  switch (kind) {
    case 'count':
      return counts.format(value);
    case 'money':
      return dollars.format(value);
    case 'share':
      return `${oneDecimal.format(value * 100)}%`;
    case 'seconds':
      return `${oneDecimal.format(value)} s`;
    default:
      return String(value);
  }
};

/**
 * A cell for a CSV file: counts and money as integers, shares with 6 decimals, seconds with 3; empty is ``.
 *
 * @example
 * csvNumber(0.1234567, 'share'); // '0.123457'
 */
export const csvNumber = (value: number, kind: CellKind): string => {
  switch (kind) {
    case 'share':
      return value.toFixed(6);
    case 'seconds':
      return value.toFixed(3);
    case 'count':
    case 'money':
      return Number.isInteger(value) ? String(value) : value.toFixed(2);
    default:
      return String(value);
  }
};
