/**
 * The drone side's statistics, over the relations `drone_messages`, `alarms` and `decisions` (relations.ts: messages
 * and alarms deduplicated by id across the archive's raw copies and the hot table): totals, the per-drone, per-code
 * and alarm breakdowns, the time to act, and the drone violations the pass groups with the NYPD tickets.
 */
import type { Row } from '../engine/duckdb.ts';
import type { Dialect } from '../sql/dialect.ts';
import { codeList, type Statistic } from '../sql/statistic.ts';
import type { LoadCounts } from './load.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** One drone's activity. */
export interface DroneRow {
  readonly droneId: string;
  readonly messages: number;
  readonly violations: number;
  /** Alarms recorded for it (the alert system's records). */
  readonly alarms: number;
  /** Violations whose code needs a human: the alarms it should have raised. */
  readonly expectedAlarms: number;
}

/** Time from an alarm being raised to an operator's first decision on it, in seconds. */
export interface AckTimes {
  readonly count: number;
  readonly medianS: number;
  readonly p90S: number;
  readonly maxS: number;
}

/** Everything the report needs from the drone side. */
export interface DroneCounts {
  readonly messages: number;
  /**
   * Messages (by id) stored with the storage writer's `timeSuspect` mark on any copy: a drone time far from the
   * message's arrival on the stream.
   */
  readonly timeSuspect: number;
  /** Stored copies beyond the first of each message id. */
  readonly rawCopies: number;
  readonly violations: number;
  readonly alarmsRecorded: number;
  readonly alarmsExpected: number;
  readonly loaded: LoadCounts;
  readonly drones: ReadonlyArray<DroneRow>;
  readonly droneCodes: ReadonlyArray<{ droneId: string; code: number; n: number }>;
  /** What alarm breakdowns count: recorded alarms when any were loaded, else the expected ones. */
  readonly alarmBasis: 'recorded' | 'expected';
  readonly alarmsBy: ReadonlyArray<{ by: 'code' | 'borough'; key: string | null; n: number }>;
  /** Undefined when no decision was recorded (the operator console, issue 9). */
  readonly ack: AckTimes | undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// statistics (over the relations drone_messages, alarms and decisions: relations.ts)

const count = (what = '*', where?: string): string =>
  `CAST(count(${what})${where === undefined ? '' : ` FILTER (WHERE ${where})`} AS DOUBLE)`;

/** Messages (and their stored copies), violations, alarms expected and recorded, suspect times. */
export const DRONE_TOTALS: Statistic = {
  name: 'drone_totals',
  doc: 'drone messages, stored copies, violations, alarms expected and recorded, suspect drone times',
  sql: (_d, p) => `SELECT ${count()} AS messages, CAST(coalesce(sum(copies), 0) AS DOUBLE) AS raw,
  ${count('code')} AS violations, ${count('*', `code IN (${codeList(p.humanCodes)})`)} AS expected,
  ${count('*', 'time_suspect')} AS suspect, (SELECT ${count()} FROM alarms) AS alarms
FROM drone_messages`,
};

/** Per drone: messages, violations, alarms expected and recorded. */
export const DRONES: Statistic = {
  name: 'drones',
  doc: 'per drone: messages, violations, violations needing a person, alarms recorded',
  sql: (_d, p) => `SELECT coalesce(m.drone_id, a.drone_id) AS drone_id,
  CAST(coalesce(m.messages, 0) AS DOUBLE) AS messages, CAST(coalesce(m.violations, 0) AS DOUBLE) AS violations,
  CAST(coalesce(m.expected, 0) AS DOUBLE) AS expected, CAST(coalesce(a.alarms, 0) AS DOUBLE) AS alarms
FROM (SELECT drone_id, count(*) AS messages, count(code) AS violations,
    count(*) FILTER (WHERE code IN (${codeList(p.humanCodes)})) AS expected
  FROM drone_messages GROUP BY drone_id) m
FULL JOIN (SELECT drone_id, count(*) AS alarms FROM alarms GROUP BY drone_id) a ON m.drone_id = a.drone_id
ORDER BY 1`,
};

/** Violations per drone and code. */
export const DRONE_CODES: Statistic = {
  name: 'drone_codes',
  doc: 'violations per drone and code',
  sql: () => `SELECT drone_id, code, ${count()} AS n FROM drone_messages WHERE code IS NOT NULL
GROUP BY drone_id, code ORDER BY drone_id, code`,
};

/** Alarms by code and by borough, on both bases (recorded alarms; violations whose code needs a person). */
export const ALARMS_BY: Statistic = {
  name: 'alarms_by',
  doc: 'alarms by code and by borough: recorded, and expected (violations whose code needs a person)',
  sql: (_d, p) => {
    const expected = `(SELECT * FROM drone_messages WHERE code IN (${codeList(p.humanCodes)}))`;
    const by = (basis: string, from: string) =>
      `SELECT '${basis}' AS basis, 'code' AS breakdown, CAST(code AS VARCHAR) AS key, ${count()} AS n
  FROM ${from} x GROUP BY code
UNION ALL SELECT '${basis}', 'borough', borough, ${count()} FROM ${from} y GROUP BY borough`;
    return `${by('recorded', 'alarms')}\nUNION ALL ${by('expected', expected)}`;
  },
};

/** Seconds from `raised_at` to the first decision of each decided alarm: count, median, 90th percentile, max. */
export const ACK_TIMES: Statistic = {
  name: 'alarm_ack',
  doc: 'time from an alarm being raised to its first decision: count, median, p90, max (seconds)',
  sql: (
    d,
  ) => `SELECT ${count()} AS n, ${d.percentile('s', 0.5)} AS median, ${d.percentile('s', 0.9)} AS p90,
  max(s) AS max_s
FROM (SELECT CAST(date_diff('millisecond', a.raised_at, min(r.decided_at)) AS DOUBLE) / 1000 AS s
  FROM alarms a JOIN decisions r ON r.alarm_id = a.id GROUP BY a.id, a.raised_at) t
WHERE s IS NOT NULL`,
};

/**
 * The drone violations as the pass groups them: local day and time of day in America/New_York (`HHMM`, so hours
 * read like an NYPD Violation Time), borough, and whether the fine is Manhattan's below 96th Street.
 *
 * @example
 * droneViolations(duckdb); // SELECT code, m96, CAST(local AS DATE) AS day, … FROM drone_messages …
 */
export const droneViolations = (d: Dialect): string => `
SELECT code, m96, CAST(local AS DATE) AS day, ${d.hhmm('local')} AS tod, borough FROM (
  SELECT code, m96, borough, time AT TIME ZONE 'America/New_York' AS local
  FROM drone_messages WHERE code IS NOT NULL) v`;

// ---------------------------------------------------------------------------------------------------------------
// reading

const num = (r: Row | undefined, k: string): number => Number(r?.[k] ?? 0);

/** A statistic's rows, from whichever engine ran it. */
export type RunStatistic = (s: Statistic) => Promise<ReadonlyArray<Row>>;

/**
 * Reads the drone-side counts by running the drone statistics (`run`: on DuckDB, or Athena). `loaded` is what the
 * loader read and decoded per record type.
 *
 * @example
 * const drones = await droneCounts(runOn(engine, params), loaded);
 */
export const droneCounts = async (run: RunStatistic, loaded: LoadCounts): Promise<DroneCounts> => {
  const [v] = await run(DRONE_TOTALS);
  const alarmsRecorded = num(v, 'alarms');
  const basis = alarmsRecorded > 0 ? 'recorded' : 'expected';
  const drones = await run(DRONES);
  const codes = await run(DRONE_CODES);
  const by = (await run(ALARMS_BY)).filter((r) => r.basis === basis);
  const [a] = await run(ACK_TIMES);
  const decided = num(a, 'n');
  return {
    messages: num(v, 'messages'),
    timeSuspect: num(v, 'suspect'),
    rawCopies: num(v, 'raw') - num(v, 'messages'),
    violations: num(v, 'violations'),
    alarmsRecorded,
    alarmsExpected: num(v, 'expected'),
    loaded,
    drones: drones.map((r) => ({
      droneId: String(r.drone_id),
      messages: num(r, 'messages'),
      violations: num(r, 'violations'),
      alarms: num(r, 'alarms'),
      expectedAlarms: num(r, 'expected'),
    })),
    droneCodes: codes.map((r) => ({
      droneId: String(r.drone_id),
      code: num(r, 'code'),
      n: num(r, 'n'),
    })),
    alarmBasis: basis,
    alarmsBy: by.map((r) => ({
      by: r.breakdown === 'code' ? 'code' : 'borough',
      key: r.key === null || r.key === undefined ? null : String(r.key),
      n: num(r, 'n'),
    })),
    ack:
      decided === 0
        ? undefined
        : { count: decided, medianS: num(a, 'median'), p90S: num(a, 'p90'), maxS: num(a, 'max_s') },
  };
};
