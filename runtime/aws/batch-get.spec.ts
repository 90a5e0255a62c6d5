import assert from 'node:assert/strict';

import type { BatchGetCommand, BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';

import { batchGetItems, UnprocessedKeysError } from './batch-get.ts';

type Keys = Array<Record<string, unknown>>;
const noWait = { initialMs: 0, factor: 1, jitter: 0, maxMs: 0, retries: Infinity };

/**
 * A table of `stored` ids behind BatchGetItem that leaves the last `unprocessed(call)` keys of each call
 * unprocessed, as a throttled table does. Records every call's keys.
 */
const fakeTable = (stored: ReadonlySet<string>, unprocessed: (call: number) => number) => {
  const calls: Keys[] = [];
  const doc = {
    send: (command: BatchGetCommand): Promise<BatchGetCommandOutput> => {
      const request = command.input.RequestItems!.t!;
      const keys = request.Keys as Keys;
      calls.push(keys);
      const left = Math.min(keys.length, unprocessed(calls.length));
      const served = keys.slice(0, keys.length - left);
      return Promise.resolve({
        $metadata: {},
        Responses: { t: served.filter((k) => stored.has(k.id as string)) },
        ...(left > 0 ? { UnprocessedKeys: { t: { Keys: keys.slice(-left) } } } : {}),
      });
    },
  };
  return { doc: doc as never, calls };
};

const ids = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);

describe('Runtime > batchGetItems', () => {
  it('reads 100 keys a call and returns only the ids the table holds', async () => {
    const { doc, calls } = fakeTable(new Set(['k0', 'k150', 'k249']), () => 0);
    const items = await batchGetItems(doc, 't', ids(250));
    assert.deepEqual(
      calls.map((c) => c.length),
      [100, 100, 50],
    );
    assert.deepEqual(items.map((i) => i.id).sort(), ['k0', 'k150', 'k249']);
  });

  it('asks again for unprocessed keys until none are left', async () => {
    const stored = new Set(ids(120));
    const { doc, calls } = fakeTable(stored, (call) => (call <= 3 ? 30 : 0));
    const items = await batchGetItems(doc, 't', ids(120), { backoff: noWait });
    assert.equal(items.length, 120);
    assert.deepEqual(
      calls.map((c) => c.length),
      [100, 30, 30, 30, 20],
    );
    assert.equal(new Set(items.map((i) => i.id)).size, 120);
  });

  it('rejects when keys stay unprocessed after every attempt, rather than under-count', async () => {
    const { doc, calls } = fakeTable(new Set(ids(10)), () => 1);
    await assert.rejects(
      batchGetItems(doc, 't', ids(10), { attempts: 4, backoff: noWait }),
      (e: unknown) => e instanceof UnprocessedKeysError && e.unprocessed === 1 && e.table === 't',
    );
    assert.equal(calls.length, 4);
  });

  it('names another key attribute and passes the projection', async () => {
    let input: BatchGetCommand['input'] | undefined;
    const doc = {
      send: (command: BatchGetCommand) => {
        input = command.input;
        return Promise.resolve({ $metadata: {}, Responses: { t: [] } });
      },
    };
    await batchGetItems(doc as never, 't', ['a'], { key: 'pk', projection: 'pk, n' });
    assert.deepEqual(input?.RequestItems, {
      t: { Keys: [{ pk: 'a' }], ProjectionExpression: 'pk, n' },
    });
  });

  it('asks for consistent reads only when told', async () => {
    const inputs: Array<BatchGetCommand['input']> = [];
    const doc = {
      send: (command: BatchGetCommand) => {
        inputs.push(command.input);
        return Promise.resolve({ $metadata: {}, Responses: { t: [] } });
      },
    };
    await batchGetItems(doc as never, 't', ['a'], { consistent: true });
    await batchGetItems(doc as never, 't', ['a']);
    assert.equal(inputs[0]?.RequestItems?.t?.ConsistentRead, true);
    assert.equal(inputs[1]?.RequestItems?.t?.ConsistentRead, undefined);
  });
});
