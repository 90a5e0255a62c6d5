/**
 * The wire path's own handling: marshalling held equal to the SDK's, errors named as the SDK names them, retries
 * of what is retriable only, a bound on the response. Its calls on DynamoDB Local are in
 * test/integration/{dynamo-table,batch-get,hot-table-load}.int.spec.ts (both paths).
 */
import assert from 'node:assert/strict';

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';

import { clientAnswering as answering } from '../../test/helpers/answering-client.ts';
import { isRetriableCause } from '../errors.ts';
import { createDynamoWire, fromItem, toAttribute, toItem, wireDocClient } from './dynamodb-wire.ts';
import { AwsWireError } from './json-wire.ts';

/** What the tables hold: JSON-like values (finite numbers), byte arrays, undefined members to leave out. */
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ minLength: 1, maxLength: 8 }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(
      fc.string().filter((k) => k !== 'constructor' && k !== '__proto__'),
      fc.oneof(tie('v'), fc.constant(undefined)),
      { maxKeys: 4 },
    ),
  ),
})).v;
/**
 * Member names the SDK's `marshall` misreads are left out of the comparison: an own `constructor` makes it take
 * a plain object for a class instance and refuse it, and `__proto__` it drops. Ours keeps both (tested below).
 */
const key = fc.string({ minLength: 1 }).filter((k) => k !== 'constructor' && k !== '__proto__');
const item = fc.dictionary(key, fc.oneof(value, fc.constant(undefined)), { maxKeys: 8 });

const clientAnswering = (responses: ReadonlyArray<readonly [number, string]>) =>
  answering(DynamoDBClient, responses);

describe('Runtime > DynamoDB wire path', () => {
  describe('marshalling', () => {
    it('writes every item as the SDK marshalls it (removeUndefinedValues)', () => {
      fc.assert(
        fc.property(item, (i) => {
          const sdk = outcome(() => marshall(i, { removeUndefinedValues: true }));
          const ours = outcome(() => JSON.parse(JSON.stringify(toItem(i))) as unknown);
          // Both refuse the same items (a number beyond 2^53), or both write them alike.
          assert.equal(ours.threw, sdk.threw);
          if (ours.threw || sdk.threw) return;
          // The SDK keeps bytes as Uint8Array for its serializer; on the wire they are base64, as ours are.
          const sdkOnWire = JSON.parse(
            JSON.stringify(sdk.value, (_k, v: unknown) =>
              v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v,
            ),
          ) as unknown;
          assert.deepEqual(ours.value, sdkOnWire);
        }),
        { numRuns: 300 },
      );
    });

    it('reads every item back as the SDK unmarshalls it', () => {
      fc.assert(
        fc.property(
          item.filter((i) => !outcome(() => toItem(i)).threw),
          (i) => {
            const wire = JSON.parse(JSON.stringify(toItem(i))) as Record<
              string,
              Record<string, never>
            >;
            const sdk = unmarshall(marshall(i, { removeUndefinedValues: true }));
            assert.deepEqual(normalise(fromItem(wire)), normalise(sdk));
          },
        ),
        { numRuns: 300 },
      );
    });

    it('keeps members named constructor and __proto__ as members, both ways', () => {
      const hostile = JSON.parse(
        '{"constructor":-1,"__proto__":{"polluted":true},"m":{"__proto__":"s","toString":1}}',
      ) as Record<string, unknown>;
      const wire = JSON.parse(JSON.stringify(toItem(hostile))) as Record<string, unknown>;
      assert.deepEqual(Object.keys(wire), ['constructor', '__proto__', 'm']);
      assert.deepEqual(wire.__proto__, { M: { polluted: { BOOL: true } } });
      const back = fromItem(wire as Record<string, Record<string, never>>);
      assert.deepEqual(Object.keys(back), ['constructor', '__proto__', 'm']);
      assert.equal(Object.getPrototypeOf(back), Object.prototype);
      assert.equal((back as { polluted?: unknown }).polluted, undefined);
      assert.deepEqual(Object.keys(back.m as object), ['__proto__', 'toString']);
    });

    it('refuses what DynamoDB cannot hold, by name', () => {
      assert.throws(() => toAttribute(Number.NaN), /cannot store the number NaN/);
      assert.throws(() => toAttribute(Infinity), /cannot store the number Infinity/);
      assert.throws(() => toAttribute(2 ** 53 + 2), /beyond Number.MAX_SAFE_INTEGER/);
      assert.throws(() => toAttribute(new Set([1])), /cannot store a Set/);
      assert.throws(() => toAttribute(() => 1), /cannot store a function/);
      assert.throws(() => fromItem({ n: { N: '12345678901234567890' } }), /does not fit/);
    });
  });

  describe('calls', () => {
    it('signs a JSON 1.0 request to the operation, and reads the unprocessed items back as plain items', async () => {
      const unprocessed = {
        UnprocessedItems: { t: [{ PutRequest: { Item: toItem({ id: 'b', n: 2 }) } }] },
      };
      const { client, calls } = clientAnswering([[200, JSON.stringify(unprocessed)]]);
      const out = await createDynamoWire(client).batchWrite({
        RequestItems: {
          t: [
            { PutRequest: { Item: { id: 'a', n: 1 } } },
            { PutRequest: { Item: { id: 'b', n: 2 } } },
          ],
        },
      });
      assert.equal(calls.length, 1);
      assert.equal(calls[0]!.headers['x-amz-target'], 'DynamoDB_20120810.BatchWriteItem');
      assert.equal(calls[0]!.headers['content-type'], 'application/x-amz-json-1.0');
      assert.match(
        calls[0]!.headers.authorization ?? '',
        /^AWS4-HMAC-SHA256 Credential=k\/\d{8}\/eu-west-1\/dynamodb\//,
      );
      assert.deepEqual(JSON.parse(calls[0]!.body), {
        RequestItems: {
          t: [
            { PutRequest: { Item: { id: { S: 'a' }, n: { N: '1' } } } },
            { PutRequest: { Item: { id: { S: 'b' }, n: { N: '2' } } } },
          ],
        },
      });
      assert.deepEqual(out.UnprocessedItems, { t: [{ PutRequest: { Item: { id: 'b', n: 2 } } }] });
    });

    it("retries throttling up to the client's maxAttempts, then fails with the SDK's error name (retriable)", async () => {
      const throttled = JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
        message: 'slow down',
      });
      const { client, calls } = clientAnswering([[400, throttled]]);
      const failed = await createDynamoWire(client)
        .batchGet({ RequestItems: { t: { Keys: [{ id: 'a' }] } } })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.equal(calls.length, 3);
      assert.ok(failed instanceof AwsWireError);
      assert.equal(failed.name, 'ProvisionedThroughputExceededException');
      assert.equal(failed.$metadata.httpStatusCode, 400);
      assert.ok(isRetriableCause(failed));
    });

    it('does not retry a validation error, and succeeds after a 500 that passes', async () => {
      const invalid = JSON.stringify({
        __type: 'com.amazon.coral.validate#ValidationException',
        message: 'Item size has exceeded the maximum allowed size',
      });
      const refused = clientAnswering([[400, invalid]]);
      await assert.rejects(
        createDynamoWire(refused.client).batchWrite({
          RequestItems: { t: [{ PutRequest: { Item: { id: 'a' } } }] },
        }),
        (e: unknown) =>
          e instanceof AwsWireError && e.name === 'ValidationException' && !isRetriableCause(e),
      );
      assert.equal(refused.calls.length, 1);

      const flaky = clientAnswering([
        [500, 'gateway trouble'],
        [200, JSON.stringify({ Responses: { t: [toItem({ id: 'a', messageHash: 'h' })] } })],
      ]);
      const out = await createDynamoWire(flaky.client).batchGet({
        RequestItems: { t: { Keys: [{ id: 'a' }] } },
      });
      assert.equal(flaky.calls.length, 2);
      assert.deepEqual(out.Responses, { t: [{ id: 'a', messageHash: 'h' }] });
    });

    it('refuses a response over its bound rather than buffering it', async () => {
      const { client } = clientAnswering([[200, 'x'.repeat(21 * 1024 * 1024)]]);
      await assert.rejects(
        createDynamoWire(client).batchGet({ RequestItems: { t: { Keys: [{ id: 'a' }] } } }),
        /response over \d+ bytes/,
      );
    });

    it('sends UpdateItem marshalled, reads its attributes back, and names a failed condition as the SDK does', async () => {
      const { client, calls } = clientAnswering([
        [200, JSON.stringify({ Attributes: toItem({ leaseKey: 'k', leaseCounter: 8 }) })],
        [
          400,
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
            message: 'The conditional request failed',
          }),
        ],
      ]);
      const wire = createDynamoWire(client);
      const input = {
        TableName: 't',
        Key: { leaseKey: 'k' },
        UpdateExpression: 'SET #c = #c + :one',
        ConditionExpression: '#c = :seen',
        ExpressionAttributeNames: { '#c': 'leaseCounter' },
        ExpressionAttributeValues: { ':one': 1, ':seen': 7, ':gone': undefined },
        ReturnValues: 'ALL_NEW' as const,
      };
      const out = await wire.update(input);
      assert.equal(calls[0]!.headers['x-amz-target'], 'DynamoDB_20120810.UpdateItem');
      assert.deepEqual(JSON.parse(calls[0]!.body), {
        ...input,
        Key: { leaseKey: { S: 'k' } },
        ExpressionAttributeValues: { ':one': { N: '1' }, ':seen': { N: '7' } },
      });
      assert.deepEqual(out.Attributes, { leaseKey: 'k', leaseCounter: 8 });
      await assert.rejects(
        wire.update(input),
        (e: unknown) =>
          e instanceof AwsWireError &&
          e.name === 'ConditionalCheckFailedException' &&
          !isRetriableCause(e),
      );
      assert.equal(calls.length, 2, 'a failed condition is not retried');
    });

    it('wireDocClient takes the two batch commands and UpdateItem; every other command goes to the document client', async () => {
      const { client, calls } = clientAnswering([[200, '{}']]);
      const others: unknown[] = [];
      const doc = wireDocClient(
        { send: ((c: unknown) => (others.push(c), Promise.resolve({}))) as never },
        client,
      );
      await doc.send(new BatchGetCommand({ RequestItems: { t: { Keys: [{ id: 'a' }] } } }));
      await doc.send(
        new BatchWriteCommand({ RequestItems: { t: [{ PutRequest: { Item: { id: 'a' } } }] } }),
      );
      const update = { TableName: 't', Key: { id: 'a' }, UpdateExpression: 'SET n = :n' };
      await doc.send(new UpdateCommand({ ...update, ExpressionAttributeValues: { ':n': 1 } }));
      await doc.send(new GetCommand({ TableName: 't', Key: { id: 'a' } }));
      // What the wire does not read back stays with the SDK: the item of a failed condition, legacy parameters.
      await doc.send(
        new UpdateCommand({ ...update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      );
      await doc.send(
        new UpdateCommand({
          TableName: 't',
          Key: { id: 'a' },
          AttributeUpdates: { n: { Action: 'PUT', Value: 1 } },
        }),
      );
      assert.equal(calls.length, 3);
      assert.deepEqual(
        calls.map((c) => c.headers['x-amz-target']),
        [
          'DynamoDB_20120810.BatchGetItem',
          'DynamoDB_20120810.BatchWriteItem',
          'DynamoDB_20120810.UpdateItem',
        ],
      );
      assert.equal(others.length, 3);
      assert.ok(others[0] instanceof GetCommand);
      assert.ok(others[1] instanceof UpdateCommand && others[2] instanceof UpdateCommand);
    });
  });
});

const outcome = (f: () => unknown): { threw: boolean; value?: unknown; error?: unknown } => {
  try {
    return { threw: false, value: f() };
  } catch (error) {
    return { threw: true, error };
  }
};

/** Buffers and Uint8Arrays as plain byte lists, Sets as sorted lists: the two read paths' containers differ. */
const normalise = (v: unknown): unknown =>
  v instanceof Uint8Array
    ? { bytes: [...v] }
    : Array.isArray(v)
      ? v.map(normalise)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]))
        : v;
