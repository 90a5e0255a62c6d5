/**
 * Where violations happen: by borough (both sources: a ticket's Violation County as csv-to-stream maps it, a
 * drone's position inside the protocol's borough outlines), by precinct and by street (NYPD tickets: drones report
 * a position, not a precinct or a street).
 */
import { BOROUGHS } from '../../actors/protocol/index.ts';
import type { Group } from '../engine/pass.ts';
import { breakdown, tallyField, totalOf, valueOf } from './breakdown.ts';
import { columnOf, columnsOf } from './columns.ts';
import { share, type Table, type TableRow } from './model.ts';
import { boroughKey, cellKey, precinctKey } from './normalise.ts';

/**
 * `violations_by_borough.csv`, `violations_by_precinct.csv` and `violations_by_street.csv` (the top streets, the
 * rest as one row, and tickets without a street).
 *
 * @example
 * const tables = placeTables(groups);
 */
export const placeTables = (groups: ReadonlyArray<Group>): Table[] => {
  const population = totalOf(groups);
  return [
    breakdown(tallyField(groups, 'county', boroughKey), {
      file: 'violations_by_borough.csv',
      section: 'Where',
      title: 'Violations by borough',
      caption:
        'Violations in each borough; "unknown" counts tickets without a usable Violation County and drone ' +
        'positions outside the borough outlines (water, New Jersey).',
      key: columnOf('borough'),
      order: { keys: BOROUGHS },
      sources: 'both',
      population,
    }),
    breakdown(
      tallyField(groups, 'precinct', (raw, g) =>
        g.kind === 'nypd' ? precinctKey(raw) : undefined,
      ),
      {
        file: 'violations_by_precinct.csv',
        section: 'Where',
        title: 'NYPD tickets by precinct',
        caption:
          'NYPD tickets by the precinct of the violation, busiest first; "unknown" is precinct 0 or empty.',
        key: columnOf('precinct'),
        order: 'count',
        sources: 'nypd',
        population,
        chartTop: 20,
      },
    ),
    streets(groups, population.nypd),
  ];
};

const streets = (groups: ReadonlyArray<Group>, population: number): Table => {
  const rows: TableRow[] = [];
  let listed = 0;
  let unknown = 0;
  for (const g of groups) {
    if (g.set !== 'street' || g.kind !== 'nypd') continue;
    const street = cellKey(valueOf(g, 'street'));
    if (street === undefined) unknown += g.n;
    else {
      rows.push({ street, tickets: g.n, share: share(g.n, population) });
      listed += g.n;
    }
  }
  rows.sort(
    (a, b) =>
      Number(b.tickets) - Number(a.tickets) || String(a.street).localeCompare(String(b.street)),
  );
  const distinct = groups.find((g) => g.set === 'distinct' && g.key === 'street')?.n ?? rows.length;
  const others = population - listed - unknown;
  if (others > 0)
    rows.push({
      street: `(${distinct - rows.length} other streets)`,
      tickets: others,
      share: share(others, population),
    });
  if (unknown > 0)
    rows.push({ street: '(no street)', tickets: unknown, share: share(unknown, population) });
  return {
    file: 'violations_by_street.csv',
    section: 'Where',
    title: 'Top streets',
    caption: `The ${rows.length - (others > 0 ? 1 : 0) - (unknown > 0 ? 1 : 0)} streets with the most NYPD tickets (as written, upper-cased), then all other streets together.`,
    columns: columnsOf('street', 'tickets', 'share'),
    rows,
    charts: [{ label: 'street', value: 'tickets', top: 20 }],
    total: { column: 'tickets', value: population },
  };
};
