/**
 * The Athena views against the Glue tables, without an account: DuckDB stands in for Athena, with one table per
 * entry of the committed glue-tables.json (the file Terraform creates the Glue tables from: its columns and
 * partitions, Hive types as DuckDB's) and the committed views/*.sql (the text the runner runs and Terraform's
 * named queries hold). A view naming a column no table has fails to bind here; the Parquet-for-marked-hours rule
 * is run on rows; the Parquet the compaction writes (analysis/archive: its schema and writer) is the Parquet table's,
 * column for column, and the views give the same relations from it as from the NDJSON it was compacted from.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { archivedTicket } from '../../test/helpers/messages.ts';
import { appendRow, stage, writeStaged } from '../archive/compact.ts';
import { COMPACTED_TYPES } from '../archive/schema.ts';
import { createEngine, type Engine, sqlString } from '../engine/duckdb.ts';
import { RELATIONS } from '../relations.ts';
import { ATHENA_DIR, GLUE_TABLES_FILE } from './generate.ts';

interface TableFile {
  readonly partitions: ReadonlyArray<string>;
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string }>;
}
const tables = (): Record<string, TableFile> =>
  JSON.parse(readFileSync(join(ATHENA_DIR, GLUE_TABLES_FILE), 'utf8')) as Record<string, TableFile>;
const views = (): ReadonlyArray<readonly [string, string]> =>
  readdirSync(join(ATHENA_DIR, 'views'))
    .filter((f) => f.endsWith('.sql'))
    .map((f) => [f.slice(0, -4), readFileSync(join(ATHENA_DIR, 'views', f), 'utf8')] as const);

/** Splits `a:int,b:struct<c:int,d:int>` at its top-level commas. */
const topLevel = (s: string): string[] => {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '<') depth++;
    else if (s[i] === '>') depth--;
    else if (s[i] === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  return [...parts, s.slice(start)];
};

const SCALARS: Readonly<Record<string, string>> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
};

/** A Hive (Glue) type as DuckDB spells it. @example duckType('array<string>') // 'VARCHAR[]' */
const duckType = (t: string): string => {
  const struct = /^struct<(.*)>$/.exec(t);
  if (struct)
    return `STRUCT(${topLevel(struct[1]!)
      .map((f) => `"${f.slice(0, f.indexOf(':'))}" ${duckType(f.slice(f.indexOf(':') + 1))}`)
      .join(', ')})`;
  const array = /^array<(.*)>$/.exec(t);
  if (array) return `${duckType(array[1]!)}[]`;
  const decimal = /^decimal\((\d+),(\d+)\)$/.exec(t);
  if (decimal) return `DECIMAL(${decimal[1]},${decimal[2]})`;
  const scalar = SCALARS[t];
  if (scalar === undefined) throw new Error(`no DuckDB type for the Glue type ${t}`);
  return scalar;
};

/** The Glue tables as DuckDB tables, Athena's functions the views call that DuckDB lacks, then the views. */
const athenaOnDuckdb = async (engine: Engine, glue: Record<string, TableFile>): Promise<void> => {
  await engine.run(
    `CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ);
    ${Object.entries(glue)
      .map(
        ([name, t]) =>
          `CREATE TABLE ${name} (${[
            ...t.partitions.map((p) => `"${p}" VARCHAR`),
            ...t.columns.map((c) => `"${c.name}" ${duckType(c.type)}`),
          ].join(', ')});`,
      )
      .join('\n')}`,
  );
  for (const [name, sql] of views()) {
    try {
      await engine.run(sql);
      await engine.all(`SELECT * FROM ${name} LIMIT 0`);
    } catch (e) {
      throw new Error(
        `the view ${name} does not run over the Glue tables: ${(e as Error).message}`,
      );
    }
  }
};

describe('Analysis > Athena views over the Glue tables', function () {
  this.timeout(60_000);
  let dir: string;
  let engine: Engine;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'athena-views-'));
    engine = await createEngine({ workDir: dir });
  });
  afterEach(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("every view reads only columns the Glue tables have, and gives its relation's columns", async () => {
    await athenaOnDuckdb(engine, tables());
    assert.deepEqual(
      views()
        .map(([name]) => name)
        .sort(),
      Object.keys(RELATIONS).sort(),
    );
    for (const [name, columns] of Object.entries(RELATIONS)) {
      const rows = await engine.all(`SELECT column_name FROM (DESCRIBE ${name})`);
      assert.deepEqual(
        rows.map((r) => r.column_name),
        Object.keys(columns),
        name,
      );
    }
  });

  it('a view naming a column the tables lack fails the check', async () => {
    const glue = tables();
    const drones = glue.drone_messages_parquet!;
    glue.drone_messages_parquet = {
      ...drones,
      columns: drones.columns.filter((c) => c.name !== 'droneid'),
    };
    await assert.rejects(athenaOnDuckdb(engine, glue), /the view drone_messages does not run/);
  });

  it('reads Parquet for an hour with a compaction marker and NDJSON for the others, never both', async () => {
    await athenaOnDuckdb(engine, tables());
    const msg = (id: string, day: string, hour: string) =>
      `('drone.message', '${day}', '${hour}', '${id}', 'drone-1', '2026-01-31T${hour}:00:00Z', 7)`;
    const insert = (table: string, rows: string[]) =>
      `INSERT INTO ${table} ("type", "day", "hour", "id", "droneid", "time", "violationcode") VALUES ${rows.join(', ')};`;
    await engine.run(`
      ${insert('drone_messages_ndjson', [
        msg('a', '2026-01-31', '07'),
        msg('a', '2026-01-31', '07'), // a raw copy, gone in the compaction
        msg('b', '2026-01-31', '07'),
        msg('c', '2026-01-31', '08'),
        msg('e', '2026-02-01', '07'), // the same hour of another day: not marked
      ])}
      ${insert('drone_messages_parquet', [
        msg('a', '2026-01-31', '07'),
        msg('b', '2026-01-31', '07'),
        msg('d', '2026-01-31', '09'), // Parquet without its marker (compaction killed): not read
      ])}
      INSERT INTO compaction_markers ("type", "day", "hour", "rows") VALUES
        ('drone.message', '2026-01-31', '07', 2), ('nypd.ticket', '2026-01-31', '08', 0);
      INSERT INTO alarm_events_ndjson ("type", "day", "hour", "id", "alarmid", "decision", "at") VALUES
        ('alarm.resolved', '2026-01-31', '07', 'r1', 'a1', 'ticket', '2026-01-31T07:05:00Z'),
        ('alarm.raised', '2026-01-31', '07', 'a1', NULL, NULL, NULL);`);
    const rows = await engine.all(
      'SELECT id, CAST(copies AS INTEGER) AS copies FROM drone_messages ORDER BY id',
    );
    assert.deepEqual(rows, [
      { id: 'a', copies: 1 },
      { id: 'b', copies: 1 },
      { id: 'c', copies: 1 },
      { id: 'e', copies: 1 },
    ]);
    assert.deepEqual(await engine.all('SELECT alarm_id, decision FROM decisions'), [
      { alarm_id: 'a1', decision: 'ticket' },
    ]);
  });

  describe('the Parquet the compaction writes', () => {
    const HOUR = { day: '2026-01-31', hour: '07' };
    const message = (
      seq: number,
      lat: number,
      lon: number,
      extra: Record<string, unknown> = {},
    ) => ({
      type: 'drone.message',
      v: 1,
      id: `drone-0001:${seq}`,
      droneId: 'drone-0001',
      seq,
      time: `2026-01-31T07:00:${String(seq).padStart(2, '0')}.000Z`,
      location: { lat, lon },
      ingestedAt: '2026-01-31T07:30:00.000Z',
      ...extra,
    });
    const ticket = (summons: string, extra: Record<string, unknown> = {}) =>
      archivedTicket(summons, {
        violationPrecinct: 14,
        vehicleYear: 2011,
        streetName: 'Broadway',
        sourceFile: 'tickets.csv',
        sourceLine: 2,
        ...extra,
      });
    const alarm = (n: number, lat: number, lon: number, extra: Record<string, unknown> = {}) => ({
      type: 'alarm.raised',
      v: 1,
      id: `drone-0001:${n}`,
      messageId: `drone-0001:${n}`,
      droneId: 'drone-0001',
      violationCode: 21,
      violationImageId: `img-${n}`,
      location: { lat, lon },
      time: `2026-01-31T07:00:0${n}.000Z`,
      raisedAt: `2026-01-31T07:00:1${n}.000Z`,
      ...extra,
    });
    const decision = (n: number, decision: string, at: string) => ({
      type: 'alarm.resolved',
      v: 1,
      id: `drone-0001:${n}:${decision}`,
      alarmId: `drone-0001:${n}`,
      decision,
      by: 'op-7',
      at,
    });
    const RECORDS: Readonly<Record<string, { table: string; view: string; lines: unknown[] }>> = {
      'drone.message': {
        table: 'drone_messages',
        view: 'drone_messages',
        lines: [
          message(1, 40.758, -73.9855, { violationCode: 21, violationImageId: 'img-1' }), // Midtown: m96
          message(2, 40.8116, -73.9465), // Harlem: Manhattan, not m96
          message(3, 40.6782, -73.9442, { timeSuspect: true, clockOffMs: -90_000_000 }), // Brooklyn
          message(4, 41.5, -72.5), // outside every outline
        ],
      },
      'nypd.ticket': {
        table: 'nypd_tickets',
        view: 'nypd_tickets',
        lines: [
          ticket('1001'),
          ticket('1002', { violationCode: undefined, streetName: 'w 42nd st' }), // no code
          ticket('1003', { registrationState: 'NJ', plateId: 'ABC123', vehicleMake: 'FORD' }),
        ],
      },
      'alarm.raised': {
        table: 'alarm_events',
        view: 'alarms',
        lines: [
          alarm(1, 40.758, -73.9855, { borough: 'Manhattan', address: '1 Times Sq' }),
          alarm(2, 40.6782, -73.9442), // raised before the borough was always named: placed
          alarm(3, 41.5, -72.5, { borough: 'unknown', clockOffMs: -90_000_000 }), // no borough
        ],
      },
      'alarm.resolved': {
        table: 'alarm_events',
        view: 'decisions',
        lines: [
          decision(1, 'acknowledged', '2026-01-31T07:01:00.000Z'),
          decision(1, 'confirmed', '2026-01-31T07:02:00.000Z'),
          { ...decision(2, 'dismissed', '2026-01-31T07:03:00.000Z'), note: 'a shadow' },
        ],
      },
    };

    /** The lines as the compaction writes them: its schema's rows, its staging and its Parquet writer. */
    const compacted = async (type: string, lines: ReadonlyArray<unknown>): Promise<string> => {
      const spec = COMPACTED_TYPES.get(type)!;
      const file = join(dir, `${type}.parquet`);
      const appender = await stage(engine, spec);
      for (const line of lines) {
        const row = spec.row(line);
        if (row === undefined) throw new Error(`not a ${type}: ${JSON.stringify(line)}`);
        appendRow(appender, spec, row);
      }
      appender.closeSync();
      await writeStaged(engine, spec, file);
      return file;
    };

    /** The lines into an NDJSON Glue table, each column the JSON key of its (lowercase) name, as Athena's SerDe reads. */
    const insertNdjson = async (table: string, lines: ReadonlyArray<unknown>): Promise<void> => {
      const columns = tables()[table]!.columns;
      const rows = lines.map((line) => {
        const o = line as Record<string, unknown>;
        const cells = columns.map((c) => {
          const key = Object.keys(o).find((k) => k.toLowerCase() === c.name);
          const json = sqlString(JSON.stringify(key === undefined ? null : (o[key] ?? null)));
          return c.type === 'string'
            ? `json_extract_string(${json}, '$')`
            : `CAST(${json}::JSON AS ${duckType(c.type)})`;
        });
        return `(${sqlString(String(o.type))}, '${HOUR.day}', '${HOUR.hour}', ${cells.join(', ')})`;
      });
      await engine.run(`INSERT INTO ${table} VALUES ${rows.join(', ')}`);
    };

    for (const [type, r] of Object.entries(RECORDS)) {
      it(`${type}: its columns are the Glue table ${r.table}_parquet's (names and types, in order), less the partition`, async () => {
        const file = await compacted(type, r.lines);
        const written = await engine.all(
          `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlString(file)}))`,
        );
        const glue = tables()[`${r.table}_parquet`]!;
        assert.deepEqual(
          written
            .filter((c) => !glue.partitions.includes(String(c.column_name)))
            .map((c) => `${String(c.column_name)} ${String(c.column_type)}`),
          glue.columns.map((c) => `${c.name} ${duckType(c.type)}`),
        );
      });

      it(`${type}: the view ${r.view} gives the same rows from its Parquet as from its NDJSON`, async () => {
        await athenaOnDuckdb(engine, tables());
        await insertNdjson(`${r.table}_ndjson`, r.lines);
        const view = `SELECT * FROM ${r.view} ORDER BY ALL`;
        const fromNdjson = await engine.all(view);
        const file = await compacted(type, r.lines);
        await engine.run(`
          INSERT INTO ${r.table}_parquet BY NAME
            SELECT * EXCLUDE ("type"), '${type}' AS "type", '${HOUR.day}' AS "day", '${HOUR.hour}' AS "hour"
            FROM read_parquet(${sqlString(file)});
          INSERT INTO compaction_markers ("type", "day", "hour", "rows") VALUES ('${type}', '${HOUR.day}', '${HOUR.hour}', ${r.lines.length});`);
        const fromParquet = await engine.all(view);
        assert.equal(fromNdjson.length, r.lines.length);
        assert.deepEqual(fromParquet, fromNdjson);
      });
    }

    it('the drone rows carry their place either way (borough, m96, the suspect mark)', async () => {
      await athenaOnDuckdb(engine, tables());
      const file = await compacted('drone.message', RECORDS['drone.message']!.lines);
      await engine.run(`
        INSERT INTO drone_messages_parquet BY NAME
          SELECT * EXCLUDE ("type"), 'drone.message' AS "type", '${HOUR.day}' AS "day", '${HOUR.hour}' AS "hour"
          FROM read_parquet(${sqlString(file)});
        INSERT INTO compaction_markers ("type", "day", "hour", "rows") VALUES ('drone.message', '${HOUR.day}', '${HOUR.hour}', 4);`);
      assert.deepEqual(
        await engine.all(
          'SELECT id, code, borough, m96, time_suspect FROM drone_messages ORDER BY id',
        ),
        [
          { id: 'drone-0001:1', code: 21, borough: 'Manhattan', m96: true, time_suspect: false },
          { id: 'drone-0001:2', code: null, borough: 'Manhattan', m96: false, time_suspect: false },
          { id: 'drone-0001:3', code: null, borough: 'Brooklyn', m96: false, time_suspect: true },
          { id: 'drone-0001:4', code: null, borough: null, m96: false, time_suspect: false },
        ],
      );
    });
  });
});
