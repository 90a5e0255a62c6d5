/**
 * The Parquet columns of each compacted record type, and how an archived JSON line becomes a row of them. Only a
 * line its type's codec decodes becomes a row (the compaction refuses an hour holding any other: that hour stays
 * NDJSON, where the report counts it as undecodable), so a Parquet row is what the report would have read.
 *
 * Column names are the JSON keys lowercased (`droneid`, `summonsnumber`): Athena resolves a Parquet column by its
 * name and names every column lowercase, and DuckDB matches names regardless of case (it reads files written with
 * the earlier camelCase names the same). The Glue tables over the Parquet (analysis/relations.ts `GLUE_TABLES`)
 * are these columns, their types in Hive's spelling ({@link hiveType}), less the key's partition `type`.
 *
 * - `drone.message`: the decoded message, flat (`lat`, `lon`: DECIMAL(9,6), a millionth of a degree, about
 *   11 cm, which is what the drones send; as DOUBLE they were 80 % of the file), with the storage writer's marks beside it
 *   (`timesuspect`, `clockoffms`, `ingestedat`) and the place the report derives from the position with the
 *   protocol's outlines (`borough`, `m96`: Manhattan at or below 96th Street), so neither DuckDB nor Athena
 *   decodes or places a compacted message again.
 * - `nypd.ticket`: every field of the line as the JSON text of its value (`VARCHAR`, NULL when absent), exactly
 *   what the report's SQL reads from the NDJSON with `json_extract_string` (analysis/nypd/sql.ts), so both give
 *   the same cells, blanks included.
 * - `alarm.raised`, `alarm.escalated`, `alarm.resolved` (stream-to-storage's alarm archive): one column set for
 *   the three (one Glue table holds them), each row filling its own event's fields, the position flat (`lat`,
 *   `lon`). An alarm's `borough` is the one the report reads: the alert system's, or for an alarm raised before
 *   it always named one, the place of its position (`unknown` outside every outline), so no engine places a
 *   compacted alarm again.
 */
import {
  AlarmEvent,
  boroughAt,
  DroneMessage,
  isManhattanBelow96th,
  NypdTicket,
  UNKNOWN_BOROUGH,
} from '../../actors/protocol/index.ts';
import { E } from '../../runtime/codec.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** A column's DuckDB (and Parquet) type. */
export type ColumnType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN';

const HIVE: Readonly<Record<ColumnType, string>> = {
  VARCHAR: 'string',
  INTEGER: 'int',
  BIGINT: 'bigint',
  DOUBLE: 'double',
  BOOLEAN: 'boolean',
};

/**
 * A Parquet column's type as Glue (Hive) spells it: the stored type when there is one.
 *
 * @example hiveType({ name: 'lat', type: 'DOUBLE', stored: 'DECIMAL(9,6)' }) // 'decimal(9,6)'
 */
export const hiveType = (c: CompactedType['columns'][number]): string => {
  if (c.stored === undefined) return HIVE[c.type];
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(c.stored);
  if (decimal === null) throw new RangeError(`no Hive type for ${c.stored}`);
  return `decimal(${decimal[1]},${decimal[2]})`;
};

/** A cell: `undefined` is NULL. */
export type Cell = string | number | boolean | undefined;

/** A record type the compaction knows. */
export interface CompactedType {
  readonly type: string;
  /**
   * In order; `id` first. `stored`: the Parquet column's type when it differs from the row's (a cast on write).
   */
  readonly columns: ReadonlyArray<{
    readonly name: string;
    readonly type: ColumnType;
    readonly stored?: string;
  }>;
  /** The rows' order in the file (SQL): what lies together compresses best. */
  readonly order: string;
  /** The row of a parsed line, in column order, or `undefined` when the line does not decode. */
  readonly row: (json: unknown) => ReadonlyArray<Cell> | undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// the types

const DRONE_COLUMNS: ReadonlyArray<readonly [string, ColumnType, string?]> = [
  ['id', 'VARCHAR'],
  ['type', 'VARCHAR'],
  ['v', 'INTEGER'],
  ['droneid', 'VARCHAR'],
  ['seq', 'BIGINT'],
  ['time', 'VARCHAR'],
  ['lat', 'DOUBLE', 'DECIMAL(9,6)'],
  ['lon', 'DOUBLE', 'DECIMAL(9,6)'],
  ['address', 'VARCHAR'],
  ['violationcode', 'INTEGER'],
  ['violationimageid', 'VARCHAR'],
  ['timesuspect', 'BOOLEAN'],
  ['clockoffms', 'BIGINT'],
  ['ingestedat', 'VARCHAR'],
  ['borough', 'VARCHAR'],
  ['m96', 'BOOLEAN'],
];

const field = (json: unknown, name: string): unknown =>
  typeof json === 'object' && json !== null ? (json as Record<string, unknown>)[name] : undefined;

const droneRow = (json: unknown): ReadonlyArray<Cell> | undefined => {
  const decoded = DroneMessage.decode(json);
  if (E.isLeft(decoded)) return undefined;
  const m = decoded.right;
  const { lat, lon } = m.location;
  const off = field(json, 'clockOffMs');
  const ingestedAt = field(json, 'ingestedAt');
  return [
    m.id,
    m.type,
    m.v,
    m.droneId,
    m.seq,
    m.time,
    lat,
    lon,
    m.address,
    m.violationCode,
    m.violationImageId,
    // The report reads the mark as `=== true` (analysis/drones/load.ts); anything else is no mark.
    field(json, 'timeSuspect') === true ? true : undefined,
    Number.isSafeInteger(off) ? (off as number) : undefined,
    typeof ingestedAt === 'string' ? ingestedAt : undefined,
    boroughAt(lat, lon),
    isManhattanBelow96th(lat, lon),
  ];
};

const TICKET_FIELDS = [
  'id',
  'type',
  'v',
  'summonsNumber',
  'issuedAt',
  'issueDate',
  'violationCode',
  'violationDescription',
  'plateId',
  'registrationState',
  'plateType',
  'vehicleMake',
  'vehicleBodyType',
  'vehicleColor',
  'vehicleYear',
  'violationCounty',
  'borough',
  'violationPrecinct',
  'issuerPrecinct',
  'streetName',
  'houseNumber',
  'intersectingStreet',
  'issuingAgency',
  'lawSection',
  'subDivision',
  'violationTime',
  'sourceFile',
  'sourceLine',
] as const;

/** `json_extract_string`'s text of a value: a string as it is, anything else as JSON, null as NULL. */
const jsonText = (u: unknown): string | undefined =>
  u === undefined || u === null ? undefined : typeof u === 'string' ? u : JSON.stringify(u);

const ticketRow = (json: unknown): ReadonlyArray<Cell> | undefined =>
  E.isLeft(NypdTicket.decode(json))
    ? undefined
    : TICKET_FIELDS.map((name) => jsonText(field(json, name)));

/** The alarm events' columns: the union of the three events' fields (actors/protocol/alarm.ts), lowercase. */
const ALARM_COLUMNS: ReadonlyArray<readonly [string, ColumnType]> = [
  ['id', 'VARCHAR'], ['type', 'VARCHAR'], ['v', 'INTEGER'],
  // alarm.raised
  ['messageid', 'VARCHAR'], ['droneid', 'VARCHAR'], ['violationcode', 'INTEGER'], ['violationimageid', 'VARCHAR'],
  ['lat', 'DOUBLE'], ['lon', 'DOUBLE'], ['time', 'VARCHAR'], ['raisedat', 'VARCHAR'], ['borough', 'VARCHAR'],
  ['address', 'VARCHAR'], ['messagehash', 'VARCHAR'], ['conflict', 'BOOLEAN'], ['clockoffms', 'BIGINT'],
  // alarm.escalated, alarm.resolved
  ['alarmid', 'VARCHAR'], ['level', 'INTEGER'], ['reason', 'VARCHAR'], ['afterms', 'BIGINT'],
  ['escalatedat', 'VARCHAR'], ['by', 'VARCHAR'], ['decision', 'VARCHAR'], ['at', 'VARCHAR'], ['note', 'VARCHAR'],
]; // prettier-ignore

/** The row of an alarm event of `type`: decoded with the alarm codec, every other event's fields NULL. */
const alarmRow =
  (type: string) =>
  (json: unknown): ReadonlyArray<Cell> | undefined => {
    const decoded = AlarmEvent.decode(json);
    if (E.isLeft(decoded) || decoded.right.type !== type) return undefined;
    const e = decoded.right;
    const fields = new Map<string, Cell>(
      Object.entries(AlarmEvent.encode(e) as Record<string, unknown>).flatMap(([k, v]) =>
        typeof v === 'object' ? [] : [[k.toLowerCase(), v as Cell]],
      ),
    );
    if (e.type === 'alarm.raised') {
      const { lat, lon } = e.location;
      fields.set('lat', lat);
      fields.set('lon', lon);
      fields.set('borough', e.borough ?? boroughAt(lat, lon) ?? UNKNOWN_BOROUGH);
    }
    return ALARM_COLUMNS.map(([name]) => fields.get(name));
  };

/** The record types `npm run compact` compacts (others stay NDJSON, and are read as NDJSON). */
export const COMPACTED_TYPES: ReadonlyMap<string, CompactedType> = new Map(
  [
    {
      type: 'drone.message',
      columns: DRONE_COLUMNS.map(([name, type, stored]) => ({
        name,
        type,
        ...(stored === undefined ? {} : { stored }),
      })),
      // A drone's messages in sequence: positions and times close to each other's.
      order: 'droneid, seq, id',
      row: droneRow,
    },
    {
      type: 'nypd.ticket',
      columns: TICKET_FIELDS.map((name) => ({
        name: name.toLowerCase(),
        type: 'VARCHAR' as const,
      })),
      order: 'id',
      row: ticketRow,
    },
    ...['alarm.raised', 'alarm.escalated', 'alarm.resolved'].map((type) => ({
      type,
      columns: ALARM_COLUMNS.map(([name, t]) => ({ name, type: t })),
      order: 'id',
      row: alarmRow(type),
    })),
  ].map((c): [string, CompactedType] => [c.type, c]),
);
