/**
 * DynamoDB's busiest calls on the wire (json-wire.ts): BatchWriteItem, BatchGetItem and UpdateItem as JSON 1.0
 * protocol requests, marshalled by hand. Every other call stays with the SDK.
 *
 * Why: the storage writer sends one BatchWriteItem per 25 messages and one BatchGetItem per 100, and the SDK's
 * generic path (document marshalling, the schema serializer, endpoint rules and the middleware stack on every call)
 * cost about twice the CPU of the request itself: measured on DynamoDB Local, 25-item BatchWriteItem, two in
 * flight, CPU per item of this process, `lib-dynamodb` 112-136 µs, `client-dynamodb` with our marshaller
 * 89-112 µs, this path 39-67 µs (three rounds, load 8: the ratios held, the absolute figures did not;
 * `bench -- writer` has the figures that count). UpdateItem is the bus's: every checkpoint and lease renewal of
 * every consumer, several a second per process. What the wire keeps of the SDK and what not: json-wire.ts.
 *
 * {@link wireDocClient} wraps a document client so that exactly these commands take this path: the callers
 * (`batchGetItems`, the hot table, the lease store) do not change, and tests run them on both paths against
 * DynamoDB Local.
 */
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  UpdateCommand,
  type UpdateCommandInput,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';

import { createJsonWire, DYNAMODB_JSON, type WireClientConfig } from './json-wire.ts';

// ---------------------------------------------------------------------------------------------------------------
// marshalling (the subset of `@aws-sdk/util-dynamodb` the tables use; held equal to it by a property test)

/** A DynamoDB AttributeValue, as the JSON protocol writes it. */
export type AttributeValue =
  | { readonly S: string }
  | { readonly N: string }
  | { readonly BOOL: boolean }
  | { readonly NULL: true }
  | { readonly B: string }
  | { readonly L: ReadonlyArray<AttributeValue> }
  | { readonly M: Readonly<Record<string, AttributeValue>> };

/**
 * One value as an AttributeValue, as `marshall(v, { removeUndefinedValues: true })` does: strings, finite numbers,
 * booleans, null, byte arrays (base64 on the wire), arrays and plain objects (undefined members left out). Throws
 * on anything else (a non-finite number or one beyond 2^53, a Set, a function), as the SDK does: an item that
 * cannot be stored is a bug of the caller, said at once.
 * @example toAttribute({ lat: 40.7 }) // { M: { lat: { N: '40.7' } } }
 */
export const toAttribute = (v: unknown): AttributeValue => {
  switch (typeof v) {
    case 'string':
      return { S: v };
    case 'number':
      return { N: numberText(v) };
    case 'bigint':
      return { N: v.toString() };
    case 'boolean':
      return { BOOL: v };
    case 'object': {
      if (v === null) return { NULL: true };
      if (Array.isArray(v)) return { L: v.filter((x) => x !== undefined).map(toAttribute) };
      if (v instanceof Uint8Array) return { B: Buffer.from(v).toString('base64') };
      plainObject(v);
      return { M: toItem(v as Record<string, unknown>) };
    }
    default:
      throw new TypeError(`cannot store a ${typeof v} in DynamoDB`);
  }
};

/** A number as DynamoDB's N holds it; throws as the SDK does for one it cannot hold exactly. */
const numberText = (v: number): string => {
  if (!Number.isFinite(v)) throw new TypeError(`cannot store the number ${v} in DynamoDB`);
  // As the SDK: past 2^53 a number may not be what was meant (store a bigint or a string instead).
  if (Math.abs(v) > Number.MAX_SAFE_INTEGER)
    throw new RangeError(`cannot store the number ${v} exactly: beyond Number.MAX_SAFE_INTEGER`);
  return String(v);
};

/** Throws unless `v` is a plain object (a class instance is a bug of the caller, as the SDK says). */
const plainObject = (v: object): void => {
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null)
    throw new TypeError(`cannot store a ${v.constructor?.name ?? 'value'} in DynamoDB`);
};

/** An item's attributes (undefined members left out). */
export const toItem = (item: Readonly<Record<string, unknown>>): Record<string, AttributeValue> => {
  const out: Record<string, AttributeValue> = {};
  for (const key in item) {
    if (!Object.hasOwn(item, key)) continue;
    const value = item[key];
    if (value !== undefined) setOwn(out, key, toAttribute(value));
  }
  return out;
};

/**
 * `out[key] = value`, except that a key `__proto__` (which JSON.parse makes an own member) stays a member rather
 * than replacing `out`'s prototype, and so is neither lost nor able to graft one object onto another.
 */
const setOwn = <T>(out: Record<string, T>, key: string, value: T): void => {
  if (key === '__proto__')
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else out[key] = value;
};

/**
 * An AttributeValue back to a value, as `unmarshall` does for what {@link toAttribute} writes (numbers as
 * `Number`, refusing one that would lose precision; sets as `Set`).
 */
export const fromAttribute = (a: Readonly<Record<string, unknown>>): unknown => {
  if ('S' in a) return a.S;
  if ('N' in a) return toNumber(a.N as string);
  if ('BOOL' in a) return a.BOOL;
  if ('NULL' in a) return null;
  if ('B' in a) return Buffer.from(a.B as string, 'base64');
  if ('L' in a) return (a.L as Array<Record<string, unknown>>).map(fromAttribute);
  if ('M' in a) return fromItem(a.M as Record<string, Record<string, unknown>>);
  if ('SS' in a) return new Set(a.SS as string[]);
  if ('NS' in a) return new Set((a.NS as string[]).map(toNumber));
  if ('BS' in a) return new Set((a.BS as string[]).map((b) => Buffer.from(b, 'base64')));
  throw new TypeError(`unknown DynamoDB attribute type ${Object.keys(a).join(',')}`);
};

/** An item from its attributes. */
export const fromItem = (
  item: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(item)) setOwn(out, key, fromAttribute(item[key]!));
  return out;
};

const toNumber = (n: string): number => {
  const value = Number(n);
  if (
    !Number.isFinite(value) ||
    (Number.isInteger(value) && !Number.isSafeInteger(value) && !/[.eE]/.test(n))
  )
    throw new RangeError(`DynamoDB number ${n} does not fit a JavaScript number`);
  return value;
};

// ---------------------------------------------------------------------------------------------------------------
// the calls

/** The two calls, taking and giving what `lib-dynamodb`'s commands take and give. */
export interface DynamoWire {
  readonly batchWrite: (input: BatchWriteCommandInput) => Promise<BatchWriteCommandOutput>;
  readonly batchGet: (
    input: BatchGetCommandInput,
    abortSignal?: AbortSignal,
  ) => Promise<BatchGetCommandOutput>;
  readonly update: (
    input: UpdateCommandInput,
    abortSignal?: AbortSignal,
  ) => Promise<UpdateCommandOutput>;
}

/**
 * The wire calls of `client` (a DynamoDB client, or a document client over one: they share one config).
 * @example const wire = createDynamoWire(clients.dynamodb); await wire.batchWrite({ RequestItems: { t: [...] } });
 */
export const createDynamoWire = (client: { readonly config: WireClientConfig }): DynamoWire => {
  const wire = createJsonWire(client, DYNAMODB_JSON);
  const call = wire.call;

  return {
    batchWrite: async (input) => {
      // AttributeValue objects, then one JSON.stringify: its C++ writes the body flat. Written out as text with
      // `+=` (an earlier version) it built a tree of thousands of small strings that the encoding to bytes then had
      // to flatten: 5-6 µs of CPU an item against 1.5 (25-item bodies of writer-shaped items, scratch benchmark).
      const requests: Record<string, unknown> = {};
      for (const [table, writes] of Object.entries(input.RequestItems ?? {}))
        setOwn(
          requests,
          table,
          writes.map((w) =>
            w.PutRequest
              ? { PutRequest: { Item: toItem(w.PutRequest.Item ?? {}) } }
              : { DeleteRequest: { Key: toItem(w.DeleteRequest?.Key ?? {}) } },
          ),
        );
      const out = (await call('BatchWriteItem', JSON.stringify({ RequestItems: requests }))) as {
        UnprocessedItems?: Record<string, Array<Record<string, Record<string, never>>>>;
      };
      const unprocessed: NonNullable<BatchWriteCommandOutput['UnprocessedItems']> = {};
      for (const [table, writes] of Object.entries(out.UnprocessedItems ?? {}))
        unprocessed[table] = writes.map((w) =>
          w.PutRequest
            ? { PutRequest: { Item: fromItem(w.PutRequest.Item ?? {}) } }
            : { DeleteRequest: { Key: fromItem(w.DeleteRequest?.Key ?? {}) } },
        );
      return { $metadata: {}, UnprocessedItems: unprocessed };
    },
    batchGet: async (input, abortSignal) => {
      const requests: Record<string, unknown> = {};
      for (const [table, { Keys, ...rest }] of Object.entries(input.RequestItems ?? {}))
        requests[table] = { ...rest, Keys: (Keys ?? []).map(toItem) };
      const body = JSON.stringify({ RequestItems: requests });
      const out = (await call('BatchGetItem', body, abortSignal)) as {
        Responses?: Record<string, Array<Record<string, Record<string, unknown>>>>;
        UnprocessedKeys?: Record<
          string,
          { Keys?: Array<Record<string, Record<string, unknown>>> } & Record<string, unknown>
        >;
      };
      const responses: Record<string, Array<Record<string, unknown>>> = {};
      for (const [table, items] of Object.entries(out.Responses ?? {}))
        responses[table] = items.map(fromItem);
      const unprocessed: NonNullable<BatchGetCommandOutput['UnprocessedKeys']> = {};
      for (const [table, { Keys, ...rest }] of Object.entries(out.UnprocessedKeys ?? {}))
        unprocessed[table] = { ...rest, Keys: (Keys ?? []).map(fromItem) };
      return { $metadata: {}, Responses: responses, UnprocessedKeys: unprocessed };
    },
    update: async (input, abortSignal) => {
      const { Key, ExpressionAttributeValues, ...rest } = input;
      const request = {
        ...rest,
        Key: toItem(Key ?? {}),
        ...(ExpressionAttributeValues === undefined
          ? {}
          : { ExpressionAttributeValues: toItem(ExpressionAttributeValues) }),
      };
      const out = (await call('UpdateItem', JSON.stringify(request), abortSignal)) as {
        Attributes?: Record<string, Record<string, unknown>>;
        ConsumedCapacity?: UpdateCommandOutput['ConsumedCapacity'];
      };
      return {
        $metadata: {},
        ...(out.Attributes === undefined ? {} : { Attributes: fromItem(out.Attributes) }),
        ...(out.ConsumedCapacity === undefined ? {} : { ConsumedCapacity: out.ConsumedCapacity }),
      };
    },
  };
};

/** What the callers of the batch calls need of a document client. */
export type DocSender = Pick<DynamoDBDocumentClient, 'send'>;

/**
 * `doc`, with its BatchWriteItem, BatchGetItem and UpdateItem sent by {@link createDynamoWire} (every other
 * command by `doc`, and an UpdateItem using the legacy `AttributeUpdates`/`Expected` or asking for the item on a
 * failed condition, which the wire does not read back). `client` defaults to `doc` itself (a document client
 * shares its DynamoDB client's config). An `abortSignal` in the send options is honoured, as the SDK does.
 * @example createDynamoTable(wireDocClient(clients.doc), 'prestacop-messages')
 */
export const wireDocClient = (
  doc: DocSender,
  client: { readonly config: WireClientConfig } = doc as unknown as {
    readonly config: WireClientConfig;
  },
): DocSender => {
  const wire = createDynamoWire(client);
  const send = (command: unknown, ...rest: unknown[]): Promise<unknown> => {
    const abortSignal = (rest[0] as { abortSignal?: AbortSignal } | undefined)?.abortSignal;
    if (command instanceof BatchWriteCommand) return wire.batchWrite(command.input);
    if (command instanceof BatchGetCommand) return wire.batchGet(command.input, abortSignal);
    if (command instanceof UpdateCommand && wireable(command.input))
      return wire.update(command.input, abortSignal);
    return (doc.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
  };
  return { send: send as DocSender['send'] };
};

const wireable = (input: UpdateCommandInput): boolean =>
  input.AttributeUpdates === undefined &&
  input.Expected === undefined &&
  input.ReturnValuesOnConditionCheckFailure === undefined;
