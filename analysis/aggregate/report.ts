/**
 * All statistics from the engine's counts: a pure function, so the same counts always give the same report and
 * every figure can be checked without DuckDB (properties and golden files in the specs).
 */
import type { ViolationCodeTable } from '../../actors/protocol/index.ts';
import type { DroneCounts } from '../drones/sql.ts';
import type { DedupCounts } from '../engine/dedup.ts';
import type { Group } from '../engine/pass.ts';
import type { DeadLetterTally } from '../load/dead-letters.ts';
import { totalOf } from './breakdown.ts';
import { fleetTables } from './fleet.ts';
import type { Report } from './model.ts';
import { placeTables } from './place.ts';
import { qualityTables } from './quality.ts';
import type { SourceCounts, StoredSourceCounts } from './sources.ts';
import { vehicleTables } from './vehicles.ts';
import { revenueOf, violationsByCode, volumes } from './violations.ts';
import { whenTables } from './when.ts';

/** What the engine counted. */
export interface Counts {
  readonly sources: ReadonlyArray<SourceCounts>;
  readonly dedup: DedupCounts;
  /** Every group of the pass (rejected rows' groups and the `sources` set included). */
  readonly groups: ReadonlyArray<Group>;
  /** Undefined when no drone data was read. */
  readonly drones: DroneCounts | undefined;
  /** Drone messages and alarm events read per source (the archive, the hot tables) and type; none when not read. */
  readonly stored?: ReadonlyArray<StoredSourceCounts>;
  /** The dead letters beside the archive, per actor and reason; undefined when not read. */
  readonly deadLetters?: DeadLetterTally | undefined;
}

/** How the methods notes describe a run. */
const NOTES: ReadonlyArray<string> = [
  'NYPD rows are accepted or rejected by the same rules as csv-to-stream (a wrong number of fields, a missing ' +
    'or malformed summons number, an unreadable Issue Date, a non-numeric Violation Code); accepted rows with ' +
    'doubtful values are kept and counted under Data quality.',
  'Every record is counted once: tickets by summons number across files, the archive and its raw copies; drone ' +
    'messages and alarms by id across the archive and the hot table.',
  'Hours, weekdays and months are New York time (America/New_York, daylight saving included) for both sources; ' +
    'a ticket’s hour is the one written on it.',
  'Fines: a drone violation’s position tells whether it is in Manhattan at or below 96th Street. An NYPD ' +
    'ticket in Manhattan is placed there by its street when that is a numbered street up to 96th, else by its ' +
    'precinct when the precinct lies wholly below 96th Street; every other ticket gets the other-areas fine, so ' +
    'the revenue is a lower bound where the place is unknown. Codes missing from the table bring no revenue.',
];

/**
 * Builds the report.
 *
 * @example
 * const report = buildReport(counts, codes, { today: '2026-11-27', sources: ['fy2017.csv'] });
 */
export const buildReport = (
  counts: Counts,
  codes: ViolationCodeTable,
  run: { readonly today: string; readonly sources: ReadonlyArray<string> },
): Report => {
  // Breakdowns count accepted, deduplicated tickets only.
  const groups = counts.groups.filter(
    (g) => g.reason === null && g.set !== 'sources' && g.set !== 'dups',
  );
  const byCode = violationsByCode(groups, codes);
  const revenue = revenueOf(byCode);
  const nypd = totalOf(groups).nypd;
  const d = counts.drones;
  return {
    title: 'PrestaCop: parking violations, drones and alarms',
    sources: run.sources,
    headlines: [
      { label: 'NYPD tickets', value: nypd, kind: 'count' },
      { label: 'Drone messages', value: d?.messages ?? 0, kind: 'count' },
      { label: 'Violations', value: nypd + (d?.violations ?? 0), kind: 'count' },
      {
        label: d?.alarmBasis === 'recorded' ? 'Alarms' : 'Alarms expected',
        value: (d?.alarmBasis === 'recorded' ? d.alarmsRecorded : d?.alarmsExpected) ?? 0,
        kind: 'count',
      },
      { label: 'Estimated fine revenue', value: revenue, kind: 'money' },
    ],
    tables: [
      volumes(groups, d, revenue),
      byCode,
      ...whenTables(groups),
      ...placeTables(groups),
      ...vehicleTables(groups),
      ...fleetTables(d, codes),
      ...qualityTables({ ...counts, groups, today: run.today }),
    ],
    notes: NOTES,
  };
};
