/**
 * The vehicles behind NYPD tickets (drones report no plate): registration state, plate type, make, body type,
 * colour (normalised: `GY`, `GRY`, `GREY` are one colour), model year, and the plates ticketed most often.
 */
import type { Group } from '../engine/pass.ts';
import {
  breakdown,
  type BreakdownSpec,
  type Field,
  tallyField,
  totalOf,
  valueOf,
} from './breakdown.ts';
import { columnOf, columnsOf } from './columns.ts';
import { share, type Table, type TableRow } from './model.ts';
import { cellKey, colourName, vehicleYearKey } from './normalise.ts';

type Spec = Omit<
  BreakdownSpec<string | number>,
  'section' | 'sources' | 'population' | 'order' | 'label'
>;

/**
 * The vehicle breakdowns and `repeat_plates.csv` + `plates_by_ticket_count.csv`.
 *
 * @example
 * const tables = vehicleTables(groups, 50);
 */
export const vehicleTables = (groups: ReadonlyArray<Group>): Table[] => {
  const population = totalOf(groups);
  const table = (
    field: Field,
    key: (raw: string | null) => string | number | undefined,
    spec: Spec,
  ): Table =>
    breakdown(
      tallyField(groups, field, (raw, g) => (g.kind === 'nypd' ? key(raw) : undefined)),
      {
        ...spec,
        section: 'Vehicles',
        sources: 'nypd',
        population,
        order: 'count',
        chartTop: spec.chartTop ?? 15,
      },
    );
  return [
    table('state', cellKey, {
      file: 'violations_by_state.csv',
      title: 'Tickets by registration state',
      caption:
        'NYPD tickets by the state that registered the vehicle; 99 is the code for "unknown".',
      key: columnOf('registration_state'),
    }),
    table('plateType', cellKey, {
      file: 'violations_by_plate_type.csv',
      title: 'Tickets by plate type',
      caption: 'NYPD tickets by plate type (PAS passenger, COM commercial, ...); 999 is "unknown".',
      key: columnOf('plate_type'),
    }),
    table('make', cellKey, {
      file: 'violations_by_make.csv',
      title: 'Tickets by vehicle make',
      caption: 'NYPD tickets by vehicle make, as abbreviated on tickets (TOYOT, HONDA, ...).',
      key: columnOf('vehicle_make'),
    }),
    table('body', cellKey, {
      file: 'violations_by_body_type.csv',
      title: 'Tickets by body type',
      caption: 'NYPD tickets by body type (SUBN suburban, 4DSD four-door sedan, VAN, ...).',
      key: columnOf('body_type'),
    }),
    table('color', colourName, {
      file: 'violations_by_color.csv',
      title: 'Tickets by vehicle colour',
      caption:
        'NYPD tickets by vehicle colour, the many spellings on tickets (GY, GRY, GREY) merged into one name.',
      key: columnOf('vehicle_color'),
    }),
    table('vyear', vehicleYearKey, {
      file: 'violations_by_vehicle_year.csv',
      title: 'Tickets by vehicle model year',
      caption: 'NYPD tickets by the model year of the vehicle; 0 or empty is "unknown".',
      key: columnOf('vehicle_year'),
      chartTop: 30,
    }),
    ...plates(groups, population.nypd),
  ];
};

const plates = (groups: ReadonlyArray<Group>, population: number): Table[] => {
  const top: TableRow[] = groups
    .filter((g) => g.set === 'plate' && g.kind === 'nypd' && valueOf(g, 'plate') !== null)
    .sort(
      (a, b) => b.n - a.n || String(valueOf(a, 'plate')).localeCompare(String(valueOf(b, 'plate'))),
    )
    .map((g) => ({
      plate: valueOf(g, 'plate')?.trim() ?? null,
      registration_state: cellKey(valueOf(g, 'plateState')) ?? null,
      tickets: g.n,
    }));
  const noPlate = groups
    .filter((g) => g.set === 'plate' && g.kind === 'nypd' && valueOf(g, 'plate') === null)
    .reduce((sum, g) => sum + g.n, 0);
  const histogram = groups
    .filter((g) => g.set === 'plate_histogram' && g.kind === 'nypd')
    .map((g) => ({ perPlate: Number(g.key), plates: g.n }));
  const repeatTickets = histogram.reduce((sum, h) => sum + h.perPlate * h.plates, 0);
  const singles = population - noPlate - repeatTickets;
  const buckets: Array<[string, (k: number) => boolean]> = [
    ['1', (k) => k === 1],
    ['2', (k) => k === 2],
    ['3-5', (k) => k >= 3 && k <= 5],
    ['6-10', (k) => k >= 6 && k <= 10],
    ['11 or more', (k) => k >= 11],
  ];
  const all = [{ perPlate: 1, plates: singles }, ...histogram];
  const bucketRows: TableRow[] = buckets.map(([label, inBucket]) => {
    const hs = all.filter((h) => inBucket(h.perPlate));
    const tickets = hs.reduce((sum, h) => sum + h.perPlate * h.plates, 0);
    return {
      tickets_per_plate: label,
      plates: hs.reduce((sum, h) => sum + h.plates, 0),
      tickets,
      share: share(tickets, population),
    };
  });
  if (noPlate > 0)
    bucketRows.push({
      tickets_per_plate: 'no plate',
      plates: null,
      tickets: noPlate,
      share: share(noPlate, population),
    });
  return [
    {
      file: 'repeat_plates.csv',
      section: 'Vehicles',
      title: 'Repeat offenders',
      caption: `The ${top.length} plates (with their registration state) that received the most NYPD tickets.`,
      columns: columnsOf('plate', 'registration_state', 'tickets'),
      rows: top,
      charts: [{ label: 'plate', detail: 'registration_state', value: 'tickets', top: 20 }],
      pageRows: 20,
    },
    {
      file: 'plates_by_ticket_count.csv',
      section: 'Vehicles',
      title: 'How often plates are ticketed',
      caption:
        'Plates grouped by how many NYPD tickets each received, and the tickets those plates account for.',
      columns: columnsOf('tickets_per_plate', 'plates', 'tickets', ['share', 'Share of tickets']),
      rows: bucketRows,
      charts: [{ label: 'tickets_per_plate', value: 'tickets' }],
      total: { column: 'tickets', value: population },
    },
  ];
};
