/**
 * The overview (volumes) and the violations-by-code table with fines and estimated revenue.
 *
 * Fines: the Department of Finance charges more in Manhattan at or below 96th Street for some codes. A drone
 * violation's position says which side it is on (`isManhattanBelow96th`); an NYPD ticket in Manhattan is placed by
 * its street when that is a numbered street, else by its precinct when the precinct lies wholly below 96th Street
 * (engine/facts.ts). Every other ticket, including Manhattan tickets whose place cannot be told, gets the
 * other-areas fine: the revenue is a lower bound where the place is unknown.
 */
import type { ViolationCodeTable } from '../../actors/protocol/index.ts';
import type { DroneCounts } from '../drones/sql.ts';
import type { Group } from '../engine/pass.ts';
import { totalOf, valueOf } from './breakdown.ts';
import { columnsOf } from './columns.ts';
import { share, shareOf, type Table, type TableRow } from './model.ts';
import { boroughKey } from './normalise.ts';

// ---------------------------------------------------------------------------------------------------------------
// violations by code

/** Whether a `code` group is at the Manhattan ≤ 96th St fine (its borough and hint, see engine/facts.ts). */
const isManhattan96 = (g: Group): boolean => {
  const hint = valueOf(g, 'hint');
  return (
    boroughKey(valueOf(g, 'county')) === 'Manhattan' &&
    (hint === 'S' || hint === 'P' || hint === 'D')
  );
};

interface CodeCounts {
  nypd: number;
  drone: number;
  m96: number;
  other: number;
}

const byCode = (groups: ReadonlyArray<Group>): Map<number | undefined, CodeCounts> => {
  const out = new Map<number | undefined, CodeCounts>();
  for (const g of groups) {
    if (g.set !== 'code') continue;
    const raw = valueOf(g, 'code');
    const code = raw === null ? undefined : Number(raw);
    const c = out.get(code) ?? { nypd: 0, drone: 0, m96: 0, other: 0 };
    c[g.kind] += g.n;
    if (isManhattan96(g)) c.m96 += g.n;
    else c.other += g.n;
    out.set(code, c);
  }
  return out;
};

/**
 * `violations_by_code.csv`: every code seen, its description and fines from the table, how many violations, how
 * many at each fine, and the estimated revenue. Codes outside 1–99 (left out of tickets) are one `null` row.
 *
 * @example
 * const table = violationsByCode(groups, codes);
 */
export const violationsByCode = (
  groups: ReadonlyArray<Group>,
  codes: ViolationCodeTable,
): Table => {
  const counts = byCode(groups);
  const total = totalOf(groups);
  const population = total.nypd + total.drone;
  const rows = [...counts]
    .sort(([a, x], [b, y]) => y.nypd + y.drone - (x.nypd + x.drone) || (a ?? 100) - (b ?? 100))
    .map(([code, c]): TableRow => {
      const entry = code === undefined ? undefined : codes.get(code);
      const tickets = c.nypd + c.drone;
      return {
        violation_code: code ?? null,
        description:
          code === undefined
            ? '(code outside 1-99)'
            : (entry?.definition ?? '(not in the code table)'),
        tickets,
        nypd_tickets: c.nypd,
        drone_violations: c.drone,
        share: share(tickets, population),
        fine_manhattan_96_and_below: entry?.fineManhattan96AndBelow ?? null,
        fine_other_areas: entry?.fineOtherAreas ?? null,
        tickets_manhattan_96_and_below: c.m96,
        tickets_other_areas: c.other,
        estimated_revenue:
          entry === undefined
            ? 0
            : c.m96 * entry.fineManhattan96AndBelow + c.other * entry.fineOtherAreas,
      };
    });
  return {
    file: 'violations_by_code.csv',
    section: 'Violations and fines',
    title: 'Violations by code, with fines',
    caption:
      'How many violations of each code NYPD issued and drones saw, the fine for each in Manhattan at or below ' +
      '96th Street and elsewhere, and the revenue those fines would bring.',
    columns: columnsOf(
      'violation_code',
      'description',
      ['tickets', 'Violations'],
      'nypd_tickets',
      'drone_violations',
      'share',
      'fine_manhattan_96_and_below',
      'fine_other_areas',
      'tickets_manhattan_96_and_below',
      'tickets_other_areas',
      'estimated_revenue',
    ),
    rows,
    charts: [
      {
        label: 'violation_code',
        detail: 'description',
        value: 'tickets',
        top: 20,
        title: 'Most frequent codes',
      },
      {
        label: 'violation_code',
        detail: 'description',
        value: 'estimated_revenue',
        top: 15,
        sortByValue: true,
        title: 'Codes bringing the most revenue',
      },
    ],
    pageRows: 40,
    total: { column: 'tickets', value: population },
  };
};

/** The estimated revenue of all violations (the sum of the table's revenue column). */
export const revenueOf = (table: Table): number =>
  table.rows.reduce(
    (sum, r) => sum + (typeof r.estimated_revenue === 'number' ? r.estimated_revenue : 0),
    0,
  );

// ---------------------------------------------------------------------------------------------------------------
// volumes

/**
 * `volumes.csv`: messages and tickets (deduplicated), violations, alarms and their shares; the share's base is
 * named in `share_of`.
 *
 * @example
 * const table = volumes(groups, drones, revenueOf(byCodeTable));
 */
export const volumes = (
  groups: ReadonlyArray<Group>,
  drones: DroneCounts | undefined,
  revenue: number,
): Table => {
  const nypd = totalOf(groups).nypd;
  const d = drones ?? { messages: 0, violations: 0, alarmsRecorded: 0, alarmsExpected: 0 };
  const records = d.messages + nypd;
  const violations = d.violations + nypd;
  const row = (metric: string, label: string, count: number, of?: [string, number]): TableRow => ({
    metric,
    label,
    count,
    ...shareOf(count, of),
  });
  return {
    file: 'volumes.csv',
    section: 'Overview',
    title: 'Volumes',
    caption:
      'Everything counted once: drone messages and NYPD tickets, the violations among them, and the alarms ' +
      'raised for violations that need a person.',
    columns: columnsOf('metric', 'label', 'count', 'share', 'share_of'),
    rows: [
      row('records', 'Messages and tickets', records),
      row('drone_messages', 'Drone messages', d.messages, ['records', records]),
      row('nypd_tickets', 'NYPD tickets', nypd, ['records', records]),
      row('violations', 'Violations (drone violations + NYPD tickets)', violations, [
        'records',
        records,
      ]),
      row('drone_violations', 'Violations seen by drones', d.violations, [
        'violations',
        violations,
      ]),
      row('nypd_violations', 'Violations ticketed by NYPD', nypd, ['violations', violations]),
      row('drone_violation_rate', 'Drone messages reporting a violation', d.violations, [
        'drone_messages',
        d.messages,
      ]),
      row('alarms', 'Alarms recorded', d.alarmsRecorded, ['drone_messages', d.messages]),
      row('alarms_expected', 'Violations needing a person', d.alarmsExpected, [
        'drone_violations',
        d.violations,
      ]),
      row('estimated_fine_revenue', 'Estimated fine revenue (USD)', revenue),
    ],
    charts: [],
  };
};
