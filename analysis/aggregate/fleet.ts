/**
 * The drone fleet and its alarms: messages, violations and alarms per drone (most active first), which codes each
 * drone reports, alarms by code and borough, and how long operators take to act on them.
 *
 * Alarms are the alert system's records when any were loaded (`--dynamo` reads its table; `--archive` reads
 * archived `alarm.raised` events). Without any, the breakdowns count the violations whose code needs a person
 * (the alerts that should have been raised), and say so.
 */
import type { ViolationCodeTable } from '../../actors/protocol/index.ts';
import { BOROUGHS } from '../../actors/protocol/index.ts';
import type { DroneCounts } from '../drones/sql.ts';
import { columnsOf } from './columns.ts';
import { share, type Table, type TableRow } from './model.ts';

const EMPTY: DroneCounts = {
  messages: 0,
  timeSuspect: 0,
  rawCopies: 0,
  violations: 0,
  alarmsRecorded: 0,
  alarmsExpected: 0,
  loaded: {
    'drone.message': { read: 0, undecodable: 0 },
    'alarm.raised': { read: 0, undecodable: 0 },
    'alarm.resolved': { read: 0, undecodable: 0 },
  },
  drones: [],
  droneCodes: [],
  alarmBasis: 'expected',
  alarmsBy: [],
  ack: undefined,
};

/**
 * `drones.csv`, `drone_codes.csv`, `alarms.csv` and `alarm_ack.csv`.
 *
 * @example
 * const tables = fleetTables(drones, codes);
 */
export const fleetTables = (
  counts: DroneCounts | undefined,
  codes: ViolationCodeTable,
): Table[] => {
  const d = counts ?? EMPTY;
  const drones = [...d.drones].sort(
    (a, b) => b.messages - a.messages || a.droneId.localeCompare(b.droneId),
  );
  return [
    {
      file: 'drones.csv',
      section: 'Drone fleet',
      title: 'Drones, most active first',
      caption: `Messages, violations and alarms of each of the ${drones.length.toLocaleString('en-US')} drones, with the share of its messages that reported a violation or raised an alarm.`,
      columns: columnsOf(
        'drone_id',
        'messages',
        'violations',
        'alarms',
        'expected_alarms',
        'violation_rate',
        'alarm_rate',
      ),
      rows: drones.map((r) => ({
        drone_id: r.droneId,
        messages: r.messages,
        violations: r.violations,
        alarms: r.alarms,
        expected_alarms: r.expectedAlarms,
        violation_rate: share(r.violations, r.messages),
        alarm_rate: share(d.alarmBasis === 'recorded' ? r.alarms : r.expectedAlarms, r.messages),
      })),
      charts: [{ label: 'drone_id', value: 'messages', top: 20, title: 'Most active drones' }],
      pageRows: 20,
      total: { column: 'messages', value: d.messages },
    },
    {
      file: 'drone_codes.csv',
      section: 'Drone fleet',
      title: 'Violations by drone and code',
      caption: 'How many violations of each code every drone reported.',
      columns: columnsOf('drone_id', 'violation_code', 'description', 'violations'),
      rows: d.droneCodes.map((r) => ({
        drone_id: r.droneId,
        violation_code: r.code,
        description: codes.get(r.code)?.definition ?? '(not in the code table)',
        violations: r.n,
      })),
      pageRows: 20,
      total: { column: 'violations', value: d.violations },
    },
    alarms(d, codes),
    ack(d),
  ];
};

const alarms = (d: DroneCounts, codes: ViolationCodeTable): Table => {
  const total = d.alarmBasis === 'recorded' ? d.alarmsRecorded : d.alarmsExpected;
  const rows: TableRow[] = [
    { breakdown: 'total', key: 'all', description: null, alarms: total, share: 1 },
  ];
  const of = (by: 'code' | 'borough') => d.alarmsBy.filter((a) => a.by === by);
  for (const a of [...of('code')].sort((x, y) => y.n - x.n || Number(x.key) - Number(y.key)))
    rows.push({
      breakdown: 'violation_code',
      key: a.key,
      description:
        a.key === null ? null : (codes.get(Number(a.key))?.definition ?? '(not in the code table)'),
      alarms: a.n,
      share: share(a.n, total),
    });
  const boroughs = of('borough');
  for (const b of [...BOROUGHS, null]) {
    const n = boroughs.filter((a) => a.key === b).reduce((sum, a) => sum + a.n, 0);
    if (n > 0 || b !== null)
      rows.push({
        breakdown: 'borough',
        key: b ?? 'unknown',
        description: null,
        alarms: n,
        share: share(n, total),
      });
  }
  return {
    file: 'alarms.csv',
    section: 'Alarms',
    title: d.alarmBasis === 'recorded' ? 'Alarms' : 'Alarms expected (no alarm records loaded)',
    caption:
      d.alarmBasis === 'recorded'
        ? 'Alarms the alert system recorded, in total, by violation code and by borough.'
        : 'No alarm records were loaded (use --dynamo), so this counts the drone violations whose code needs a ' +
          'person: the alarms that should have been raised, by code and by borough.',
    columns: columnsOf('breakdown', 'key', 'description', ['alarms', 'Alarms'], 'share'),
    rows,
    charts: [
      {
        label: 'key',
        detail: 'description',
        value: 'alarms',
        top: 15,
        title: 'By violation code',
        where: { column: 'breakdown', equals: 'violation_code' },
      },
      {
        label: 'key',
        value: 'alarms',
        title: 'By borough',
        where: { column: 'breakdown', equals: 'borough' },
      },
    ],
  };
};

const ack = (d: DroneCounts): Table => ({
  file: 'alarm_ack.csv',
  section: 'Alarms',
  title: 'Time to act on an alarm',
  caption:
    d.ack === undefined
      ? 'No operator decision was recorded yet (the operator console records them): nothing to measure.'
      : 'Seconds from an alarm being raised to the first operator decision on it (acknowledged, confirmed or dismissed).',
  columns: columnsOf('alarms_decided', 'median_seconds', 'p90_seconds', 'max_seconds'),
  rows: [
    {
      alarms_decided: d.ack?.count ?? 0,
      median_seconds: d.ack?.medianS ?? null,
      p90_seconds: d.ack?.p90S ?? null,
      max_seconds: d.ack?.maxS ?? null,
    },
  ],
});
