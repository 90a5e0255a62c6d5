/**
 * The logical relations every statistic reads: `drone_messages`, `alarms`, `decisions`, `nypd_tickets` and
 * `dead_letters`, each column declared once. An engine defines them over what it reads:
 * - DuckDB (one machine): over the tables the loader fills from the archive cache and the hot tables
 *   (drones/load.ts: decoded with the protocol's codecs, placed with its outlines; a compacted hour's Parquet part,
 *   decoded and placed when it was compacted, is inserted into the same table) and over the NYPD CSV files and the
 *   archive's tickets, NDJSON or Parquet for compacted hours (engine/sources.ts). Deduplicated relations are materialised once (every statistic reads them); the ticket
 *   rows stay a view, so the CSV is streamed, never loaded.
 * - Athena: views over the Glue tables of the archive ({@link GLUE_TABLES}, which Terraform creates from the
 *   generated analysis/athena/glue-tables.json), Parquet for an hour with a compaction marker and NDJSON for the
 *   others ({@link ATHENA_SOURCES}); the text is generated into analysis/athena/views/*.sql, which the runner runs
 *   before the statistics and Terraform offers as named queries: the same columns, deduplicated by id the same
 *   way, the same placement in SQL (sql/place.ts).
 *
 * This is the one module to point elsewhere (Parquet for compacted hours, another Glue table): statistics only
 * name relations and columns.
 */
import { COMPACTED_TYPES, hiveType } from './archive/schema.ts';
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
  /**
   * The operators' decisions (`alarm.resolved`), one row per decision id (raw copies and the same decision in the
   * archive and the console's table merged); every decision of an alarm (the first is the time to act).
   */
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
  })} FROM (${leastById('drone_messages_raw', ['time', 'drone_id', 'code', 'borough', 'm96'], {
    any_suspect: ['bool_or(time_suspect)', 'time_suspect'],
    copies: ['count(*)', '1'],
  })});
CREATE OR REPLACE TABLE alarms AS SELECT ${select('alarms', {
    ...same('alarms'),
    time: 'TRY_CAST(time AS TIMESTAMPTZ)',
    raised_at: 'TRY_CAST(raised_at AS TIMESTAMPTZ)',
  })} FROM (${leastById('alarms_raw', ['raised_at', 'time', 'drone_id', 'code', 'borough'])});
CREATE OR REPLACE TABLE decisions AS SELECT ${select('decisions', {
    ...same('decisions'),
    decided_at: 'TRY_CAST(decided_at AS TIMESTAMPTZ)',
  })} FROM (${leastById('resolutions_raw', ['decided_at', 'alarm_id', 'decision'])});
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

/**
 * One row per id of a raw table: `id`, the columns of `order` from its least copy in that order (NULLs last, as
 * `ORDER BY` sorts them) and the columns of `more`, each an aggregate over an id's copies and its value for an id
 * stored once. Copies are rare (a redelivery, an id in the archive and the hot table), so the ids stored more
 * than once are found first (a hash aggregate of the ids alone) and every other row passes as it is (an anti
 * join); only the copies are merged, by one aggregate keeping the least copy as a struct. `DISTINCT ON (id) …
 * ORDER BY` over every row held a sort key of the whole order per column and per id, joined the raw rows back for
 * the window aggregates and sorted the result: over 1 M messages it ran out of the 600 MB bound, and it was most
 * of the report's time on Parquet.
 */
const leastById = (
  raw: string,
  order: ReadonlyArray<string>,
  more: Readonly<Record<string, readonly [merged: string, alone: string]>> = {},
): string => {
  const extra = Object.entries(more);
  const merged = [
    `min({${order.map((c) => `'${c}': ${c}`).join(', ')}}) AS least_copy`,
    ...extra.map(([c, [e]]) => `${e} AS ${c}`),
  ];
  const alone = ['id', ...order, ...extra.map(([c, [, e]]) => `${e} AS ${c}`)];
  const copied = `SELECT id FROM ${raw} GROUP BY id HAVING count(*) > 1`;
  return `WITH copied AS MATERIALIZED (${copied})
  SELECT ${alone.join(', ')} FROM ${raw} r ANTI JOIN copied c ON r.id IS NOT DISTINCT FROM c.id
  UNION ALL SELECT id, least_copy.*${extra.map(([c]) => `, ${c}`).join('')} FROM (
    SELECT id, ${merged.join(', ')}
    FROM (SELECT * FROM ${raw} r SEMI JOIN copied c ON r.id IS NOT DISTINCT FROM c.id) GROUP BY id)`;
};

const sqlText = (s: string): string => `'${s.replace(/'/g, "''")}'`;

// ---------------------------------------------------------------------------------------------------------------
// Athena

/** A Glue column: the archive's JSON key (Athena lowercases it: the SQL below spells it lowercase) and Hive type. */
type GlueColumn = readonly [name: string, type: string];

/** The archive's `drone.message` lines: actors/protocol/drone-message.ts, plus what stream-to-storage adds. */
const DRONE_MESSAGE_COLUMNS: ReadonlyArray<GlueColumn> = [
  ['v', 'int'], ['id', 'string'], ['droneId', 'string'], ['seq', 'bigint'], ['time', 'string'],
  ['location', 'struct<lat:double,lon:double>'], ['violationCode', 'int'], ['violationImageId', 'string'],
  ['address', 'string'], ['timeSuspect', 'boolean'], ['clockOffMs', 'bigint'], ['ingestedAt', 'string'],
]; // prettier-ignore

/** The archive's `nypd.ticket` lines: actors/protocol/nypd-ticket.ts. */
const NYPD_TICKET_COLUMNS: ReadonlyArray<GlueColumn> = [
  ['v', 'int'], ['id', 'string'], ['summonsNumber', 'string'], ['issuedAt', 'string'], ['issueDate', 'string'],
  ['violationCode', 'int'], ['violationDescription', 'string'], ['plateId', 'string'],
  ['registrationState', 'string'], ['plateType', 'string'], ['vehicleMake', 'string'],
  ['vehicleBodyType', 'string'], ['vehicleColor', 'string'], ['vehicleYear', 'int'], ['violationCounty', 'string'],
  ['borough', 'string'], ['violationPrecinct', 'int'], ['issuerPrecinct', 'int'], ['streetName', 'string'],
  ['houseNumber', 'string'], ['intersectingStreet', 'string'], ['issuingAgency', 'string'],
  ['lawSection', 'int'], ['subDivision', 'string'], ['violationTime', 'string'], ['sourceFile', 'string'],
  ['sourceLine', 'bigint'],
]; // prettier-ignore

/**
 * The alarm topic's three events in one table (actors/protocol/alarm.ts), each line filling its own event's
 * columns: alarm.raised messageId … clockOffMs; alarm.escalated alarmId, level … by; alarm.resolved alarmId,
 * decision, by, at, note.
 */
const ALARM_EVENT_COLUMNS: ReadonlyArray<GlueColumn> = [
  ['v', 'int'], ['id', 'string'], ['messageId', 'string'], ['droneId', 'string'], ['violationCode', 'int'],
  ['violationImageId', 'string'], ['location', 'struct<lat:double,lon:double>'], ['time', 'string'],
  ['raisedAt', 'string'], ['borough', 'string'], ['address', 'string'], ['messageHash', 'string'],
  ['conflict', 'boolean'], ['clockOffMs', 'bigint'], ['alarmId', 'string'], ['level', 'int'],
  ['reason', 'string'], ['afterMs', 'bigint'], ['escalatedAt', 'string'], ['by', 'string'],
  ['decision', 'string'], ['at', 'string'], ['note', 'string'],
]; // prettier-ignore

/** A dead letter (runtime/dead-letter.ts), one JSON object per file. */
const DEAD_LETTER_COLUMNS: ReadonlyArray<GlueColumn> = [
  ['type', 'string'], ['v', 'int'], ['id', 'string'], ['actor', 'string'], ['errorTag', 'string'],
  ['reasons', 'array<string>'], ['rawBase64', 'string'], ['attempts', 'int'], ['at', 'string'],
  ['source', 'struct<stream:string,shardId:string,sequence:string,subSequence:bigint,file:string,line:bigint>'],
]; // prettier-ignore

/** A Glue table over one prefix of the archive bucket; its partitions are projected from the key (Terraform). */
export interface GlueTable {
  /** The key prefix: `archive`, `archive-parquet`, `archive-compacted`, `dead-letter`. */
  readonly prefix: string;
  readonly format: 'json' | 'parquet';
  /** Partition columns, in key order (all strings, as written in the key). */
  readonly partitions: ReadonlyArray<string>;
  /** The archive `type`s the table projects (none for dead letters: Terraform lists their actors). */
  readonly types: ReadonlyArray<string>;
  readonly columns: ReadonlyArray<GlueColumn>;
  readonly description: string;
}

const HOURLY = ['type', 'day', 'hour'] as const;

/**
 * The Glue columns of a compacted type's Parquet: analysis/archive/schema.ts's columns (already lowercase), Hive
 * types, less the partition `type` (a Glue column may not repeat a partition key; the key gives the same value).
 */
const parquetColumns = (type: string): ReadonlyArray<GlueColumn> => {
  const spec = COMPACTED_TYPES.get(type);
  if (spec === undefined) throw new RangeError(`${type} is not compacted`);
  return spec.columns
    .filter((c) => !(HOURLY as ReadonlyArray<string>).includes(c.name))
    .map((c) => [c.name, hiveType(c)] as const);
};

/**
 * The hourly relations: which archive records they read, from `<base>_ndjson` (`columns`) and `<base>_parquet`
 * (`parquet`: the compaction's columns, or the NDJSON's for a type never compacted, whose Parquet table stays
 * empty). `read`: the columns the views read from either side, in the types they read them (the partition `type`
 * included); a side's column of that name is read as it is, cast when its type differs (the Parquet tickets' text
 * cells); one it lacks is an expression of its own columns in `derived` (never a silent NULL).
 */
const HOURLY_SOURCES: Readonly<
  Record<
    'drone_messages' | 'nypd_tickets' | 'alarm_events',
    {
      readonly types: ReadonlyArray<string>;
      readonly columns: ReadonlyArray<GlueColumn>;
      readonly parquet: ReadonlyArray<GlueColumn>;
      readonly read: ReadonlyArray<GlueColumn>;
      readonly derived?: {
        readonly ndjson?: Readonly<Record<string, string>>;
        readonly parquet?: Readonly<Record<string, string>>;
      };
    }
  >
> = {
  drone_messages: {
    types: ['drone.message'],
    columns: DRONE_MESSAGE_COLUMNS,
    parquet: parquetColumns('drone.message'),
    // `placed`: the row carries the place the compaction derived (borough, m96); NDJSON rows are placed in SQL.
    read: [
      ['type', 'string'], ['id', 'string'], ['droneid', 'string'], ['time', 'string'], ['violationcode', 'int'],
      ['lat', 'double'], ['lon', 'double'], ['timesuspect', 'boolean'], ['borough', 'string'], ['m96', 'boolean'],
      ['placed', 'boolean'],
    ], // prettier-ignore
    derived: {
      ndjson: {
        lat: '%."location".lat',
        lon: '%."location".lon',
        borough: 'CAST(NULL AS varchar)',
        m96: 'CAST(NULL AS boolean)',
        placed: 'FALSE',
      },
      parquet: { placed: 'TRUE' },
    },
  },
  nypd_tickets: {
    types: ['nypd.ticket'],
    columns: NYPD_TICKET_COLUMNS,
    parquet: parquetColumns('nypd.ticket'),
    read: [['type', 'string'], ...NYPD_TICKET_COLUMNS],
  },
  // One Parquet column set for the three events (analysis/archive/schema.ts), the position flat as for messages.
  alarm_events: {
    types: ['alarm.raised', 'alarm.escalated', 'alarm.resolved'],
    columns: ALARM_EVENT_COLUMNS,
    parquet: parquetColumns('alarm.raised'),
    read: [
      ['type', 'string'],
      ...ALARM_EVENT_COLUMNS.filter(([c]) => c !== 'location'),
      ['lat', 'double'],
      ['lon', 'double'],
    ],
    derived: { ndjson: { lat: '%."location".lat', lon: '%."location".lon' } },
  },
};
type HourlyBase = keyof typeof HOURLY_SOURCES;

/** The compaction markers' table: one row per compacted hour (archive-parquet writes it after the hour's Parquet). */
export const MARKERS = 'compaction_markers';

/**
 * Every Glue table over the archive, by name: for each hourly source its gzip NDJSON batches (`archive/`) and
 * their Parquet compaction (`archive-parquet/`, the compaction's own columns: analysis/archive/schema.ts), the compaction markers (`archive-compacted/`) and
 * the dead letters (`dead-letter/`). Declared here once: `npm run gen:athena-sql` writes them to
 * analysis/athena/glue-tables.json, from which Terraform (modules/analytics) creates them.
 */
export const GLUE_TABLES: Readonly<Record<string, GlueTable>> = {
  ...Object.fromEntries(
    (
      Object.entries(HOURLY_SOURCES) as Array<[HourlyBase, (typeof HOURLY_SOURCES)[HourlyBase]]>
    ).flatMap(([base, s]): Array<[string, GlueTable]> => [
      [
        `${base}_ndjson`,
        {
          prefix: 'archive',
          format: 'json',
          partitions: HOURLY,
          types: s.types,
          columns: s.columns,
          description: `The archive's gzip NDJSON batches of ${s.types.join(', ')}; an hour with a compaction marker is read from ${base}_parquet instead (the views do).`,
        },
      ],
      [
        `${base}_parquet`,
        {
          prefix: 'archive-parquet',
          format: 'parquet',
          partitions: HOURLY,
          types: s.types,
          columns: s.parquet,
          description: `The Parquet compaction of ${s.types.join(', ')}, deduplicated by id; an hour counts only with its marker (${MARKERS}; the views do).`,
        },
      ],
    ]),
  ),
  [MARKERS]: {
    prefix: 'archive-compacted',
    format: 'json',
    partitions: HOURLY,
    types: Object.values(HOURLY_SOURCES).flatMap((s) => s.types),
    columns: [
      ['rows', 'bigint'],
      ['sourceObjects', 'bigint'],
      ['compactedAt', 'string'],
    ],
    description:
      'One row per compacted hour, written after its Parquet: the hour is read from Parquet, not NDJSON.',
  },
  dead_letter_objects: {
    prefix: 'dead-letter',
    format: 'json',
    partitions: ['actor_key', 'day'],
    types: [],
    columns: DEAD_LETTER_COLUMNS,
    description:
      "Every dead letter, partitioned by the key's actor (actor_key: '/' as '.') and day (the view dead_letters reads it).",
  },
};

/**
 * Where each relation's Athena view reads: an hourly source (Parquet for marked hours, NDJSON for the others) and
 * the archive `type` it keeps, or one table.
 */
export const ATHENA_SOURCES = {
  drone_messages: { hourly: 'drone_messages', type: 'drone.message' },
  alarms: { hourly: 'alarm_events', type: 'alarm.raised' },
  decisions: { hourly: 'alarm_events', type: 'alarm.resolved' },
  nypd_tickets: { hourly: 'nypd_tickets', type: 'nypd.ticket' },
  dead_letters: { table: 'dead_letter_objects' },
} as const satisfies Record<RelationName, { hourly: HourlyBase; type: string } | { table: string }>;

/** Hive types as Athena's SQL spells them in a `CAST`. */
const sqlType = (hive: string): string => (hive === 'string' ? 'varchar' : hive);

/**
 * The rows of one archive `type` of an hourly source, the source's `read` columns (lowercase, `type` included):
 * NDJSON (alias `n`) for an hour without a compaction marker, Parquet (alias `p`) for an hour with one, never both.
 * A compaction killed before its marker leaves Parquet nobody reads; the marker written last makes the hour switch.
 * The marker's existence is all SQL can check (Athena cannot list an hour's objects without reading them): the
 * runner checks that each marker still covers its hour's objects before any query (athena/command.ts).
 */
const hourly = (base: HourlyBase, type: string): string => {
  const source = HOURLY_SOURCES[base];
  const side = (alias: string, table: string, own: ReadonlyArray<GlueColumn>, derived = {}) => {
    const has = new Map<string, string>([
      ...HOURLY.map((p) => [p, 'string'] as const),
      ...own.map(([c, t]) => [c.toLowerCase(), t] as const),
    ]);
    const columns = source.read.map(([name, t]) => {
      const c = name.toLowerCase();
      const expr = (derived as Readonly<Record<string, string>>)[c];
      if (expr !== undefined) return `${expr.replaceAll('%', alias)} AS ${c}`;
      const got = has.get(c);
      if (got === undefined) throw new RangeError(`${table} has no column ${c} and derives none`);
      return got === t
        ? `${alias}."${c}"`
        : got === 'string'
          ? `try(CAST(${alias}."${c}" AS ${sqlType(t)})) AS ${c}`
          : `CAST(${alias}."${c}" AS ${sqlType(t)}) AS ${c}`;
    });
    const marked = `EXISTS (SELECT 1 FROM ${MARKERS} AS m WHERE m."type" = ${alias}."type" AND m."day" = ${alias}."day" AND m."hour" = ${alias}."hour")`;
    return `SELECT ${columns.join(', ')} FROM ${table} AS ${alias} WHERE ${alias}."type" = '${type}' AND ${alias === 'n' ? 'NOT ' : ''}${marked}`;
  };
  return `${side('n', `${base}_ndjson`, source.columns, source.derived?.ndjson)}
    UNION ALL ${side('p', `${base}_parquet`, source.parquet, source.derived?.parquet)}`;
};

const iso = (c: string): string => `try(from_iso8601_timestamp(${c}))`;

/**
 * The `CREATE OR REPLACE VIEW` statements defining the relations in the Glue database, one per relation, in
 * {@link RELATIONS} order, over {@link ATHENA_SOURCES}. Raw copies are merged by id (`row_number()`, the lowest
 * copy by the same order as DuckDB's `leastById`); ticket rows are the archive's `nypd.ticket` lines, one per id
 * (DuckDB keeps the copies and corrects the breakdowns after its pass: engine/dedup.ts), as csv-to-stream decoded
 * them before they were archived: only the envelope is checked, as `archiveTicketSource` does on DuckDB). Dead
 * letters are read whole (Athena scans each object; DuckDB's tally reads the first 4 KiB of at most 1,000).
 * Columns are spelled as Athena names them: the JSON key lowercased (`droneid`).
 *
 * @example
 * for (const [name, ddl] of athenaRelations()) await runner.run(ddl);
 */
export const athenaRelations = (): ReadonlyArray<readonly [RelationName, string]> => {
  const from = (r: Exclude<RelationName, 'dead_letters'>) =>
    hourly(ATHENA_SOURCES[r].hourly, ATHENA_SOURCES[r].type);
  const message = `SELECT id, droneid AS drone_id, time AS time_text, violationcode AS code, lat, lon,
    coalesce(timesuspect, FALSE) AS suspect, placed, borough AS placed_borough, m96 AS placed_m96
    FROM (${from('drone_messages')})`;
  // A compacted row carries its place (analysis/archive/schema.ts, the protocol's outlines); the others are placed here.
  const placed = `SELECT *, CASE WHEN placed THEN placed_borough ELSE ${boroughSql('lat', 'lon')} END AS borough
    FROM (${message})`;
  const copies = `SELECT *, row_number() OVER (PARTITION BY id ORDER BY time_text, drone_id, code, borough) AS copy,
    count(*) OVER (PARTITION BY id) AS n, bool_or(suspect) OVER (PARTITION BY id) AS any_suspect FROM (${placed})`;
  const alarm = `SELECT id, droneid AS drone_id, violationcode AS code, time, raisedat AS raised_at,
    CASE WHEN borough IS NULL THEN ${boroughSql('lat', 'lon')}
      WHEN borough = 'unknown' THEN NULL ELSE borough END AS borough,
    row_number() OVER (PARTITION BY id ORDER BY raisedat, time, droneid, violationcode) AS copy
    FROM (${from('alarms')})`;
  const text = (c: string) => `CAST(${c} AS VARCHAR)`;
  const view = <R extends RelationName>(
    name: R,
    exprs: Readonly<Record<ColumnOf<R>, string>>,
    source: string,
  ): readonly [RelationName, string] => [
    name,
    `CREATE OR REPLACE VIEW ${name} AS SELECT ${select(name, exprs)} FROM ${source}`,
  ];
  return [
    view(
      'drone_messages',
      {
        id: 'id',
        drone_id: 'drone_id',
        time: iso('time_text'),
        code: 'code',
        borough: 'borough',
        m96: `CASE WHEN placed THEN coalesce(placed_m96, FALSE) ELSE ${manhattanBelow96thSql('borough', 'lat', 'lon')} END`,
        time_suspect: 'any_suspect',
        copies: 'n',
      },
      `(${copies}) WHERE copy = 1`,
    ),
    view(
      'alarms',
      {
        id: 'id',
        drone_id: 'drone_id',
        code: 'code',
        time: iso('time'),
        raised_at: iso('raised_at'),
        borough: 'borough',
      },
      `(${alarm}) WHERE copy = 1`,
    ),
    view(
      'decisions',
      {
        alarm_id: 'alarmid',
        decision: 'decision',
        decided_at: iso('"at"'), // quoted: AT is a keyword (AT TIME ZONE)
      },
      `(SELECT *, row_number() OVER (PARTITION BY id ORDER BY "at") AS copy
        FROM (${from('decisions')})) d WHERE copy = 1`,
    ),
    view(
      'nypd_tickets',
      {
        src: '0',
        summons: 'summonsnumber',
        kr: `CASE WHEN coalesce(type = 'nypd.ticket' AND v = 1 AND id = 'nypd:' || summonsnumber, FALSE) THEN 0 ELSE ${UNDECODABLE} END`,
        issue_date: `try(CAST(issuedate AS DATE))`,
        // A code outside 1–99 is left out of the ticket (csv-to-stream): "code outside 1-99", as on DuckDB.
        code: `CASE WHEN violationcode BETWEEN 1 AND 99 THEN violationcode END`,
        tod: 'violationtime',
        county: 'violationcounty',
        precinct: text('violationprecinct'),
        street: `upper(streetname)`,
        state: 'registrationstate',
        plate_type: 'platetype',
        make: 'vehiclemake',
        body: 'vehiclebodytype',
        color: 'vehiclecolor',
        vyear: text('vehicleyear'),
        plate: 'plateid',
      },
      `(SELECT *, row_number() OVER (PARTITION BY id ORDER BY sourcefile, sourceline) AS copy
        FROM (${from('nypd_tickets')})) t WHERE copy = 1`,
    ),
    view(
      'dead_letters',
      {
        actor: `coalesce(actor, 'unknown')`,
        reason: `coalesce(errortag, 'unreadable')`,
      },
      ATHENA_SOURCES.dead_letters.table,
    ),
  ];
};

/**
 * {@link GLUE_TABLES} as Terraform reads it (analysis/athena/glue-tables.json): columns named as Athena names
 * them (lowercase), partitions and the types each table projects.
 */
export const glueTablesJson = (): string =>
  `${JSON.stringify(
    Object.fromEntries(
      Object.entries(GLUE_TABLES).map(([name, t]) => [
        name,
        { ...t, columns: t.columns.map(([c, type]) => ({ name: c.toLowerCase(), type })) },
      ]),
    ),
    null,
    2,
  )}\n`;
