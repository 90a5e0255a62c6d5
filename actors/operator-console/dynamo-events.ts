/**
 * The decision store on DynamoDB (`prestacop-alarm-events`, hash key `id`): one item per `alarm.resolved` or
 * `alarm.escalated` event, the event's JSON plus `publishedAt` on escalations once SNS accepted them. Event ids
 * are derived (`<alarmId>:acknowledged`, `<alarmId>:confirmed`, `<alarmId>:escalated:1`), so every write is a
 * conditional put and a repeat (a double click, a second console, a restart) changes nothing.
 *
 * Final decisions and escalations are transactions: confirm/dismiss = put the decision if absent + the
 * acknowledgement exists + the other final decision is absent; escalate = put if absent + no acknowledgement.
 * Two operators racing (one confirms, one dismisses) touch the same items, so one transaction is cancelled.
 *
 * Also the alarm source: a scan of the alarm store (`prestacop-alarms`) for alarms raised since a time.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  paginateScan,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

import { E } from '../../runtime/codec.ts';
import { portFailure } from '../../runtime/errors.ts';
import {
  AlarmEscalated,
  AlarmRaised,
  alarmResolutionId,
  AlarmResolved,
} from '../protocol/alarm.ts';
import type {
  AlarmSource,
  DecisionOutcome,
  DecisionStore,
  EscalationOutcome,
  RecordedEscalation,
} from './ports.ts';

const hasName = (e: unknown, name: string): e is Error & { CancellationReasons?: unknown } =>
  e instanceof Error && e.name === name;

/** Which items of a cancelled transaction failed their condition (true per failed item, in request order). */
const failedConditions = (e: Error & { CancellationReasons?: unknown }): ReadonlyArray<boolean> =>
  Array.isArray(e.CancellationReasons)
    ? (e.CancellationReasons as ReadonlyArray<{ Code?: string } | undefined>).map(
        (r) => r?.Code === 'ConditionalCheckFailed',
      )
    : [];

/** Options of {@link createDynamoDecisionStore}. */
export interface DynamoDecisionStoreOptions {
  /** Called for an item that does not decode (counted by the caller; the item is skipped). */
  readonly onBadItem?: (id: string, why: string) => void;
}

/**
 * Creates the store on a table.
 * @example const store = createDynamoDecisionStore(clients.doc, 'prestacop-alarm-events');
 */
export const createDynamoDecisionStore = (
  doc: DynamoDBDocumentClient,
  table: string,
  options: DynamoDecisionStoreOptions = {},
): DecisionStore => {
  const exists = async (id: string): Promise<boolean> => {
    const out = await doc.send(
      new GetCommand({ TableName: table, Key: { id }, ConsistentRead: true }),
    );
    return out.Item !== undefined;
  };
  const itemOf = (e: AlarmResolved | AlarmEscalated): Record<string, unknown> =>
    e.type === 'alarm.resolved' ? AlarmResolved.encode(e) : AlarmEscalated.encode(e);

  return {
    load: async () => {
      const resolutions: AlarmResolved[] = [];
      const escalations: RecordedEscalation[] = [];
      try {
        for await (const page of paginateScan({ client: doc }, { TableName: table })) {
          for (const item of page.Items ?? []) {
            const publishedAt: unknown = item.publishedAt;
            const r = AlarmResolved.decode(item);
            if (E.isRight(r)) {
              resolutions.push(r.right);
              continue;
            }
            const e = AlarmEscalated.decode(item);
            if (E.isRight(e)) {
              escalations.push({
                event: e.right,
                ...(typeof publishedAt === 'string' ? { publishedAt } : {}),
              });
              continue;
            }
            options.onBadItem?.(String(item.id), 'neither alarm.resolved nor alarm.escalated');
          }
        }
      } catch (e) {
        throw portFailure('dynamodb', e);
      }
      return { resolutions, escalations };
    },

    decide: async (r): Promise<DecisionOutcome> => {
      try {
        if (r.decision === 'acknowledged') {
          await doc.send(
            new PutCommand({
              TableName: table,
              Item: itemOf(r),
              ConditionExpression: 'attribute_not_exists(id)',
            }),
          );
          return { _tag: 'recorded' };
        }
        const other = r.decision === 'confirmed' ? 'dismissed' : 'confirmed';
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table,
                  Item: itemOf(r),
                  ConditionExpression: 'attribute_not_exists(id)',
                },
              },
              {
                ConditionCheck: {
                  TableName: table,
                  Key: { id: alarmResolutionId(r.alarmId, other) },
                  ConditionExpression: 'attribute_not_exists(id)',
                },
              },
              {
                ConditionCheck: {
                  TableName: table,
                  Key: { id: alarmResolutionId(r.alarmId, 'acknowledged') },
                  ConditionExpression: 'attribute_exists(id)',
                },
              },
            ],
          }),
        );
        return { _tag: 'recorded' };
      } catch (e) {
        if (hasName(e, 'ConditionalCheckFailedException'))
          return { _tag: 'rejected', reason: 'duplicate' };
        if (!hasName(e, 'TransactionCanceledException')) throw portFailure('dynamodb', e);
        const [self, otherFinal, ack] = failedConditions(e);
        if (self) return { _tag: 'rejected', reason: 'duplicate' };
        if (otherFinal) return { _tag: 'rejected', reason: 'already-resolved' };
        if (ack) return { _tag: 'rejected', reason: 'not-acknowledged' };
        // No reasons given (or a conflict with a concurrent transaction): read what is there.
        try {
          if (await exists(r.id)) return { _tag: 'rejected', reason: 'duplicate' };
          if (!(await exists(alarmResolutionId(r.alarmId, 'acknowledged'))))
            return { _tag: 'rejected', reason: 'not-acknowledged' };
        } catch (read) {
          throw portFailure('dynamodb', read);
        }
        throw portFailure('dynamodb', e, true);
      }
    },

    escalate: async (ev): Promise<EscalationOutcome> => {
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table,
                  Item: itemOf(ev),
                  ConditionExpression: 'attribute_not_exists(id)',
                },
              },
              {
                ConditionCheck: {
                  TableName: table,
                  Key: { id: alarmResolutionId(ev.alarmId, 'acknowledged') },
                  ConditionExpression: 'attribute_not_exists(id)',
                },
              },
            ],
          }),
        );
        return 'escalated';
      } catch (e) {
        if (!hasName(e, 'TransactionCanceledException')) throw portFailure('dynamodb', e);
        const [self, ack] = failedConditions(e);
        if (self) return 'already-escalated';
        if (ack) return 'acknowledged';
        try {
          if (await exists(ev.id)) return 'already-escalated';
          if (await exists(alarmResolutionId(ev.alarmId, 'acknowledged'))) return 'acknowledged';
        } catch (read) {
          throw portFailure('dynamodb', read);
        }
        throw portFailure('dynamodb', e, true);
      }
    },

    markEscalationPublished: async (id, at) => {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { id },
            UpdateExpression: 'SET publishedAt = if_not_exists(publishedAt, :at)',
            ConditionExpression: 'attribute_exists(id)',
            ExpressionAttributeValues: { ':at': new Date(at).toISOString() },
          }),
        );
      } catch (e) {
        throw portFailure('dynamodb', e);
      }
    },
  };
};

/**
 * The alarm source: a scan of the alarm store, keeping alarms raised since `sinceMs`. Items that do not decode
 * (a foreign item, a damaged one) are reported to `onBadItem` and skipped.
 * @example const alarms = await createDynamoAlarmSource(clients.doc, 'prestacop-alarms').load(Date.now() - 86_400_000);
 */
export const createDynamoAlarmSource = (
  doc: DynamoDBDocumentClient,
  table: string,
  options: DynamoDecisionStoreOptions = {},
): AlarmSource => ({
  load: async (sinceMs) => {
    const out: AlarmRaised[] = [];
    try {
      for await (const page of paginateScan(
        { client: doc },
        {
          TableName: table,
          FilterExpression: 'raisedAt >= :since',
          ExpressionAttributeValues: { ':since': new Date(sinceMs).toISOString() },
        },
      )) {
        for (const item of page.Items ?? []) {
          // The codec drops the store's bookkeeping (claimedBy, publishCount, ...).
          const a = AlarmRaised.decode(item);
          if (E.isRight(a)) out.push(a.right);
          else options.onBadItem?.(String(item.id), 'not an alarm.raised');
        }
      }
    } catch (e) {
      throw portFailure('dynamodb', e);
    }
    return out;
  },
});
