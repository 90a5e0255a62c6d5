/**
 * The Athena views against the Glue tables, without an account: DuckDB stands in for Athena, with one table per
 * entry of the committed glue-tables.json (the file Terraform creates the Glue tables from: its columns and
 * partitions, Hive types as DuckDB's) and the committed views/*.sql (the text the runner runs and Terraform's
 * named queries hold). A view naming a column no table has fails to bind here; the Parquet-for-marked-hours rule
 * is run on rows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createEngine, type Engine } from '../engine/duckdb.ts';
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
});
