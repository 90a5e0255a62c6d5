/**
 * The storage writer against the real emulators (DynamoDB Local, s3rver) behind the in-memory bus: every message
 * lands in the hot table with its TTL and in a gzipped archive batch; poison lands in the dead-letter prefix.
 */
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';

import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';

import { type DroneMessage } from '../../actors/protocol/drone-message.ts';
import { messageHash } from '../../actors/protocol/message-hash.ts';
import { createDynamoTable } from '../../actors/stream-to-storage/dynamo-table.ts';
import { archivedLines } from '../../actors/stream-to-storage/readers.ts';
import { createS3Archive } from '../../actors/stream-to-storage/s3-archive.ts';
import { startStorageWriter } from '../../actors/stream-to-storage/service.ts';
import { createBucket, createTable } from '../../runtime/aws/provision.ts';
import { createS3DeadLetters } from '../../runtime/aws/s3-dead-letters.ts';
import { topic } from '../../runtime/bus/bus.ts';
import { createMemoryBackend, createMemoryBus } from '../../runtime/bus/memory.ts';
import { createEventHub } from '../../runtime/events.ts';
import { uniqueName, useStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait-for.ts';

const message = (n: number): DroneMessage =>
  ({
    type: 'drone.message',
    v: 1,
    id: `drone-${String(n % 7).padStart(4, '0')}:${n}`,
    droneId: `drone-${String(n % 7).padStart(4, '0')}`,
    seq: n,
    time: '2026-11-27T18:00:00.000Z',
    location: { lat: 40.75, lon: -73.98 },
    ...(n % 10 === 0 ? { violationCode: 40, violationImageId: `img-${n}` } : {}),
  }) as unknown as DroneMessage;

describe('StreamToStorage > on the local stack', function () {
  this.timeout(90_000);

  it('stores every message by id with a TTL, archives it, and dead-letters poison', async () => {
    const { clients } = await useStack();
    const tableName = uniqueName('messages');
    const bucket = uniqueName('archive');
    await createTable(clients, { name: tableName, hashKey: 'id', ttlAttribute: 'expiresAt' });
    await createBucket(clients, bucket);

    const bus = createMemoryBus(createMemoryBackend({ shardsPerStream: 2 }));
    const events = createEventHub();
    const table = createDynamoTable(clients.doc, tableName);
    const archive = createS3Archive(clients.s3, bucket, 'archive/', {
      maxBytes: 1 << 20,
      maxRecords: 100,
      maxAgeMs: 200,
    });
    const deadLetter = createS3DeadLetters(clients.s3, bucket, Date.now);
    const writer = startStorageWriter({
      bus,
      events,
      table,
      archive,
      deadLetter,
      streams: { drones: 'drones' },
      retentionSeconds: 3_600,
    });
    const messages = Array.from({ length: 300 }, (_, n) => message(n));
    const drones = topic(
      'drones',
      (await import('../../actors/protocol/drone-message.ts')).DroneMessage,
      (m) => m.droneId,
    );
    await bus.publish(drones, messages);
    await bus.publish(drones, messages.slice(0, 50)); // redelivered duplicates: harmless
    await bus.publishRaw('drones', [
      { partitionKey: 'x', data: Buffer.from('{"not":"a message"}') },
    ]);
    let processed = 0;
    events.events$.subscribe((e) => e.type === 'actor.processed' && (processed += e.payload.count));
    await waitFor(
      '350 processed and a dead letter',
      () => ({ processed, letters: deadLetter.count() }),
      15_000,
      (s) => s.processed >= 350 && s.letters === 1,
    );
    await writer.stop();

    // Hot table: every id once, with its TTL about an hour after ingestion.
    const ids = messages.map((m) => m.id);
    const found = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < ids.length; i += 100) {
      const out = await clients.doc.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: ids.slice(i, i + 100).map((id) => ({ id })) } },
        }),
      );
      for (const item of out.Responses?.[tableName] ?? []) found.set(item.id as string, item);
    }
    assert.equal(found.size, 300);
    const item = found.get(ids[10]!)!;
    assert.equal(item.violationCode, 40);
    const ttl = (item.expiresAt as number) - Date.now() / 1000;
    assert.ok(ttl > 3_500 && ttl <= 3_600, `TTL in ${ttl} s`);

    // Archive: gzipped NDJSON partitioned by type and hour; distinct ids = 300, raw copies = 350.
    const listed = await clients.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'archive/' }),
    );
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    assert.ok(
      keys.every((k) =>
        /^archive\/type=drone\.message\/day=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/shard-\d-\d+-[0-9a-f]{16}\.ndjson\.gz$/.test(
          k,
        ),
      ),
      keys.join(),
    );
    const lines: string[] = [];
    for (const Key of keys) {
      const body = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      lines.push(
        ...gunzipSync(await body.Body!.transformToByteArray())
          .toString('utf8')
          .trim()
          .split('\n'),
      );
    }
    const archivedIds = lines.map((l) => (JSON.parse(l) as { id: string }).id);
    assert.equal(archivedIds.length, 350);
    assert.equal(new Set(archivedIds).size, 300);

    // Dead letter: the reason and the bytes.
    const dl = await clients.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'dead-letter/' }),
    );
    assert.equal(dl.Contents?.length, 1);
    const letter = JSON.parse(
      await (
        await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: dl.Contents[0]!.Key! }))
      ).Body!.transformToString(),
    ) as { errorTag: string; reasons: string[]; rawBase64: string; actor: string };
    assert.equal(letter.errorTag, 'DecodeFailure');
    assert.equal(letter.actor, 'stream-to-storage/drones');
    assert.ok(letter.reasons.length > 0);
    assert.equal(Buffer.from(letter.rawBase64, 'base64').toString(), '{"not":"a message"}');
  });

  it('stores a message in the table and the archive or in neither: conflicts, forged ids and oversized messages are dead-lettered', async () => {
    const { clients } = await useStack();
    const tableName = uniqueName('messages');
    const bucket = uniqueName('archive');
    await createTable(clients, { name: tableName, hashKey: 'id', ttlAttribute: 'expiresAt' });
    await createBucket(clients, bucket);
    const bus = createMemoryBus(createMemoryBackend({ shardsPerStream: 1 }));
    const events = createEventHub();
    const deadLetter = createS3DeadLetters(clients.s3, bucket, Date.now);
    const archive = createS3Archive(clients.s3, bucket, 'archive/', {
      maxBytes: 1 << 20,
      maxRecords: 100,
      maxAgeMs: 200,
    });
    const writer = startStorageWriter({
      bus,
      events,
      table: createDynamoTable(clients.doc, tableName),
      archive,
      deadLetter,
      streams: { drones: 'drones' },
      retentionSeconds: 3_600,
    });
    let processed = 0;
    events.events$.subscribe((e) => e.type === 'actor.processed' && (processed += e.payload.count));
    const first = message(10); // drone-0003:10, code 40
    const raw = (u: unknown) => ({
      partitionKey: 'drone-0003',
      data: Buffer.from(JSON.stringify(u)),
    });
    await bus.publishRaw('drones', [raw(first)]);
    await waitFor(
      'the first message processed',
      () => processed,
      15_000,
      (n) => n >= 1,
    );
    await bus.publishRaw('drones', [
      raw(first), // a redelivery: stored already, archived again
      raw({ ...first, violationCode: 9, violationImageId: 'img-reused' }), // the id, reused
      raw({ ...first, droneId: 'drone-0666' }), // another drone's id
      raw({ ...first, id: 'drone-0003:11', seq: 11, address: `big ${'x'.repeat(600_000)}` }),
    ]);
    await waitFor(
      '2 processed and 3 dead letters',
      () => ({ processed, letters: deadLetter.count() }),
      15_000,
      (s) => s.processed >= 2 && s.letters === 3,
    );
    await writer.stop();

    const item = await clients.doc.send(
      new GetCommand({ TableName: tableName, Key: { id: first.id } }),
    );
    assert.equal(item.Item?.violationCode, 40, 'the first version is kept');
    assert.equal(item.Item?.messageHash, messageHash(first));
    const missing = await clients.doc.send(
      new GetCommand({ TableName: tableName, Key: { id: 'drone-0003:11' } }),
    );
    assert.equal(missing.Item, undefined);

    const archived: Array<Record<string, unknown>> = [];
    for await (const line of archivedLines(clients.s3, bucket, { type: 'drone.message' }))
      archived.push(JSON.parse(line) as Record<string, unknown>);
    assert.equal(archived.length, 2, 'the first version and its redelivery, nothing else');
    assert.ok(archived.every((a) => a.id === first.id && a.violationCode === 40));

    const letters: Array<{ errorTag: string; reasons: string[]; rawBase64: string }> = [];
    for await (const key of listKeys(clients, bucket, 'dead-letter/'))
      letters.push(
        JSON.parse(
          await (
            await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
          ).Body!.transformToString(),
        ) as { errorTag: string; reasons: string[]; rawBase64: string },
      );
    const conflict = letters.find((l) => l.errorTag === 'IdConflict');
    assert.ok(conflict, JSON.stringify(letters.map((l) => l.reasons)));
    assert.match(conflict.reasons[0]!, /drone-0003:10 already holds other content/);
    assert.match(conflict.reasons[1]!, /^stored version: .*"violationCode":40/);
    assert.match(Buffer.from(conflict.rawBase64, 'base64').toString(), /img-reused/);
    const decode = letters
      .filter((l) => l.errorTag === 'DecodeFailure')
      .map((l) => l.reasons.join());
    assert.equal(decode.length, 2);
    assert.ok(decode.some((r) => r.includes('must start with "drone-0666:"')));
    assert.ok(decode.some((r) => r.includes('too large')));
  });
});

async function* listKeys(
  clients: Awaited<ReturnType<typeof useStack>>['clients'],
  bucket: string,
  prefix: string,
) {
  const out = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  for (const o of out.Contents ?? []) yield o.Key!;
}
