/**
 * Resources of one alert-system test: a drone stream, an alarm table, a topic and a queue subscribed to it (raw
 * delivery off, as provisioned for the console), all with unique names on the shared stack. fauxqs keeps topics
 * and queues in memory, so they live as long as the stack process.
 */
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';

import { createStream, createTable } from '../../runtime/aws/provision.ts';
import { queueArn } from '../../runtime/aws/provision-verify.ts';
import { type TestStack, uniqueName } from './stack.ts';

/** Names and addresses of one test's alarm resources. */
export interface AlarmResources {
  readonly stream: string;
  readonly table: string;
  readonly topicArn: string;
  readonly queueUrl: string;
  /** The stack's shared leases table (keys carry application and stream, so tests never collide). */
  readonly leaseTable: string;
  /** The stack's shared bucket, for dead letters. */
  readonly bucket: string;
}

/**
 * Creates them.
 * @example const r = await createAlarmResources(stack, 4);
 */
export const createAlarmResources = async (
  stack: TestStack,
  shards: number,
): Promise<AlarmResources> => {
  const { clients } = stack;
  const stream = uniqueName('alarm-drones');
  const table = uniqueName('alarms');
  const [, , topic, queue] = await Promise.all([
    createStream(clients, stream, shards),
    createTable(clients, { name: table, hashKey: 'id', ttlAttribute: null }),
    clients.sns.send(new CreateTopicCommand({ Name: uniqueName('alarms') })),
    clients.sqs.send(new CreateQueueCommand({ QueueName: uniqueName('console') })),
  ]);
  const topicArn = topic.TopicArn!;
  const queueUrl = queue.QueueUrl!;
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: await queueArn(clients, queueUrl),
      Attributes: { RawMessageDelivery: 'false' },
    }),
  );
  return {
    stream,
    table,
    topicArn,
    queueUrl,
    leaseTable: 'prestacop-leases',
    bucket: 'prestacop-archive',
  };
};
