/**
 * The alarm store on DynamoDB (`prestacop-alarms`, hash key `id`): one item per alarm id, the durable dedup
 * record. An item holds the alarm as published (`AlarmRaised` encoded, so the console and the analysis read the
 * same fields as SNS subscribers) plus delivery bookkeeping:
 *
 * | attribute | written by | meaning |
 * |---|---|---|
 * | `claimedBy`, `claimedAt` | record | the instance that stored it first, and when |
 * | `publishedAt` | mark | first confirmed publish (set once); absent = never confirmed |
 * | `lastPublishedAt`, `snsMessageId` | mark | latest publish; the first publish's SNS message id |
 * | `publishCount` | record (0), mark (+1) | confirmed publishes: > 1 means a duplicate publish happened |
 *
 * `record` is a conditional put (`attribute_not_exists(id)`) that returns the existing item on failure
 * (`ReturnValuesOnConditionCheckFailure`), so a redelivery costs one call, like a first delivery. The item holds
 * the alarm's `messageHash`: the delivery compares it to tell a redelivery from a conflict (another message
 * reusing the id), and a conflict never overwrites the record (the put is conditional).
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

import { portFailure } from '../../runtime/errors.ts';
import { AlarmRaised } from '../protocol/alarm.ts';
import type { AlarmRecordState, AlarmStore } from './ports.ts';

/** The raw AttributeValue item a ConditionalCheckFailedException carries (the document client leaves it as is). */
type RawItem = Readonly<Record<string, { readonly S?: string } | undefined>>;

const iso = (ms: number) => new Date(ms).toISOString();

const isConditionFailure = (e: unknown): e is Error & { readonly Item?: RawItem } =>
  e instanceof Error && e.name === 'ConditionalCheckFailedException';

const stateOfRaw = (item: RawItem): AlarmRecordState => ({
  claimedBy: item.claimedBy?.S ?? 'unknown',
  ...(item.publishedAt?.S === undefined ? {} : { publishedAt: item.publishedAt.S }),
  ...(item.messageHash?.S === undefined ? {} : { messageHash: item.messageHash.S }),
});

/**
 * Creates the store.
 * @example
 * const store = createDynamoAlarmStore(clients.doc, 'prestacop-alarms');
 * await store.record(alarm, { by: 'host-1-abc', at: Date.now() }); // { _tag: 'recorded' }
 */
export const createDynamoAlarmStore = (doc: DynamoDBDocumentClient, table: string): AlarmStore => {
  /** The existing item's state when the failed put did not return it (older emulators). */
  const readState = async (id: string): Promise<AlarmRecordState> => {
    const out = await doc.send(
      new GetCommand({ TableName: table, Key: { id }, ConsistentRead: true }),
    );
    const item = out.Item ?? {};
    return {
      claimedBy: typeof item.claimedBy === 'string' ? item.claimedBy : 'unknown',
      ...(typeof item.publishedAt === 'string' ? { publishedAt: item.publishedAt } : {}),
      ...(typeof item.messageHash === 'string' ? { messageHash: item.messageHash } : {}),
    };
  };

  return {
    record: async (alarm, claim) => {
      try {
        await doc.send(
          new PutCommand({
            TableName: table,
            Item: {
              ...(AlarmRaised.encode(alarm) as Record<string, unknown>),
              claimedBy: claim.by,
              claimedAt: iso(claim.at),
              publishCount: 0,
            },
            ConditionExpression: 'attribute_not_exists(id)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { _tag: 'recorded' };
      } catch (e) {
        if (!isConditionFailure(e)) throw portFailure('dynamodb', e);
        try {
          return { _tag: 'known', state: e.Item ? stateOfRaw(e.Item) : await readState(alarm.id) };
        } catch (read) {
          throw portFailure('dynamodb', read);
        }
      }
    },
    stored: async (id) => {
      try {
        const out = await doc.send(
          new GetCommand({ TableName: table, Key: { id }, ConsistentRead: true }),
        );
        return out.Item === undefined ? null : JSON.stringify(out.Item);
      } catch (e) {
        throw portFailure('dynamodb', e);
      }
    },
    markPublished: async (id, publish) => {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { id },
            UpdateExpression:
              'SET publishedAt = if_not_exists(publishedAt, :at), lastPublishedAt = :at, ' +
              'snsMessageId = if_not_exists(snsMessageId, :mid) ADD publishCount :one',
            ExpressionAttributeValues: {
              ':at': iso(publish.at),
              ':mid': publish.messageId,
              ':one': 1,
            },
          }),
        );
      } catch (e) {
        throw portFailure('dynamodb', e);
      }
    },
  };
};
