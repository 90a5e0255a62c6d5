import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';

import { BOROUGH_OUTLINES, boroughAt, isManhattanBelow96th } from '../../actors/protocol/index.ts';
import { createEngine } from '../engine/duckdb.ts';
import { duckdb } from '../sql/dialect.ts';
import { boroughSql, manhattanBelow96thSql } from '../sql/place.ts';
import { DEFAULT_PARAMS, STATISTICS } from '../statistics.ts';
import { ATHENA_DIR, athenaFiles, GLUE_TABLES_FILE } from './generate.ts';
import { checkAthenaSql } from './trino-check.ts';

const committed = (): Map<string, string> =>
  new Map([
    ...['queries', 'views'].flatMap((folder) =>
      readdirSync(join(ATHENA_DIR, folder))
        .filter((f) => f.endsWith('.sql'))
        .map((f) => [`${folder}/${f}`, readFileSync(join(ATHENA_DIR, folder, f), 'utf8')] as const),
    ),
    [GLUE_TABLES_FILE, readFileSync(join(ATHENA_DIR, GLUE_TABLES_FILE), 'utf8')],
  ]);

describe('Analysis > Athena SQL', function () {
  this.timeout(60_000);

  it('the committed files are the generated ones (run `npm run gen:athena-sql` after a change)', () => {
    const files = committed();
    const generated = athenaFiles();
    assert.deepEqual([...files.keys()].sort(), [...generated.keys()].sort());
    for (const [path, sql] of generated)
      assert.equal(files.get(path), sql, `${ATHENA_DIR}/${path} is stale`);
    assert.deepEqual(
      STATISTICS.map((s) => `queries/${s.name}.sql`).sort(),
      [...generated.keys()].filter((p) => p.startsWith('queries/')).sort(),
    );
  });

  it('every statistic and view parses as Trino and calls only Athena engine 3 functions and types', () => {
    for (const [path, sql] of athenaFiles())
      if (path.endsWith('.sql')) assert.deepEqual(checkAthenaSql(sql), [], path);
  });

  it('the check rejects DuckDB-only syntax, functions and types', () => {
    assert.notDeepEqual(checkAthenaSql('SELECT DISTINCT ON (a) a FROM t'), []);
    assert.notDeepEqual(checkAthenaSql('SELECT a::INTEGER FROM t'), []);
    assert.deepEqual(checkAthenaSql('SELECT quantile_cont(s, 0.5) FROM t'), [
      'function quantile_cont() is not in the Athena engine 3 allow-list',
    ]);
    assert.deepEqual(checkAthenaSql('SELECT CAST(h AS UBIGINT) FROM t'), [
      'type UBIGINT is not in the Athena engine 3 allow-list',
    ]);
    // The DuckDB text of the statistics whose spelling differs is not Athena's.
    for (const name of ['groups', 'alarm_ack']) {
      const s = STATISTICS.find((x) => x.name === name)!;
      assert.notDeepEqual(checkAthenaSql(s.sql(duckdb, DEFAULT_PARAMS)), [], name);
    }
  });

  it("places a position in SQL exactly where the protocol's outlines do (property, on DuckDB)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'athena-place-'));
    const engine = await createEngine({ workDir: dir });
    try {
      const vertices = Object.values(BOROUGH_OUTLINES).flat();
      const points = [
        ...vertices,
        ...fc.sample(
          fc.tuple(
            fc.double({ min: 40.45, max: 40.95, noNaN: true }),
            fc.double({ min: -74.3, max: -73.65, noNaN: true }),
          ),
          { numRuns: 2_000, seed: 18 },
        ),
      ];
      const values = points.map(([lat, lon]) => `(${lat.toExponential()}, ${lon.toExponential()})`);
      const rows = await engine.all(`SELECT lat, lon, borough,
          ${manhattanBelow96thSql('borough', 'lat', 'lon')} AS m96
        FROM (SELECT lat, lon, ${boroughSql('lat', 'lon')} AS borough
          FROM (VALUES ${values.join(', ')}) AS p(lat, lon))`);
      assert.equal(rows.length, points.length);
      for (const r of rows) {
        const [lat, lon] = [Number(r.lat), Number(r.lon)];
        assert.equal(r.borough ?? undefined, boroughAt(lat, lon), `${lat},${lon}`);
        assert.equal(r.m96, isManhattanBelow96th(lat, lon), `${lat},${lon}`);
      }
    } finally {
      engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
