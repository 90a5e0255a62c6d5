/**
 * The hot table on DynamoDB Local. Regression (found by `npm run test:faults -- --scenario poison`): one item DynamoDB
 * refuses for good (over the 400 KB item limit) failed its whole BatchWriteItem call, and every other put of that
 * batch was rejected with it — the storage writer dead-lettered 24 good messages next to one oversized one.
 */
import assert from 'node:assert/strict';

import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

import { createDynamoTable } from '../../actors/stream-to-storage/dynamo-table.ts';
import { storedIds } from '../../actors/stream-to-storage/readers.ts';
import type { AwsClients } from '../../runtime/aws/clients.ts';
import { wireDocClient } from '../../runtime/aws/dynamodb-wire.ts';
import { createTable } from '../../runtime/aws/provision.ts';
import { type IdConflict, isRuntimeError } from '../../runtime/errors.ts';
import { uniqueName, useStack } from '../helpers/stack.ts';

/** Both ways the batch calls reach DynamoDB: the SDK's document client, and the wire path the writer uses. */
const PATHS = [
  ['SDK document client', (c: AwsClients) => c.doc],
  ['wire', (c: AwsClients) => wireDocClient(c.doc, c.dynamodb)],
] as const;

for (const [path, docOf] of PATHS)
  describe(`HotTable > on DynamoDB Local > ${path}`, function () {
    this.timeout(60_000);

    it('rejects only the item DynamoDB refuses; its batch mates are stored', async () => {
      const { clients } = await useStack();
      const name = uniqueName('messages');
      await createTable(clients, { name, hashKey: 'id', ttlAttribute: null });
      const table = createDynamoTable(docOf(clients), name, { lingerMs: 50 });

      const ids = Array.from({ length: 25 }, (_, i) => `drone-0001:${i}`);
      const puts = ids.map((id, i) =>
        table.put({ id, messageHash: 'h', note: i === 7 ? 'x'.repeat(500_000) : 'ok' }).then(
          () => 'stored',
          (e: unknown) => e,
        ),
      );
      await table.flush();
      const results = await Promise.all(puts);

      const refused = results[7];
      assert.ok(isRuntimeError(refused) && refused._tag === 'PortFailure', String(refused));
      assert.equal(refused.retriable, false);
      assert.deepEqual(
        results.filter((r) => r === 'stored').length,
        24,
        'every other put of the batch is stored',
      );
      const found = await storedIds(clients.doc, name, ids);
      assert.deepEqual([...found].sort(), ids.filter((_, i) => i !== 7).sort());
    });

    const settle = (p: Promise<void>) =>
      p.then(
        () => 'stored',
        (e: unknown) => e,
      );
    const isConflict = (u: unknown): u is IdConflict =>
      isRuntimeError(u) && u._tag === 'IdConflict';

    it('first write wins: the same id with other content is refused, never overwrites, and carries the stored version', async () => {
      const { clients } = await useStack();
      const name = uniqueName('messages');
      await createTable(clients, { name, hashKey: 'id', ttlAttribute: null });
      const table = createDynamoTable(docOf(clients), name, { lingerMs: 20 });
      const stored = { id: 'drone-0042:7', messageHash: 'a'.repeat(64), violationCode: 9 };

      assert.equal(await settle(table.put(stored)), 'stored');
      // Later, in another batch: a redelivery, and the same id with other content.
      const [again, other] = await Promise.all([
        settle(table.put({ ...stored })),
        settle(table.put({ ...stored, messageHash: 'b'.repeat(64), violationCode: 40 })),
      ]);
      assert.equal(again, 'stored', 'a redelivery (same hash) is stored already');
      assert.ok(isConflict(other), String(other));
      assert.equal(other.storedHash, stored.messageHash);
      assert.equal(other.hash, 'b'.repeat(64));
      assert.deepEqual(JSON.parse(other.stored), stored);

      const item = await clients.doc.send(
        new GetCommand({ TableName: name, Key: { id: stored.id } }),
      );
      assert.deepEqual(item.Item, stored, 'the first version is still stored');
    });

    it('two versions of one id put at once: the first is stored, the second refused', async () => {
      const { clients } = await useStack();
      const name = uniqueName('messages');
      await createTable(clients, { name, hashKey: 'id', ttlAttribute: null });
      const table = createDynamoTable(docOf(clients), name, { lingerMs: 20 });
      const puts = ['a', 'b', 'a'].map((h, n) =>
        settle(table.put({ id: 'drone-0001:1', messageHash: h.repeat(64), n })),
      );
      await table.flush();
      const [first, second, third] = await Promise.all(puts);
      assert.equal(first, 'stored');
      assert.ok(isConflict(second), String(second));
      assert.equal(third, 'stored');
      const item = await clients.doc.send(
        new GetCommand({ TableName: name, Key: { id: 'drone-0001:1' } }),
      );
      assert.equal(item.Item?.n, 0);
    });

    it('an item stored before content hashes is kept, and a put of its id is taken as a redelivery', async () => {
      const { clients } = await useStack();
      const name = uniqueName('messages');
      await createTable(clients, { name, hashKey: 'id', ttlAttribute: null });
      await clients.doc.send(
        new PutCommand({ TableName: name, Item: { id: 'drone-0001:2', old: true } }),
      );
      const table = createDynamoTable(docOf(clients), name);
      assert.equal(
        await settle(table.put({ id: 'drone-0001:2', messageHash: 'c'.repeat(64) })),
        'stored',
      );
      const item = await clients.doc.send(
        new GetCommand({ TableName: name, Key: { id: 'drone-0001:2' } }),
      );
      assert.deepEqual(item.Item, { id: 'drone-0001:2', old: true });
    });
  });
