/**
 * Parquet compaction on s3rver (`analysis/archive/compact.ts`), and the analysis reading an archive half
 * compacted: the same report as from none, each hour read from one side only, whatever was interrupted.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';

import { compactArchive, type HourResult } from '../../analysis/archive/compact.ts';
import { markerKey, parquetKey } from '../../analysis/archive/layout.ts';
import { listKeys, staleMarkers } from '../../analysis/archive/listing.ts';
import { createEngine } from '../../analysis/engine/duckdb.ts';
import { createArchiveCache } from '../../analysis/load/archive-cache.ts';
import { createBucket } from '../../runtime/aws/provision.ts';
import { stackEnv } from '../../runtime/local-stack/index.ts';
import { ndjsonGz, reportFromArchive } from '../helpers/archive.ts';
import { archivedTicket } from '../helpers/messages.ts';
import { type TestStack, uniqueName, useStack } from '../helpers/stack.ts';

/** A drone message as the writer archives it; every third one a violation (code 14 needs a human). */
const message = (drone: number, seq: number, hour: string) => {
  const droneId = `drone-${String(drone).padStart(4, '0')}`;
  return {
    type: 'drone.message',
    v: 1,
    id: `${droneId}:${seq}`,
    droneId,
    seq,
    time: `2026-11-27T${hour}:${String(seq % 60).padStart(2, '0')}:00.000Z`,
    location: { lat: 40.7 + drone / 100, lon: -74.0 + seq / 1000 },
    ...(seq % 3 === 0
      ? { violationCode: seq % 2 === 0 ? 14 : 21, violationImageId: `img-${seq}` }
      : {}),
    ...(seq === 7 ? { timeSuspect: true, clockOffMs: -90_000_000 } : {}),
    ingestedAt: `2026-11-27T${hour}:30:00.000Z`,
  };
};

const ticket = (summons: string, extra: Record<string, unknown> = {}) =>
  archivedTicket(summons, { streetName: 'Broadway', ...extra });

const run = promisify(execFile);
const NOW = Date.parse('2026-11-27T12:30:00.000Z'); // hours 10 and 11 closed (grace 10 min), 12 open
const GRACE = 10 * 60_000;

describe('Analysis > archive compaction > on s3rver', function () {
  this.timeout(120_000);
  let stack: TestStack;
  let bucket: string;
  const dir = mkdtempSync(join(tmpdir(), 'archive-compact-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const put = (key: string, lines: ReadonlyArray<unknown>) =>
    stack.clients.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: ndjsonGz(lines) }),
    );
  const batch = (type: string, layout: 'day' | 'date', hour: string, name: string) =>
    `archive/type=${type}/${layout}=2026-11-27/hour=${hour}/${name}.ndjson.gz`;

  const report = (label: string) =>
    reportFromArchive(stack.clients.s3, bucket, {
      workDir: mkdtempSync(join(dir, 'work-')),
      cacheDir: join(dir, `cache-${label}`),
    });

  const compact = async (now = NOW): Promise<HourResult[]> => {
    const engine = await createEngine({ workDir: mkdtempSync(join(dir, 'work-')) });
    try {
      return await compactArchive(
        { bucket, graceMs: GRACE, workDir: mkdtempSync(join(dir, 'compact-')) },
        { s3: stack.clients.s3, engine, now: () => now, progress: () => undefined },
      );
    } finally {
      engine.close();
    }
  };
  const outcomes = (results: ReadonlyArray<HourResult>) =>
    results.map((r) => `${r.hour.type} ${r.hour.hour} ${r.outcome.kind}`);
  const text = async (key: string) => {
    const got = await stack.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return got.Body!.transformToString();
  };

  let none: ReadonlyMap<string, string>;

  before(async () => {
    stack = await useStack();
    bucket = uniqueName('archive-compact');
    await createBucket(stack.clients, bucket);
    const drones = (hour: string, from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => message(1 + ((from + i) % 3), from + i, hour));
    // Hour 10: the old layout (date=), two batches. Hour 11: two batches, one line repeated across hours 11
    // and 12 (a raw copy either way). Hour 12: open.
    await put(batch('drone.message', 'date', '10', 'shard-0-1-aaaa'), drones('10', 0, 40));
    await put(batch('drone.message', 'date', '10', 'shard-1-1-bbbb'), drones('10', 40, 60));
    await put(batch('drone.message', 'day', '11', 'shard-0-2-cccc'), drones('11', 60, 90));
    await put(batch('drone.message', 'day', '12', 'shard-0-3-dddd'), [
      ...drones('12', 90, 100),
      message(1 + (89 % 3), 89, '11'),
    ]);
    await put(batch('nypd.ticket', 'day', '10', 'shard-0-1-eeee'), [
      ticket('1001'),
      ticket('1002', { violationCode: 38, streetName: ' ' }),
    ]);
    await put(batch('nypd.ticket', 'day', '12', 'shard-0-2-ffff'), [ticket('1003')]);
    none = await report('none');
  });

  it('compacts each closed hour once, marker last, counted; a re-run changes nothing', async () => {
    assert.deepEqual(outcomes(await compact()), [
      'drone.message 10 compacted',
      'drone.message 11 compacted',
      'nypd.ticket 10 compacted',
    ]);
    const marker = JSON.parse(
      await text(markerKey({ type: 'drone.message', day: '2026-11-27', hour: '10' })),
    );
    assert.deepEqual(
      { ...marker, compactedAt: undefined, sourceDigest: undefined },
      {
        type: 'drone.message',
        day: '2026-11-27',
        hour: '10',
        rows: 60,
        sourceObjects: 2,
        compactedAt: undefined,
        sourceDigest: undefined,
      },
    );
    assert.equal(marker.compactedAt, new Date(NOW).toISOString());
    assert.deepEqual(outcomes(await compact(NOW + 60_000)), [
      'drone.message 10 up-to-date',
      'drone.message 11 up-to-date',
      'nypd.ticket 10 up-to-date',
    ]);
    assert.equal(
      JSON.parse(await text(markerKey({ type: 'drone.message', day: '2026-11-27', hour: '10' })))
        .compactedAt,
      new Date(NOW).toISOString(),
    );
  });

  it('gives the same report from the half-compacted archive as from none', async () => {
    // Hours 10 and 11 from Parquet, hour 12 from NDJSON; tickets likewise.
    const cache = createArchiveCache(stack.clients.s3, { bucket }, join(dir, 'cache-probe'));
    const sides = async (type: string) => {
      const files = await cache.sync(type);
      return { ndjson: files.ndjson.length, parquet: files.parquet.length };
    };
    assert.deepEqual(await sides('drone.message'), { ndjson: 1, parquet: 2 });
    assert.deepEqual(await sides('nypd.ticket'), { ndjson: 1, parquet: 1 });
    const half = await report('half');
    assert.deepEqual([...half.keys()].sort(), [...none.keys()].sort());
    for (const [name, content] of none) assert.equal(half.get(name), content, name);
  });

  it('reads an hour from NDJSON again when a batch reached it after its marker (a stale marker, as the Athena runner finds it), and compacts it again', async () => {
    const types = ['drone.message', 'nypd.ticket'];
    assert.deepEqual(await staleMarkers(stack.clients.s3, bucket, types), []);
    await put(batch('drone.message', 'day', '11', 'shard-2-9-late'), [message(2, 500, '11')]);
    // What the Athena runner checks first (its views trust a marker's existence).
    assert.deepEqual(await staleMarkers(stack.clients.s3, bucket, types), [
      { type: 'drone.message', day: '2026-11-27', hour: '11', compactedFrom: 1, objectsNow: 2 },
    ]);
    const late = await report('late');
    assert.match(late.get('sources.csv') ?? '', /archive,archive,drone\.message,102,102,0/);
    assert.deepEqual(outcomes(await compact()).slice(0, 2), [
      'drone.message 10 up-to-date',
      'drone.message 11 compacted',
    ]);
    assert.deepEqual(await staleMarkers(stack.clients.s3, bucket, types), []);
    assert.deepEqual(await report('late-compacted'), late);
  });

  it('deduplicates by id: raw copies within an hour disappear in its Parquet', async () => {
    const hour = { type: 'drone.message', day: '2026-11-28', hour: '01' };
    await put(`archive/type=drone.message/day=2026-11-28/hour=01/shard-0-1-aaaa.ndjson.gz`, [
      message(1, 1, '01'),
      message(1, 2, '01'),
    ]);
    await put(
      `archive/type=drone.message/day=2026-11-28/hour=01/shard-0-1-bbbb.ndjson.gz`,
      [message(1, 2, '01')], // a redelivery's raw copy
    );
    const results = await compact(Date.parse('2026-11-28T03:00:00Z'));
    const done = results.find((r) => r.hour.day === '2026-11-28');
    assert.deepEqual(done?.outcome, {
      kind: 'compacted',
      read: 3,
      rows: 2,
      bytes: (done?.outcome as { bytes: number }).bytes,
    });
    assert.equal(JSON.parse(await text(markerKey(hour))).rows, 2);
  });

  it('refuses an hour holding a line that does not decode (no marker: it stays NDJSON), and never deletes NDJSON', async () => {
    const hour = { type: 'drone.message', day: '2026-11-26', hour: '23' };
    await put(`archive/type=drone.message/day=2026-11-26/hour=23/shard-0-1-aaaa.ndjson.gz`, [
      message(1, 1, '23'),
      '{"type":"drone.message","v":1}',
      'not json',
    ]);
    const results = await compact();
    const refused = results.find((r) => r.hour.day === '2026-11-26');
    assert.equal(refused?.outcome.kind, 'refused');
    assert.match(
      (refused?.outcome as { reason: string }).reason,
      /2 lines .* are not drone\.message records/,
    );
    const keys: string[] = [];
    for await (const o of listKeys(stack.clients.s3, bucket, '')) keys.push(o.key);
    assert.ok(!keys.includes(markerKey(hour)));
    assert.ok(!keys.includes(parquetKey(hour)));
    assert.equal(keys.filter((k) => k.startsWith('archive/')).length, 10);
  });

  it('is a command: progress per hour, a summary, exit 65 while an hour is refused, 78 on bad options', async () => {
    const env = { ...process.env, ...stackEnv(stack), PRESTACOP_BUCKET: bucket };
    const main = ['--import', 'tsx', 'analysis/archive/compact-main.ts'];
    const refused = await run(process.execPath, [...main, '--type', 'drone.message'], {
      env,
    }).catch((e: { code?: number; stdout: string; stderr: string }) => e);
    assert.equal((refused as { code?: number }).code, 65);
    assert.match(refused.stderr, /drone\.message 2026-11-26 23h \(1\/5\): refused, stays NDJSON/);
    assert.match(
      refused.stdout,
      /compact: 5 closed hours: 0 compacted, 4 up to date, .* 1 refused/,
    );
    for (const bad of [['--grace-minutes', '0'], ['--type', 'drone.silent'], ['--nope']])
      await assert.rejects(
        run(process.execPath, [...main, ...bad], { env }),
        (e: { code?: number }) => e.code === 78,
      );
    const { stdout } = await run(process.execPath, [...main, '--help'], { env });
    assert.match(stdout, /usage: npm run compact/);
  });

  it('ignores a Parquet part without its marker (a run killed before the marker)', async () => {
    const hour = { type: 'drone.message', day: '2026-11-26', hour: '23' }; // refused above: no marker
    const before = await report('before-kill');
    await stack.clients.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: parquetKey(hour), Body: 'half a file' }),
    );
    assert.deepEqual(await report('after-kill'), before);
  });

  it('reads a compacted hour from its Parquet when its NDJSON is gone (a lifecycle rule deleted it)', async () => {
    const before = await report('before-expiry');
    const gone: string[] = [];
    for await (const { key } of listKeys(stack.clients.s3, bucket, 'archive/type=drone.message/'))
      if (/\/(day|date)=2026-11-27\/hour=10\//.test(key)) gone.push(key);
    assert.equal(gone.length, 2);
    for (const Key of gone)
      await stack.clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
    assert.deepEqual(await staleMarkers(stack.clients.s3, bucket, ['drone.message']), []);
    assert.deepEqual(await report('after-expiry'), before);
  });
});
