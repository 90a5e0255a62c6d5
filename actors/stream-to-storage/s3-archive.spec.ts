import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';

import type { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

import type { Settle } from '../../runtime/actor.ts';
import type { Source } from '../../runtime/bus/bus.ts';
import { portFailure } from '../../runtime/errors.ts';
import { createEventHub, type RuntimeEvent } from '../../runtime/events.ts';
import { createS3Archive, hourPartition, objectKey, retriesReported } from './s3-archive.ts';

describe('StreamToStorage > s3 archive > keys', () => {
  it('partitions by day and hour of ingestion in UTC, as day= (not the reserved word date=)', () => {
    const at = Date.parse('2026-11-27T23:59:59.999-05:00'); // 04:59:59.999 UTC the next day
    assert.equal(hourPartition(at), 'day=2026-11-28/hour=04');
    assert.equal(
      objectKey(
        'archive/',
        'drone.message',
        hourPartition(at),
        'shardId-1',
        '49.2',
        '0123456789abcdef',
      ),
      'archive/type=drone.message/day=2026-11-28/hour=04/shardId-1-49.2-0123456789abcdef.ndjson.gz',
    );
  });
});

/**
 * An S3 client that keeps the lines of what it is given, failing its first `failures` puts with a 503 (retriable,
 * as the SDK reports one) or with `fatal` (not retriable).
 */
const flakyS3 = (failures: number, fatal = false) => {
  const objects: string[][] = [];
  let calls = 0;
  const s3 = {
    send: (cmd: PutObjectCommand) => {
      calls++;
      if (calls <= failures)
        return Promise.reject(
          fatal
            ? Object.assign(new Error('Access Denied'), { name: 'AccessDenied' })
            : Object.assign(new Error('Slow Down'), { $metadata: { httpStatusCode: 503 } }),
        );
      objects.push(
        gunzipSync(cmd.input.Body as Uint8Array)
          .toString('utf8')
          .trimEnd()
          .split('\n'),
      );
      return Promise.resolve({});
    },
  } as unknown as S3Client;
  return { s3, objects, calls: () => calls };
};

/** A `done` that records how it was settled: 'ok' or the error's `_tag`, once per call. */
const recorder = () => {
  const settled: string[] = [];
  const done = (): Settle => ({
    settle: (e?: unknown) =>
      void settled.push(e === undefined ? 'ok' : String((e as { _tag?: string })._tag)),
  });
  return { settled, done };
};

const source = (n: number): Source => ({
  stream: 'drones',
  shardId: 'shardId-000000000000',
  sequence: String(1000 + n),
  subSequence: 0,
});

const fast = { initialMs: 1, factor: 1, jitter: 0, maxMs: 1, retries: 3 };
const limits = { maxBytes: 1 << 20, maxRecords: 3, maxAgeMs: 60_000 };
/** Retries the archive reported, as `attempt: error`. */
const retries: string[] = [];
const onRetry = (attempt: number, _delayMs: number, e: unknown) =>
  void retries.push(`${attempt}: ${(e as Error).message}`);

/** An archive of batches of 3 on `store`, retrying fast; `add(n)` appends record n, recording how it settles. */
const archiveOn = (store: ReturnType<typeof flakyS3>) => {
  const archive = createS3Archive(store.s3, 'bucket', 'archive/', limits, {
    policy: fast,
    onRetry,
  });
  const { settled, done } = recorder();
  const at = Date.now();
  const add = (n: number) =>
    archive.appendSettled('drone.message', `{"n":${n}}`, source(n), at, done());
  return { archive, settled, add, at };
};

describe('StreamToStorage > s3 archive > appendSettled', () => {
  it('settles every record of a batch once, when its object is written, and no earlier', async () => {
    const store = flakyS3(0);
    const { archive, settled, add } = archiveOn(store);
    add(1);
    add(2);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(settled, [], 'the batch is not full: nothing written, nothing settled');
    add(3);
    await archive.flush();
    assert.deepEqual(settled, ['ok', 'ok', 'ok']);
    assert.deepEqual(store.objects, [['{"n":1}', '{"n":2}', '{"n":3}']]);
    assert.equal(archive.written(), 1);
  });

  it('retries a batch whose write fails retriably, so its records are settled once, as written', async () => {
    const store = flakyS3(2);
    const { archive, settled, add } = archiveOn(store);
    retries.length = 0;
    [1, 2, 3].forEach(add);
    await archive.flush();
    assert.equal(store.calls(), 3, 'two failures, then the write');
    assert.deepEqual(retries, ['1: Slow Down', '2: Slow Down'], 'each retry reported');
    assert.deepEqual(settled, ['ok', 'ok', 'ok']);
    assert.equal(store.objects.length, 1);
  });

  it('settles every record with the PortFailure once retries run out, or at once when it is not retriable', async () => {
    for (const [failures, fatal, calls] of [
      [10, false, 4],
      [10, true, 1],
    ] as const) {
      const store = flakyS3(failures, fatal);
      const archive = createS3Archive(store.s3, 'bucket', 'archive/', limits, {
        policy: fast,
        onRetry,
      });
      const { settled, done } = recorder();
      const at = Date.now();
      for (const n of [1, 2, 3])
        archive.appendSettled('drone.message', `{"n":${n}}`, source(n), at, done());
      await archive.flush();
      assert.equal(
        store.calls(),
        calls,
        fatal ? 'not retried' : 'the first attempt and three retries',
      );
      assert.deepEqual(settled, ['PortFailure', 'PortFailure', 'PortFailure']);
      assert.equal(archive.written(), 0);
      // `append`'s promise is that of its batch: rejected with it.
      const promised = archive.append('drone.message', '{"n":4}', source(4), Date.now());
      await archive.flush();
      await assert.rejects(promised, (e: { _tag?: string }) => e._tag === 'PortFailure');
    }
  });

  it('reports each retry as a bus.retry event of the actor, port s3, with the reason', () => {
    const events = createEventHub();
    const seen: RuntimeEvent[] = [];
    events.events$.subscribe((e) => seen.push(e));
    retriesReported(events, 'stream-to-storage').onRetry!(
      2,
      600,
      portFailure('s3', new Error('Slow Down')),
    );
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.type, 'bus.retry');
    assert.match(JSON.stringify(seen[0]), /"port":"s3".*"attempt":2.*"delayMs":600.*Slow Down/);
  });
});
