/**
 * The logical relations every statistic reads: `drone_messages`, `alarms`, `decisions`, `nypd_tickets` and
 * `dead_letters`, each column declared once. An engine defines them over what it reads:
 * - DuckDB (one machine): over the tables the loader fills from the archive cache and the hot tables
 *   (drones/load.ts: decoded with the protocol's codecs, placed with its outlines; a compacted hour's Parquet part,
 *   decoded and placed when it was compacted, is inserted into the same table) and over the NYPD CSV files and the
 *   archive's tickets, NDJSON or Parquet for compacted hours (engine/sources.ts). Deduplicated relations are materialised once (every statistic reads them); the ticket
 *   rows stay a view, so the CSV is streamed, never loaded.
 * - Athena: views over the Glue tables of the archive ({@link ATHENA_SOURCES}), created by the runner before the
 *   statistics (analysis/athena/relations.sql, generated): the same columns, deduplicated by id the same way, the
 *   same placement in SQL (sql/place.ts).
 *
 * This is the one module to point elsewhere (Parquet for compacted hours, another Glue table): statistics only
 * name relations and columns.
 */
import { REJECT_REASONS } from './nypd/sql.ts';
import { boroughSql, manhattanBelow96thSql } from './sql/place.ts';

/** The `kr` of an archived ticket failing its envelope check (engine/facts.ts kindAndReason). */
const UNDECODABLE = 2 + REJECT_REASONS.indexOf('undecodable');

// ---------------------------------------------------------------------------------------------------------------
// model

/** A column's type, as both engines spell it. */
export type ColumnType =
  'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'DATE' | 'TIMESTAMP WITH TIME ZONE';

/** The relations and their columns, in order. */
export const RELATIONS = {
  /** One row per drone message id (raw copies merged). */
  drone_messages: {
    id: 'VARCHAR',
    drone_id: 'VARCHAR',
    time: 'TIMESTAMP WITH TIME ZONE', // the drone's own time; NULL when unreadable
    code: 'INTEGER', // the violation code, NULL when the message reports none
    borough: 'VARCHAR', // NULL outside every outline
    m96: 'BOOLEAN', // Manhattan at or below 96th Street
    time_suspect: 'BOOLEAN', // the storage writer's mark, on any stored copy
    copies: 'BIGINT', // stored copies of this id (the archive's raw copies, the hot table's item)
  },
  /** One row per alarm id (the alert system's `alarm.raised` records). */
  alarms: {
    id: 'VARCHAR',
    drone_id: 'VARCHAR',
    code: 'INTEGER',
    time: 'TIMESTAMP WITH TIME ZONE',
    raised_at: 'TIMESTAMP WITH TIME ZONE',
    borough: 'VARCHAR', // the alert system's borough; NULL for `unknown`
  },
  /** The operators' decisions (`alarm.resolved`), every one (the first per alarm is the time to act). */
  decisions: {
    alarm_id: 'VARCHAR',
    decision: 'VARCHAR',
    decided_at: 'TIMESTAMP WITH TIME ZONE',
  },
  /** NYPD ticket rows, accepted (`kr` 0) and rejected, as nypd/sql.ts documents them. */
  nypd_tickets: {
    src: 'INTEGER',
    summons: 'VARCHAR',
    kr: 'INTEGER',
    issue_date: 'DATE',
    code: 'INTEGER',
    tod: 'VARCHAR',
    county: 'VARCHAR',
    precinct: 'VARCHAR',
    street: 'VARCHAR',
    state: 'VARCHAR',
    plate_type: 'VARCHAR',
    make: 'VARCHAR',
    body: 'VARCHAR',
    color: 'VARCHAR',
    vyear: 'VARCHAR',
    plate: 'VARCHAR',
  },
  /** One row per dead letter: the actor that wrote it and its reason (the error's tag). */
  dead_letters: {
    actor: 'VARCHAR',
    reason: 'VARCHAR',
  },
} as const satisfies Record<string, Record<string, ColumnType>>;

export type RelationName = keyof typeof RELATIONS;
export type ColumnOf<R extends RelationName> = keyof (typeof RELATIONS)[R] & string;

/** A relation's column names, in declared order. @example columnsOf('decisions') // ['alarm_id', …] */
export const columnsOf = <R extends RelationName>(relation: R): ReadonlyArray<ColumnOf<R>> =>
  Object.keys(RELATIONS[relation]) as Array<ColumnOf<R>>;

/** Every column as `expression AS column`, in declared order: an engine must give each one. */
const select = <R extends RelationName>(
  relation: R,
  exprs: Readonly<Record<ColumnOf<R>, string>>,
): string =>
  columnsOf(relation)
    .map((c) => (exprs[c] === c ? c : `${exprs[c]} AS ${c}`))
    .join(', ');

// ---------------------------------------------------------------------------------------------------------------
// DuckDB

/**
 * DuckDB's definitions, over the loader's raw tables (drones/load.ts) and the ticket rows (engine/sources.ts;
 * undefined without NYPD input). Run after loading; replaces what a previous run defined.
 *
 * @example
 * await engine.run(duckdbRelations({ ticketRows }));
 */
export const duckdbRelations = (sources: {
  readonly ticketRows: string | undefined;
  readonly deadLetters?: ReadonlyArray<{ actor: string; reason: string; n: number }>;
}): string => {
  const same = <R extends RelationName>(r: R) =>
    Object.fromEntries(columnsOf(r).map((c) => [c, c])) as unknown as Record<ColumnOf<R>, string>;
  const letters = sources.deadLetters ?? [];
  return `
CREATE OR REPLACE TABLE drone_messages AS SELECT ${select('drone_messages', {
    ...same('drone_messages'),
    time: 'TRY_CAST(time AS TIMESTAMPTZ)',
    time_suspect: 'any_suspect',
  })} FROM (
  SELECT DISTINCT ON (id) *, bool_or(time_suspect) OVER w AS any_suspect, count(*) OVER w AS copies
  FROM drone_messages_raw WINDOW w AS (PARTITION BY id)
  ORDER BY id, time, drone_id, code, borough, m96, time_suspect);
CREATE OR REPLACE TABLE alarms AS SELECT ${select('alarms', {
    ...same('alarms'),
    time: 'TRY_CAST(time AS TIMESTAMPTZ)',
    raised_at: 'TRY_CAST(raised_at AS TIMESTAMPTZ)',
  })} FROM (SELECT DISTINCT ON (id) * FROM alarms_raw ORDER BY id, raised_at, time, drone_id, code, borough);
CREATE OR REPLACE VIEW decisions AS SELECT ${select('decisions', {
    ...same('decisions'),
    decided_at: 'TRY_CAST(decided_at AS TIMESTAMPTZ)',
  })} FROM resolutions_raw;
CREATE OR REPLACE VIEW nypd_tickets AS ${
    sources.ticketRows === undefined
      ? `SELECT ${columnsOf('nypd_tickets')
          .map((c) => `NULL::${RELATIONS.nypd_tickets[c]} AS ${c}`)
          .join(', ')} WHERE FALSE`
      : `SELECT ${select('nypd_tickets', same('nypd_tickets'))} FROM (${sources.ticketRows})`
  };
CREATE OR REPLACE TABLE dead_letters AS SELECT actor, reason FROM (VALUES ${[
    "('', '', 0)",
    ...letters.map((l) => `(${sqlText(l.actor)}, ${sqlText(l.reason)}, ${Math.trunc(l.n)})`),
  ].join(', ')}) AS t(actor, reason, n), range(n);`;
};

const sqlText = (s: string): string => `'${s.replace(/'/g, "''")}'`;

// ---------------------------------------------------------------------------------------------------------------
// Athena

/**
 * The Glue tables (Terraform's, over the archive's NDJSON lines and dead-letter objects) the Athena views read.
 * Column names are the JSON keys (Glue lower-cases them; SQL identifiers are case-insensitive).
 */
export const ATHENA_SOURCES = {
  drone_messages: 'archive_drone_message',
  alarms: 'archive_alarm_raised',
  decisions: 'archive_alarm_resolved',
  nypd_tickets: 'archive_nypd_ticket',
  dead_letters: 'dead_letter_objects',
} as const satisfies Record<RelationName, string>;

const iso = (c: string): string => `try(from_iso8601_timestamp(${c}))`;

/**
 * The `CREATE OR REPLACE VIEW` statements defining the relations in the Glue database, one per relation, in
 * {@link RELATIONS} order. Raw copies are merged by id (`row_number()`, the lowest copy by the same order as
 * DuckDB's `DISTINCT ON`); ticket rows are the archive's `nypd.ticket` lines, one per id (DuckDB keeps the copies
 * and corrects the breakdowns after its pass: engine/dedup.ts), as csv-to-stream decoded them before
 * they were archived: only the envelope is checked, as `archiveTicketSource` does on DuckDB). Dead letters are
 * read whole (Athena scans each object; DuckDB's tally reads the first 4 KiB of at most 1,000).
 *
 * @example
 * for (const [name, ddl] of athenaRelations()) await runner.run(ddl);
 */
export const athenaRelations = (): ReadonlyArray<readonly [RelationName, string]> => {
  const src = ATHENA_SOURCES;
  const message = `SELECT id, droneId AS drone_id, time AS time_text, violationCode AS code,
    location.lat AS lat, location.lon AS lon, coalesce(timeSuspect, FALSE) AS suspect FROM ${src.drone_messages}`;
  const placed = `SELECT *, ${boroughSql('lat', 'lon')} AS borough FROM (${message})`;
  const copies = `SELECT *, row_number() OVER (PARTITION BY id ORDER BY time_text, drone_id, code, borough) AS copy,
    count(*) OVER (PARTITION BY id) AS n, bool_or(suspect) OVER (PARTITION BY id) AS any_suspect FROM (${placed})`;
  const alarm = `SELECT id, droneId AS drone_id, violationCode AS code, time, raisedAt AS raised_at,
    CASE WHEN borough IS NULL THEN ${boroughSql('location.lat', 'location.lon')}
      WHEN borough = 'unknown' THEN NULL ELSE borough END AS borough,
    row_number() OVER (PARTITION BY id ORDER BY raisedAt, time, droneId, violationCode) AS copy
    FROM ${src.alarms}`;
  const text = (c: string) => `CAST(${c} AS VARCHAR)`;
  return [
    [
      'drone_messages',
      `CREATE OR REPLACE VIEW drone_messages AS SELECT ${select('drone_messages', {
        id: 'id',
        drone_id: 'drone_id',
        time: iso('time_text'),
        code: 'code',
        borough: 'borough',
        m96: manhattanBelow96thSql('borough', 'lat', 'lon'),
        time_suspect: 'any_suspect',
        copies: 'n',
      })} FROM (${copies}) WHERE copy = 1`,
    ],
    [
      'alarms',
      `CREATE OR REPLACE VIEW alarms AS SELECT ${select('alarms', {
        id: 'id',
        drone_id: 'drone_id',
        code: 'code',
        time: iso('time'),
        raised_at: iso('raised_at'),
        borough: 'borough',
      })} FROM (${alarm}) WHERE copy = 1`,
    ],
    [
      'decisions',
      `CREATE OR REPLACE VIEW decisions AS SELECT ${select('decisions', {
        alarm_id: 'alarmId',
        decision: 'decision',
        decided_at: iso('at'),
      })} FROM ${src.decisions}`,
    ],
    [
      'nypd_tickets',
      `CREATE OR REPLACE VIEW nypd_tickets AS SELECT ${select('nypd_tickets', {
        src: '0',
        summons: 'summonsNumber',
        kr: `CASE WHEN coalesce(type = 'nypd.ticket' AND v = 1 AND id = 'nypd:' || summonsNumber, FALSE) THEN 0 ELSE ${UNDECODABLE} END`,
        issue_date: `try(CAST(issueDate AS DATE))`,
        // A code outside 1–99 is left out of the ticket (csv-to-stream): "code outside 1-99", as on DuckDB.
        code: `CASE WHEN violationCode BETWEEN 1 AND 99 THEN violationCode END`,
        tod: 'violationTime',
        county: 'violationCounty',
        precinct: text('violationPrecinct'),
        street: `upper(streetName)`,
        state: 'registrationState',
        plate_type: 'plateType',
        make: 'vehicleMake',
        body: 'vehicleBodyType',
        color: 'vehicleColor',
        vyear: text('vehicleYear'),
        plate: 'plateId',
      })} FROM (SELECT *, row_number() OVER (PARTITION BY id ORDER BY sourceFile, sourceLine) AS copy
        FROM ${src.nypd_tickets}) t WHERE copy = 1`,
    ],
    [
      'dead_letters',
      `CREATE OR REPLACE VIEW dead_letters AS SELECT ${select('dead_letters', {
        actor: `coalesce(actor, 'unknown')`,
        reason: `coalesce(errorTag, 'unreadable')`,
      })} FROM ${src.dead_letters}`,
    ],
  ];
};
