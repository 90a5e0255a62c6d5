/**
 * `npm run archive:relayout` on s3rver (`analysis/archive/relayout.ts`): the objects written before issue 18
 * (`date=`, a dead letter's actor with its `/`) move to the current layout, once; the report reads the same
 * before, during (a move killed between its copy and its delete) and after.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { CopyObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';

import { relayoutKey } from '../../analysis/archive/layout.ts';
import { listKeys } from '../../analysis/archive/listing.ts';
import { relayout } from '../../analysis/archive/relayout.ts';
import { tallyDeadLetters } from '../../analysis/load/dead-letters.ts';
import { createBucket } from '../../runtime/aws/provision.ts';
import { toDeadLetter } from '../../runtime/dead-letter.ts';
import { decodeFailure } from '../../runtime/errors.ts';
import { stackEnv } from '../../runtime/local-stack/index.ts';
import { ndjsonGz, reportFromArchive } from '../helpers/archive.ts';
import { type TestStack, uniqueName, useStack } from '../helpers/stack.ts';

const run = promisify(execFile);

const message = (seq: number) => ({
  type: 'drone.message',
  v: 1,
  id: `drone-0003:${seq}`,
  droneId: 'drone-0003',
  seq,
  time: '2026-11-27T10:15:00.000Z',
  location: { lat: 40.75, lon: -73.99 },
  ...(seq % 2 === 0 ? { violationCode: 14, violationImageId: `img-${seq}` } : {}),
});

describe('Analysis > archive relayout > on s3rver', function () {
  this.timeout(120_000);
  let stack: TestStack;
  let bucket: string;
  const dir = mkdtempSync(join(tmpdir(), 'archive-relayout-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const keys = async (): Promise<string[]> => {
    const all: string[] = [];
    for await (const o of listKeys(stack.clients.s3, bucket, '')) all.push(o.key);
    return all.sort();
  };
  let runs = 0;
  const report = () =>
    reportFromArchive(
      stack.clients.s3,
      bucket,
      { workDir: mkdtempSync(join(dir, 'work-')), cacheDir: join(dir, `cache-${runs++}`) },
      { deadLetters: () => tallyDeadLetters(stack.clients.s3, bucket) },
    );
  const quiet = { progress: () => undefined };

  const OLD = [
    'archive/type=drone.message/date=2026-11-27/hour=10/shard-0-1-aaaa.ndjson.gz',
    'archive/type=drone.message/date=2026-11-27/hour=10/shard-1-1-bbbb.ndjson.gz',
    'dead-letter/actor=stream-to-storage/drones/date=2026-11-27/stream-to-storage_drones_1.json',
    'dead-letter/actor=alert-system/date=2026-11-27/alert-system_drones_2.json',
  ];
  const NEW = 'archive/type=drone.message/day=2026-11-27/hour=11/shard-0-2-cccc.ndjson.gz';

  before(async () => {
    stack = await useStack();
    bucket = uniqueName('archive-relayout');
    await createBucket(stack.clients, bucket);
    const put = (Key: string, Body: string | Uint8Array) =>
      stack.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
    const batch = (seqs: number[]) => ndjsonGz(seqs.map(message));
    const letter = (actor: string, n: number) =>
      JSON.stringify(
        toDeadLetter({
          actor,
          error: decodeFailure('drones', ['not JSON']),
          raw: '{oops',
          at: Date.UTC(2026, 10, 27),
          source: { stream: 'drones', shardId: 'shardId-0', sequence: String(n), subSequence: 0 },
        }),
      );
    await put(OLD[0]!, batch([1, 2, 3]));
    await put(OLD[1]!, batch([4, 3])); // a raw copy of 3
    await put(OLD[2]!, letter('stream-to-storage/drones', 1));
    await put(OLD[3]!, letter('alert-system', 2));
    await put(NEW, batch([5, 6]));
  });

  it('lists the moves on a dry run, and changes nothing', async () => {
    const before = await keys();
    const { moved } = await relayout(stack.clients.s3, bucket, { dryRun: true, ...quiet });
    assert.deepEqual(
      moved.map((m) => m.from),
      [...OLD].sort(),
    );
    assert.deepEqual(await keys(), before);
  });

  it('reads the same report while a move is half done (copied, not yet deleted), then moves everything once', async () => {
    const before = await report();
    // A run killed between a copy and its delete: both the old and the new object exist.
    for (const from of [OLD[0]!, OLD[2]!])
      await stack.clients.s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: relayoutKey(from)!,
          CopySource: `${bucket}/${from}`,
        }),
      );
    assert.deepEqual(await report(), before);

    const { moved } = await relayout(stack.clients.s3, bucket, { dryRun: false, ...quiet });
    assert.equal(moved.length, OLD.length);
    assert.deepEqual(await keys(), [...OLD.map((k) => relayoutKey(k)!), NEW].sort());
    assert.ok((await keys()).every((k) => !k.includes('/date=')));
    assert.deepEqual(await report(), before);
    assert.match(
      before.get('data_quality.csv') ?? '',
      /dead_letter,stream-to-storage\.drones: DecodeFailure,1,,/,
    );

    const again = await relayout(stack.clients.s3, bucket, { dryRun: false, ...quiet });
    assert.deepEqual(again.moved, []);
  });

  it('is a documented command: --dry-run prints what it would move; a bad option exits 78', async () => {
    const env = { ...process.env, ...stackEnv(stack), PRESTACOP_BUCKET: bucket };
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'analysis/archive/relayout-main.ts', '--dry-run'],
      { env },
    );
    assert.match(
      stdout,
      /archive:relayout: 5 objects listed, 0 to move \(dry run: nothing changed\)/,
    );
    await assert.rejects(
      run(
        process.execPath,
        ['--import', 'tsx', 'analysis/archive/relayout-main.ts', '--target', 'mars'],
        {
          env,
        },
      ),
      (e: { code?: number }) => e.code === 78,
    );
  });
});
