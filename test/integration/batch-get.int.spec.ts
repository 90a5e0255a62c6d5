/** The runtime's BatchGet reader on DynamoDB Local: paging past 100 keys, projections, absent ids. */
import assert from 'node:assert/strict';

import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';

import { batchGetItems } from '../../runtime/aws/batch-get.ts';
import type { AwsClients } from '../../runtime/aws/clients.ts';
import { wireDocClient } from '../../runtime/aws/dynamodb-wire.ts';
import { createTable } from '../../runtime/aws/provision.ts';
import { uniqueName, useStack } from '../helpers/stack.ts';

/** Both ways the batch calls reach DynamoDB: the SDK's document client, and the wire path the writer uses. */
const PATHS = [
  ['SDK document client', (c: AwsClients) => c.doc],
  ['wire', (c: AwsClients) => wireDocClient(c.doc, c.dynamodb)],
] as const;

for (const [path, docOf] of PATHS)
  describe(`Runtime > batchGetItems > on DynamoDB Local > ${path}`, function () {
    this.timeout(60_000);

    it('finds every stored id of 250 asked (three pages), and only those, with the projected attributes', async () => {
      const { clients } = await useStack();
      const name = uniqueName('batch-get');
      await createTable(clients, { name, hashKey: 'id', ttlAttribute: null });
      const asked = Array.from({ length: 250 }, (_, i) => `drone-0001:${i}`);
      const stored = asked.filter((_, i) => i % 3 === 0);
      for (let i = 0; i < stored.length; i += 25)
        await clients.doc.send(
          new BatchWriteCommand({
            RequestItems: {
              [name]: stored
                .slice(i, i + 25)
                .map((id) => ({ PutRequest: { Item: { id, n: 1, note: 'x' } } })),
            },
          }),
        );

      const items = await batchGetItems(docOf(clients), name, asked, { projection: 'id, n' });
      assert.deepEqual(items.map((i) => i.id as string).sort(), [...stored].sort());
      assert.ok(
        items.every((i) => i.n === 1 && !('note' in i)),
        'only projected attributes',
      );
      assert.deepEqual(await batchGetItems(docOf(clients), name, []), []);
    });
  });
