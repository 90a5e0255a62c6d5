/**
 * Resources of one alert-system test: a drone stream, an alarm table, a topic and a queue subscribed to it (raw
 * delivery off, as provisioned for the console), all with unique names on the shared stack. fauxqs keeps topics
 * and queues in memory, so they live as long as the stack process. And the alert system in this process on them.
 */
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';

import { createDynamoAlarmStore } from '../../actors/alert-system/dynamo-alarm-store.ts';
import {
  alertConsumerOptions,
  type AlertSystem,
  startAlertSystem,
} from '../../actors/alert-system/service.ts';
import { createSnsAlarmPublisher } from '../../actors/alert-system/sns-publisher.ts';
import { DEFAULT_HUMAN_CODES } from '../../actors/protocol/violation-codes.ts';
import { createStream, createTable } from '../../runtime/aws/provision.ts';
import { queueArn } from '../../runtime/aws/provision-verify.ts';
import { createS3DeadLetters } from '../../runtime/aws/s3-dead-letters.ts';
import { createKinesisBus } from '../../runtime/bus/kinesis.ts';
import type { EventHub } from '../../runtime/events.ts';
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

/**
 * The alert system in this process on `r` (the default human codes), on a bus of its own with the alarm consumer's
 * options; its `stop` also closes that bus.
 * @example const alerts = startAlertSystemOn(stack, r, createEventHub()); cleanups.push(() => alerts.stop());
 */
export const startAlertSystemOn = (
  stack: TestStack,
  r: AlarmResources,
  events: EventHub,
): AlertSystem => {
  const { clients } = stack;
  const bus = createKinesisBus({
    clients,
    leaseTable: r.leaseTable,
    events,
    target: 'local',
    consumer: alertConsumerOptions('local'),
  });
  const alerts = startAlertSystem({
    bus,
    events,
    store: createDynamoAlarmStore(clients.doc, r.table),
    publisher: createSnsAlarmPublisher(clients.sns, r.topicArn),
    deadLetter: createS3DeadLetters(clients.s3, r.bucket, Date.now),
    stream: r.stream,
    humanCodes: DEFAULT_HUMAN_CODES,
  });
  return { ...alerts, stop: () => alerts.stop().then(() => bus.close()) };
};
