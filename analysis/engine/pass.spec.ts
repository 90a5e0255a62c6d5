import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FIELDS, valueOf } from '../aggregate/breakdown.ts';
import { duckdb } from '../sql/dialect.ts';
import { createEngine, type Engine } from './duckdb.ts';
import { FACT_COLUMNS, factsSql, GROUP_COLUMNS, type GroupColumn, ticketFacts } from './facts.ts';
import { GROUP_SETS, type GroupSet, groupsPass, keyColumns, MAX_KEYS } from './pass.ts';

/** Two tickets (same plate: the plate set keeps plates seen twice) and one drone violation, every cell distinct. */
const TICKET_ROWS = `SELECT 0::UTINYINT AS src, summons, 0::UTINYINT AS kr, DATE '2017-01-02' AS issue_date,
  21 AS code, '0752A' AS tod, 'NY' AS county, '14' AS precinct, 'BROADWAY' AS street, 'NJ' AS state,
  'PAS' AS plate_type, 'FORD' AS make, 'SUBN' AS body, 'GY' AS color, '2013' AS vyear, 'ABC1234' AS plate
  FROM (VALUES ('1001'), ('1002')) AS t(summons)`;
const DRONE_MESSAGES = `CREATE TABLE drone_messages AS SELECT 'm1' AS id, 'drone-1' AS drone_id,
  TIMESTAMPTZ '2026-11-27 19:15:00+00' AS time, 38 AS code, 'Brooklyn' AS borough, FALSE AS m96,
  FALSE AS time_suspect, 1::BIGINT AS copies`;

/** What each grouped column holds for the fixtures, as a key's text (`sk`: not read back, see below). */
const TICKET: Readonly<Record<GroupColumn, string | null>> = {
  kr: '0', src: '0', code: '21', county: 'NY', hint: 'P', day: '2017-01-02', tod: '0752A', precinct: '14',
  street: 'BROADWAY', state: 'NJ', plate_type: 'PAS', make: 'FORD', body: 'SUBN', color: 'GY', vyear: '2013',
  iyear: '2017', plate: 'ABC1234', sk: null,
}; // prettier-ignore
const DRONE: Readonly<Record<GroupColumn, string | null>> = {
  kr: '1', src: null, code: '38', county: 'Brooklyn', hint: null, day: '2026-11-27', tod: '1415', precinct: null,
  street: null, state: null, plate_type: null, make: null, body: null, color: null, vyear: null, iyear: '2026',
  plate: null, sk: null,
}; // prettier-ignore

const SETS = Object.keys(GROUP_SETS) as GroupSet[];

describe('Analysis > the pass: each column declared once (facts.ts FACT_COLUMNS, pass.ts GROUP_SETS)', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'pass-spec-'));
  let engine: Engine;
  before(async () => {
    engine = await createEngine({ workDir: dir });
    await engine.run(DRONE_MESSAGES);
  });
  after(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('groups on every grouped column: each is a key of some set, and each set key is a grouped column', () => {
    const keys = new Set(SETS.flatMap(keyColumns));
    assert.deepEqual(
      GROUP_COLUMNS.filter((c) => c !== 'kr' && !keys.has(c)),
      [],
      'grouped in no set',
    );
    assert.deepEqual(
      [...keys].filter((c) => !GROUP_COLUMNS.includes(c)),
      [],
      'a set key that is not grouped',
    );
    for (const set of SETS) assert.ok(keyColumns(set).length <= MAX_KEYS, set);
  });

  it('names each field once, at its position in its set', () => {
    const declared = SETS.flatMap((set) =>
      Object.keys(GROUP_SETS[set]).map((field, i) => [field, [set, i]]),
    );
    assert.deepEqual(Object.entries(FIELDS), declared);
  });

  it('gives both sides of the facts every declared column, in declared order', async () => {
    const columns = async (sql: string) =>
      (await engine.all(`DESCRIBE ${sql}`)).map((r) => String(r.column_name));
    const declared = Object.keys(FACT_COLUMNS);
    assert.deepEqual(await columns(ticketFacts(duckdb, TICKET_ROWS)), declared);
    assert.deepEqual(
      await columns(factsSql(duckdb, { ticketRows: undefined, drones: true })!),
      declared,
    );
  });

  it("reads back every field of every set as its column's value, for a ticket and a drone violation", async () => {
    const { groups } = await groupsPass(engine, { ticketRows: TICKET_ROWS, drones: true }, 10);
    for (const set of SETS.filter((s) => s !== 'dups'))
      // dups: only duplicated ids come back
      for (const [kind, n, expected] of [
        ['nypd', 2, TICKET],
        ['drone', 1, DRONE],
      ] as const) {
        const found = groups.filter((g) => g.set === set && g.kind === kind);
        assert.equal(found.length, 1, `${set} ${kind}`);
        assert.equal(found[0]!.n, n, `${set} ${kind}`);
        for (const [field, column] of Object.entries(GROUP_SETS[set]))
          assert.equal(
            valueOf(found[0]!, field as keyof typeof FIELDS),
            expected[column as GroupColumn],
            `${set}.${field} (${kind})`,
          );
      }
  });
});
