/**
 * The hot table on DynamoDB Local. Regression (found by `npm run test:faults -- --scenario poison`): one item DynamoDB
 * refuses for good (over the 400 KB item limit) failed its whole BatchWriteItem call, and every other put of that
 * batch was rejected with it — the storage writer dead-lettered 24 good messages next to one oversized one.
 */
import assert from 'node:assert/strict';

import { createDynamoTable } from '../../actors/stream-to-storage/dynamo-table.ts';
import { storedIds } from '../../actors/stream-to-storage/readers.ts';
import { createTable } from '../../runtime/aws/provision.ts';
import { isRuntimeError } from '../../runtime/errors.ts';
import { uniqueName, useStack } from '../helpers/stack.ts';

describe('HotTable > on DynamoDB Local', function () {
  this.timeout(60_000);

  it('rejects only the item DynamoDB refuses; its batch mates are stored', async () => {
    const { clients } = await useStack();
    const name = uniqueName('messages');
    await createTable(clients, { name, hashKey: 'id', ttlAttribute: null });
    const table = createDynamoTable(clients.doc, name, { lingerMs: 50 });

    const ids = Array.from({ length: 25 }, (_, i) => `drone-0001:${i}`);
    const puts = ids.map((id, i) =>
      table.put({ id, note: i === 7 ? 'x'.repeat(500_000) : 'ok' }).then(
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
});
