/**
 * The drone side's counts, from the raw tables load.ts filled: messages and alarms deduplicated by id (archive raw
 * copies, the same message in the archive and the hot table), local times in New York, and the per-drone, per-code
 * and alarm breakdowns. Also builds `drone_violations`, which pass 2 groups with the NYPD tickets.
 */
import type { Engine, Row } from '../engine/duckdb.ts';
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
// queries

/**
 * Deduplicates the raw tables and builds `drone_messages`, `alarms` and `drone_violations` (local day and time
 * of day in America/New_York, as `HHMM`, so hours read like an NYPD Violation Time).
 *
 * @example
 * await buildDroneTables(engine);
 */
export const buildDroneTables = async (engine: Engine): Promise<void> => {
  await engine.run(`
    CREATE OR REPLACE TABLE drone_messages AS
      SELECT DISTINCT ON (id) * FROM drone_messages_raw
        ORDER BY id, time, drone_id, code, borough, m96, time_suspect;
    CREATE OR REPLACE TABLE alarms AS
      SELECT DISTINCT ON (id) * FROM alarms_raw ORDER BY id, raised_at, time, drone_id, code, borough;
    CREATE OR REPLACE TABLE drone_violations AS
      SELECT code, m96, local::DATE AS day, strftime(local, '%H%M') AS tod, borough FROM (
        SELECT *, timezone('America/New_York', TRY_CAST(time AS TIMESTAMPTZ)) AS local
        FROM drone_messages WHERE code IS NOT NULL);`);
};

const num = (r: Row | undefined, k: string): number => Number(r?.[k] ?? 0);

/**
 * Reads the drone-side counts. `humanCodes` are the codes that need a human (the alert system's list).
 *
 * @example
 * const drones = await droneCounts(engine, loaded, DEFAULT_HUMAN_CODES);
 */
export const droneCounts = async (
  engine: Engine,
  loaded: LoadCounts,
  humanCodes: ReadonlyArray<number>,
): Promise<DroneCounts> => {
  const human = humanCodes.length === 0 ? 'NULL' : humanCodes.join(', ');
  const [v] = await engine.all(`SELECT
    (SELECT count(*) FROM drone_messages)::DOUBLE AS messages,
    (SELECT count(*) FROM drone_messages_raw)::DOUBLE AS raw,
    (SELECT count(code) FROM drone_messages)::DOUBLE AS violations,
    (SELECT count(*) FROM drone_messages WHERE code IN (${human}))::DOUBLE AS expected,
    (SELECT count(*) FROM alarms)::DOUBLE AS alarms,
    (SELECT count(DISTINCT id) FROM drone_messages_raw WHERE time_suspect)::DOUBLE AS suspect`);
  const alarmsRecorded = num(v, 'alarms');
  const basis = alarmsRecorded > 0 ? 'recorded' : 'expected';
  const alarmSet =
    basis === 'recorded' ? 'alarms' : `(SELECT * FROM drone_messages WHERE code IN (${human}))`;
  const drones = await engine.all(`
    SELECT coalesce(m.drone_id, a.drone_id) AS drone_id, coalesce(m.messages, 0)::DOUBLE AS messages,
      coalesce(m.violations, 0)::DOUBLE AS violations, coalesce(m.expected, 0)::DOUBLE AS expected,
      coalesce(a.alarms, 0)::DOUBLE AS alarms
    FROM (SELECT drone_id, count(*) AS messages, count(code) AS violations,
            count(*) FILTER (WHERE code IN (${human})) AS expected FROM drone_messages GROUP BY ALL) m
    FULL JOIN (SELECT drone_id, count(*) AS alarms FROM alarms GROUP BY ALL) a USING (drone_id)
    ORDER BY drone_id`);
  const codes = await engine.all(`SELECT drone_id, code, count(*)::DOUBLE AS n FROM drone_messages
    WHERE code IS NOT NULL GROUP BY ALL ORDER BY drone_id, code`);
  const by = await engine.all(`
    SELECT 'code' AS by, code::VARCHAR AS key, count(*)::DOUBLE AS n FROM ${alarmSet} GROUP BY ALL
    UNION ALL SELECT 'borough', borough, count(*)::DOUBLE FROM ${alarmSet} GROUP BY ALL`);
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
      by: r.by === 'code' ? 'code' : 'borough',
      key: r.key === null ? null : String(r.key),
      n: num(r, 'n'),
    })),
    ack: await ackTimes(engine),
  };
};

/** Seconds from `raisedAt` to the first decision (acknowledged, confirmed or dismissed) of each alarm. */
const ackTimes = async (engine: Engine): Promise<AckTimes | undefined> => {
  const [r] = await engine.all(`SELECT count(*)::DOUBLE AS n, quantile_cont(s, 0.5) AS median,
      quantile_cont(s, 0.9) AS p90, max(s) AS max
    FROM (SELECT epoch(min(TRY_CAST(r.decided_at AS TIMESTAMPTZ)) - TRY_CAST(a.raised_at AS TIMESTAMPTZ)) AS s
          FROM alarms a JOIN resolutions_raw r ON r.alarm_id = a.id GROUP BY a.id, a.raised_at)
    WHERE s IS NOT NULL`);
  const count = num(r, 'n');
  return count === 0
    ? undefined
    : { count, medianS: num(r, 'median'), p90S: num(r, 'p90'), maxS: num(r, 'max') };
};
