/**
 * Drone messages and alarm events into DuckDB: each stored record is decoded with the protocol's codec (the
 * archive and the tables hold JSON we wrote, but an old or foreign record must be counted, not trusted), placed
 * (borough, Manhattan at or below 96th Street) with the protocol's outlines, and appended raw: raw copies from the
 * archive and the same message in the hot table are deduplicated by id in SQL (drone-sql.ts).
 */
import type { DuckDBAppender } from '@duckdb/node-api';

import {
  AlarmRaised,
  AlarmResolved,
  boroughAt,
  DroneMessage,
  isManhattanBelow96th,
  UNKNOWN_BOROUGH,
} from '../../actors/protocol/index.ts';
import { E } from '../../runtime/codec.ts';
import { type Engine, sqlString } from '../engine/duckdb.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** The record types the drone side reads. */
export type DroneRecordType = 'drone.message' | 'alarm.raised' | 'alarm.resolved';

/** Counts of what was read, per type: records, and those that failed to decode. */
export type LoadCounts = Record<DroneRecordType, { read: number; undecodable: number }>;

/** An appender per raw table, filled by {@link appendRecord}. */
export interface DroneTables {
  readonly messages: DuckDBAppender;
  readonly alarms: DuckDBAppender;
  readonly resolutions: DuckDBAppender;
  readonly counts: LoadCounts;
  /** Flushes and closes the appenders. */
  readonly close: () => void;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * Creates the raw tables and their appenders.
 *
 * @example
 * const tables = await createDroneTables(engine);
 * for await (const json of records) appendRecord(tables, 'drone.message', json);
 * tables.close();
 */
export const createDroneTables = async (engine: Engine): Promise<DroneTables> => {
  await engine.run(`
    CREATE OR REPLACE TABLE drone_messages_raw (id VARCHAR, drone_id VARCHAR, time VARCHAR,
      code INTEGER, borough VARCHAR, m96 BOOLEAN, time_suspect BOOLEAN);
    CREATE OR REPLACE TABLE alarms_raw (id VARCHAR, drone_id VARCHAR, code INTEGER, time VARCHAR,
      raised_at VARCHAR, borough VARCHAR);
    CREATE OR REPLACE TABLE resolutions_raw (id VARCHAR, alarm_id VARCHAR, decision VARCHAR,
      decided_at VARCHAR);`);
  const connection = engine.connection;
  const [messages, alarms, resolutions] = await Promise.all([
    connection.createAppender('drone_messages_raw'),
    connection.createAppender('alarms_raw'),
    connection.createAppender('resolutions_raw'),
  ]);
  const zero = () => ({ read: 0, undecodable: 0 });
  return {
    messages,
    alarms,
    resolutions,
    counts: { 'drone.message': zero(), 'alarm.raised': zero(), 'alarm.resolved': zero() },
    close: () => {
      for (const a of [messages, alarms, resolutions]) a.closeSync(); // closing flushes
    },
  };
};

// ---------------------------------------------------------------------------------------------------------------
// appending

const text = (a: DuckDBAppender, s: string | undefined): void =>
  s === undefined ? a.appendNull() : a.appendVarchar(s);
const int = (a: DuckDBAppender, n: number | undefined): void =>
  n === undefined ? a.appendNull() : a.appendInteger(n);

/**
 * Decodes one stored record of `type` and appends it; a record that does not decode (or is not JSON: pass
 * `undefined`) is counted as undecodable. Unknown keys (the hot table's `ingestedAt`, `expiresAt`; the alarm
 * store's claim fields) are stripped by the codecs; a message's `timeSuspect` mark is kept beside it.
 *
 * @example
 * appendRecord(tables, 'alarm.raised', JSON.parse(line));
 */
export const appendRecord = (tables: DroneTables, type: DroneRecordType, json: unknown): void => {
  const counts = tables.counts[type];
  counts.read++;
  const ok =
    type === 'drone.message'
      ? appendMessage(tables.messages, json)
      : type === 'alarm.raised'
        ? appendAlarm(tables.alarms, json)
        : appendResolution(tables.resolutions, json);
  if (!ok) counts.undecodable++;
};

/**
 * The storage writer's mark on a message whose drone time was far from its arrival on the stream (hot table item
 * and archive line alike). Not part of the message's codec, so read beside it.
 */
const isTimeSuspect = (json: unknown): boolean =>
  typeof json === 'object' &&
  json !== null &&
  (json as { timeSuspect?: unknown }).timeSuspect === true;

const appendMessage = (a: DuckDBAppender, json: unknown): boolean => {
  const decoded = DroneMessage.decode(json);
  if (E.isLeft(decoded)) return false;
  const m = decoded.right;
  const { lat, lon } = m.location;
  text(a, m.id);
  text(a, m.droneId);
  text(a, m.time);
  int(a, m.violationCode);
  text(a, boroughAt(lat, lon));
  a.appendBoolean(isManhattanBelow96th(lat, lon));
  a.appendBoolean(isTimeSuspect(json));
  a.endRow();
  return true;
};

const appendAlarm = (a: DuckDBAppender, json: unknown): boolean => {
  const decoded = AlarmRaised.decode(json);
  if (E.isLeft(decoded)) return false;
  const alarm = decoded.right;
  text(a, alarm.id);
  text(a, alarm.droneId);
  int(a, alarm.violationCode);
  text(a, alarm.time);
  text(a, alarm.raisedAt);
  // The alert system names the borough (`unknown` outside every outline: none, as for a message); an alarm raised
  // before it always did is placed like a message.
  text(
    a,
    alarm.borough === undefined
      ? boroughAt(alarm.location.lat, alarm.location.lon)
      : alarm.borough === UNKNOWN_BOROUGH
        ? undefined
        : alarm.borough,
  );
  a.endRow();
  return true;
};

const appendResolution = (a: DuckDBAppender, json: unknown): boolean => {
  const decoded = AlarmResolved.decode(json);
  if (E.isLeft(decoded)) return false;
  text(a, decoded.right.id);
  text(a, decoded.right.alarmId);
  text(a, decoded.right.decision);
  text(a, decoded.right.at);
  a.endRow();
  return true;
};

// ---------------------------------------------------------------------------------------------------------------
// compacted hours

/**
 * Inserts the Parquet parts of compacted hours (`npm run compact`, analysis/archive/schema.ts) into the raw
 * table, in SQL: their rows were decoded and placed with the same codec and outlines when they were compacted
 * (an hour holding anything undecodable is never compacted), so they are not decoded again. Returns the rows
 * read. The alarm events' rows carry the borough the report reads (`unknown`: none).
 *
 * @example
 * const rows = await insertCompacted(engine, 'drone.message', ['/cache/…/part-0.0123456789abcdef.parquet']);
 */
export const insertCompacted = async (
  engine: Engine,
  type: DroneRecordType,
  files: ReadonlyArray<string>,
): Promise<number> => {
  if (files.length === 0) return 0;
  const parts = `read_parquet([${files.map(sqlString).join(', ')}])`;
  await engine.run(
    type === 'drone.message'
      ? `INSERT INTO drone_messages_raw
    SELECT id, droneid, time, violationcode, borough, m96, coalesce(timesuspect, FALSE) FROM ${parts}`
      : type === 'alarm.raised'
        ? `INSERT INTO alarms_raw SELECT id, droneid, violationcode, time, raisedat,
    CASE WHEN borough = ${sqlString(UNKNOWN_BOROUGH)} THEN NULL ELSE borough END FROM ${parts}`
        : `INSERT INTO resolutions_raw SELECT id, alarmid, decision, "at" FROM ${parts}`,
  );
  const [row] = await engine.all(`SELECT count(*)::INTEGER AS n FROM ${parts}`);
  return Number(row?.n ?? 0);
};
