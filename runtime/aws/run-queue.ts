/**
 * A queue of one's own on a topic, for one run: created and subscribed (raw delivery off, as the provisioned
 * queues), then unsubscribed and deleted. A run that reads a queue others read takes their messages (SQS hands each
 * one to a single reader); on its own queue it gets a copy of everything the topic carries and takes nothing from
 * anyone. The queue's policy lets the topic send to it, as Terraform's does on AWS.
 */
import { SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';

import type { AwsClients } from './clients.ts';
import { queueArn } from './provision-verify.ts';

/** A queue created by {@link createRunQueue}. */
export interface RunQueue {
  readonly name: string;
  readonly url: string;
  /** Unsubscribes and deletes the queue. Idempotent; never rejects (a failure is returned, for a warning). */
  readonly remove: () => Promise<string | undefined>;
}

/** SQS queue names: 1-80 characters of letters, digits, `-` and `_`. */
export const runQueueName = (prefix: string, runId: string, purpose: string): string =>
  `${prefix}-${runId}-${purpose}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);

/**
 * Creates a queue named `name`, subscribed to `topicArn`.
 * @example const q = await createRunQueue(clients, topicArn, runQueueName('prestacop', runId, 'count')); ... await q.remove();
 */
export const createRunQueue = async (
  clients: AwsClients,
  topicArn: string,
  name: string,
): Promise<RunQueue> => {
  const created = await clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
  const url = created.QueueUrl;
  if (url === undefined) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  const deleteQueue = () => clients.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  let subscriptionArn: string | undefined;
  try {
    const arn = await queueArn(clients, url);
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: arn,
          Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
        },
      ],
    };
    await clients.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: url,
        Attributes: { Policy: JSON.stringify(policy) },
      }),
    );
    const sub = await clients.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: arn,
        Attributes: { RawMessageDelivery: 'false' },
        ReturnSubscriptionArn: true,
      }),
    );
    subscriptionArn = sub.SubscriptionArn;
  } catch (e) {
    await deleteQueue().catch(() => undefined);
    throw e;
  }
  let removed: Promise<string | undefined> | undefined;
  return {
    name,
    url,
    remove: () =>
      (removed ??= (async () => {
        const problems: string[] = [];
        if (subscriptionArn !== undefined)
          await clients.sns
            .send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }))
            .catch((e: unknown) => problems.push(`unsubscribe: ${String(e)}`));
        await deleteQueue().catch((e: unknown) => problems.push(`delete: ${String(e)}`));
        return problems.length ? `queue ${name}: ${problems.join('; ')}` : undefined;
      })()),
  };
};
