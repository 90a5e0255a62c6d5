import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';

import {
  arbAlarmRaised,
  arbSequencedDroneMessage,
  arbViolationMessage,
} from '../../actors/protocol/arb.ts';
import {
  type AlarmRaised,
  DEFAULT_HUMAN_CODES,
  type DroneMessage,
  droneMessageId,
  loadViolationCodes,
  toAlarmRaised,
  toAlarmResolved,
  utcTimeOf,
} from '../../actors/protocol/index.ts';
import { E } from '../../runtime/codec.ts';
import { sampleDistinct } from '../../test/helpers/sample.ts';
import { buildReport } from '../aggregate/report.ts';
import { appendRow, stage, writeStaged } from '../archive/compact.ts';
import { COMPACTED_TYPES } from '../archive/schema.ts';
import { createEngine, type Engine } from '../engine/duckdb.ts';
import { duckdbRelations } from '../relations.ts';
import { renderCsv } from '../render/csv.ts';
import { renderHtml } from '../render/html.ts';
import { duckdb } from '../sql/dialect.ts';
import { onDuckdb } from '../statistics.ts';
import { appendRecord, createDroneTables, insertCompacted } from './load.ts';
import { droneCounts, droneViolations } from './sql.ts';

const load = async (
  engine: Engine,
  records: ReadonlyArray<['drone.message' | 'alarm.raised' | 'alarm.resolved', unknown]>,
) => {
  const tables = await createDroneTables(engine);
  for (const [type, json] of records) appendRecord(tables, type, json);
  tables.close();
  await engine.run(duckdbRelations({ ticketRows: undefined }));
  return droneCounts(onDuckdb(engine, { humanCodes: DEFAULT_HUMAN_CODES, top: 50 }), tables.counts);
};

const json = (m: unknown): unknown => JSON.parse(JSON.stringify(m));

describe('Analysis > drones and alarms', function () {
  this.timeout(30_000);
  let dir: string;
  let engine: Engine;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'drones-spec-'));
    engine = await createEngine({ workDir: dir });
  });
  after(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts every message once, raw copies and undecodable records apart (property)', async () => {
    const sample = fc.sample(
      fc.uniqueArray(arbSequencedDroneMessage, { selector: (m) => m.id, maxLength: 40 }),
      {
        numRuns: 8,
        seed: 7,
      },
    );
    for (const messages of sample) {
      const copies = messages.filter((_, i) => i % 3 === 0);
      const counts = await load(engine, [
        ...[...messages, ...copies].map((m): ['drone.message', unknown] => [
          'drone.message',
          json(m),
        ]),
        ['drone.message', undefined], // a line that was not JSON
        ['drone.message', { type: 'drone.message', v: 1, id: 'x:1' }], // no drone, time or place
      ]);
      const violations = messages.filter((m) => m.violationCode !== undefined);
      assert.equal(counts.messages, messages.length);
      assert.equal(counts.rawCopies, copies.length);
      assert.equal(counts.violations, violations.length);
      assert.deepEqual(counts.loaded['drone.message'], {
        read: messages.length + copies.length + 2,
        undecodable: 2,
      });
      assert.equal(
        counts.drones.reduce((s, d) => s + d.messages, 0),
        messages.length,
      );
      assert.equal(
        counts.droneCodes.reduce((s, d) => s + d.n, 0),
        violations.length,
      );
      const human = violations.filter((m) => DEFAULT_HUMAN_CODES.includes(m.violationCode!)).length;
      assert.equal(counts.alarmsExpected, human);
      assert.equal(counts.alarmBasis, 'expected');
    }
  });

  it('merges copies by id within a small memory bound, keeping the least copy (no window, no sort)', async () => {
    // 300,000 messages of 1,000 drones (about 30 MB of raw rows), every tenth stored again (marked suspect, without
    // its code or place: a copy that sorts after the first); DISTINCT ON … ORDER BY ran out of 64 MB here.
    const small = await createEngine({ workDir: join(dir, 'small'), memoryLimit: '64MB' });
    try {
      (await createDroneTables(small)).close();
      const message = `'drone-' || lpad(CAST(i % 1000 AS VARCHAR), 4, '0')`;
      await small.run(`INSERT INTO drone_messages_raw
        SELECT ${message} || ':' || CAST(i // 1000 AS VARCHAR), ${message},
          strftime(TIMESTAMP '2026-11-27' + to_seconds(i // 1000), '%Y-%m-%dT%H:%M:%S.000Z'),
          CASE WHEN i % 5 = 0 THEN CAST(1 + i % 97 AS INTEGER) END, 'Manhattan', i % 2 = 0, FALSE
        FROM range(300000) t(i);
        INSERT INTO drone_messages_raw SELECT id, drone_id, time, NULL, NULL, NULL, TRUE
        FROM drone_messages_raw WHERE CAST(split_part(id, ':', 2) AS INTEGER) % 10 = 0`);
      await small.run(duckdbRelations({ ticketRows: undefined }));
      const [got] = await small.all(`SELECT count(*)::INTEGER AS messages,
        sum(copies)::INTEGER AS stored, count(*) FILTER (WHERE time_suspect)::INTEGER AS suspect,
        count(code)::INTEGER AS coded, count(borough)::INTEGER AS placed FROM drone_messages`);
      assert.deepEqual(got, {
        messages: 300_000,
        stored: 330_000,
        suspect: 30_000,
        coded: 60_000,
        placed: 300_000,
      });
    } finally {
      small.close();
    }
  });

  it('places drone violations in New York time, daylight saving included', async () => {
    const at = (seq: number, time: string): DroneMessage => ({
      type: 'drone.message',
      v: 1,
      id: droneMessageId('drone-0001' as DroneMessage['droneId'], seq),
      droneId: 'drone-0001' as DroneMessage['droneId'],
      seq,
      time: time as DroneMessage['time'],
      location: { lat: 40.758, lon: -73.9855 }, // Times Square: Manhattan, below 96th Street
      violationCode: 38,
      violationImageId: 'img',
    });
    await load(engine, [
      ['drone.message', json(at(1, '2026-07-01T03:30:00.000Z'))], // EDT: 23:30 the day before
      ['drone.message', json(at(2, '2026-01-15T03:30:00.000Z'))], // EST: 22:30 the day before
    ]);
    const rows = await engine.all(
      `SELECT strftime(day, '%Y-%m-%d') AS day, tod, borough, m96 FROM (${droneViolations(duckdb)}) ORDER BY day`,
    );
    assert.deepEqual(rows, [
      { day: '2026-01-14', tod: '2230', borough: 'Manhattan', m96: true },
      { day: '2026-06-30', tod: '2330', borough: 'Manhattan', m96: true },
    ]);
  });

  it('counts recorded alarms by code and borough, and the time to the first decision', async () => {
    const alarms = fc.sample(arbAlarmRaised, { numRuns: 30, seed: 3 });
    const unique = [...new Map(alarms.map((a) => [a.id, a])).values()];
    const first = unique[0]!;
    const decided = (a: AlarmRaised, afterMs: number, decision: 'acknowledged' | 'confirmed') =>
      toAlarmResolved({
        alarmId: a.id,
        decision,
        by: 'op-1',
        at: new Date(Date.parse(a.raisedAt) + afterMs).toISOString() as AlarmRaised['time'],
      });
    const counts = await load(engine, [
      ...alarms.map((a): ['alarm.raised', unknown] => ['alarm.raised', json(a)]),
      ['alarm.resolved', json(decided(first, 30_000, 'acknowledged'))],
      ['alarm.resolved', json(decided(first, 90_000, 'confirmed'))], // a later decision: not the first
    ]);
    assert.equal(counts.alarmsRecorded, unique.length);
    assert.equal(counts.alarmBasis, 'recorded');
    for (const by of ['code', 'borough'] as const)
      assert.equal(
        counts.alarmsBy.filter((a) => a.by === by).reduce((s, a) => s + a.n, 0),
        unique.length,
      );
    assert.deepEqual(counts.ack, { count: 1, medianS: 30, p90S: 30, maxS: 30 });
  });

  it('counts the messages stored with a suspect drone time in the report’s data quality (CSV and HTML)', async () => {
    const messages = sampleDistinct(arbSequencedDroneMessage, (m) => m.id, 12, 11);
    // The storage writer's mark, as on an archive line or a hot-table item: 5 of 12 suspect, one of them with a
    // raw copy marked too and one whose older archive copy (before lines were marked) is not.
    const suspect = (m: DroneMessage) => ({
      ...(json(m) as object),
      timeSuspect: true,
      clockOffMs: -9e10,
    });
    const marked = messages.slice(0, 5);
    const counts = await load(engine, [
      ...messages.map((m, i): ['drone.message', unknown] => [
        'drone.message',
        i < 5 ? suspect(m) : json(m),
      ]),
      ['drone.message', suspect(marked[0]!)],
      ['drone.message', json(marked[1]!)],
      ['drone.message', { ...(json(messages[6]!) as object), timeSuspect: 'yes' }], // not the mark
    ]);
    assert.equal(counts.timeSuspect, 5);

    const codes = loadViolationCodes();
    if (E.isLeft(codes)) throw new Error(codes.left.issues.join('\n'));
    const noDedup = { duplicatedIds: 0, droppedCopies: 0, conflictingIds: 0 };
    const report = buildReport(
      { sources: [], dedup: noDedup, groups: [], drones: counts },
      codes.right,
      { today: '2026-11-27', sources: [] },
    );
    const quality = report.tables.find((t) => t.file === 'data_quality.csv');
    assert.ok(quality);
    assert.match(renderCsv(quality), /^time,drone_time_suspect,5,0\.416667,drone_messages$/m);
    assert.match(renderHtml(report), /<td>drone_time_suspect<\/td><td[^>]*>5<\/td>/);
  });

  it('counts an alarm whose body says borough `unknown` with the alarms of no borough', async () => {
    const [m1, m2, m3] = fc
      .sample(fc.uniqueArray(arbViolationMessage, { selector: (m) => m.id, minLength: 3 }), {
        numRuns: 1,
        seed: 5,
      })[0]!
      .map((m) => ({ ...m, location: { lat: 40.6, lon: -74.05 } })); // the Upper Bay: in no borough
    const raised = (m: typeof m1, borough?: 'Queens') => {
      const a = toAlarmRaised(m!, utcTimeOf(Date.UTC(2026, 10, 27)), borough);
      return ['alarm.raised', json(a)] as ['alarm.raised', unknown];
    };
    const { borough: _, ...old } = json(raised(m3)[1]) as Record<string, unknown>; // raised before it was set
    const counts = await load(engine, [raised(m1), raised(m2, 'Queens'), ['alarm.raised', old]]);
    assert.deepEqual(
      counts.alarmsBy.filter((a) => a.by === 'borough').sort((a, b) => b.n - a.n),
      [
        { by: 'borough', key: null, n: 2 },
        { by: 'borough', key: 'Queens', n: 1 },
      ],
    );
  });

  it('counts an alarm and a decision once when the archive and the tables both hold them, and reads their compacted hours alike', async () => {
    const [a1, a2] = fc.sample(
      fc.uniqueArray(arbAlarmRaised, { selector: (a) => a.id, minLength: 2, maxLength: 2 }),
      { numRuns: 1, seed: 11 },
    )[0]!;
    const decided = (a: AlarmRaised, decision: 'acknowledged' | 'confirmed') =>
      toAlarmResolved({ alarmId: a.id, decision, by: 'op-1', at: a.raisedAt });
    const records: Array<['alarm.raised' | 'alarm.resolved', unknown]> = [
      ['alarm.raised', json(a1)],
      ['alarm.raised', json(a2)],
      ['alarm.resolved', json(decided(a1!, 'acknowledged'))],
      ['alarm.resolved', json(decided(a1!, 'confirmed'))],
      ['alarm.resolved', json(decided(a2!, 'acknowledged'))],
    ];
    // The archive (a raw copy of each) and the alarm store and the console's table: every record three times.
    await load(engine, [...records, ...records, ...records]);
    const relations = async () => ({
      alarms: await engine.all(
        'SELECT id, drone_id, code, time, raised_at, borough FROM alarms ORDER BY ALL',
      ),
      decisions: await engine.all(
        'SELECT alarm_id, decision, decided_at FROM decisions ORDER BY ALL',
      ),
    });
    const fromLines = await relations();
    assert.equal(fromLines.alarms.length, 2);
    assert.equal(fromLines.decisions.length, 3);

    // The same events from the Parquet `npm run compact` writes of their hours.
    const tables = await createDroneTables(engine);
    tables.close();
    for (const type of ['alarm.raised', 'alarm.resolved'] as const) {
      const spec = COMPACTED_TYPES.get(type)!;
      const file = join(dir, `${type}.parquet`);
      const appender = await stage(engine, spec);
      for (const [t, line] of records) if (t === type) appendRow(appender, spec, spec.row(line)!);
      appender.closeSync();
      await writeStaged(engine, spec, file);
      assert.equal(await insertCompacted(engine, type, [file]), type === 'alarm.raised' ? 2 : 3);
    }
    await engine.run(duckdbRelations({ ticketRows: undefined }));
    assert.deepEqual(await relations(), fromLines);
  });
});
