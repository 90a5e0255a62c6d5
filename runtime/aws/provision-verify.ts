/**
 * `provision(..., { mode: 'verify' })`: on AWS the resources belong to Terraform, so a service only checks that
 * each one exists and is usable, and refuses to start with one error that lists every problem at once (rather
 * than failing on the first, fixing it, and failing on the next).
 */
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import {
  GetSubscriptionAttributesCommand,
  paginateListSubscriptionsByTopic,
  paginateListTopics,
} from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';

import type { AwsClients } from './clients.ts';
import type { ProvisionReport } from './provision.ts';
import type { QueueSpec, ResourceSpec } from './resources.ts';

/** Checks every resource; resolves with what was found, or rejects with one Error listing every problem. */
export const verifyAll = async (
  clients: AwsClients,
  spec: ResourceSpec,
): Promise<ProvisionReport> => {
  const existing: string[] = [];
  const warnings: string[] = [];
  const problems: string[] = [];
  const topicArns: Record<string, string> = {};
  const queueUrls: Record<string, string> = {};
  // Each check reports its own problem; an unexpected SDK error (AccessDenied, ...) is a problem too.
  const check = async (what: string, run: () => Promise<string | undefined>): Promise<void> => {
    try {
      const problem = await run();
      if (problem === undefined) existing.push(what);
      else problems.push(`${what}: ${problem}`);
    } catch (err) {
      problems.push(`${what}: ${hasName(err, ...NOT_FOUND) ? 'not found' : describe(err)}`);
    }
  };

  const topics = await listTopicArns(clients).catch((err: unknown) => {
    problems.push(`sns topics: cannot list (${describe(err)})`);
    return new Map<string, string>();
  });

  await Promise.all([
    ...Object.values(spec.streams).map((s) =>
      check(`kinesis stream ${s.name}`, async () => {
        const r = await clients.kinesis.send(
          new DescribeStreamSummaryCommand({ StreamName: s.name }),
        );
        const status = r.StreamDescriptionSummary?.StreamStatus;
        if (status !== 'ACTIVE' && status !== 'UPDATING') return `status ${status}`;
        const open = r.StreamDescriptionSummary?.OpenShardCount;
        if (open !== s.shards)
          warnings.push(`kinesis stream ${s.name}: ${open} shards, spec ${s.shards}`);
        return undefined;
      }),
    ),
    ...Object.values(spec.tables).map((table) =>
      check(`dynamodb table ${table.name}`, async () => {
        const r = await clients.dynamodb.send(new DescribeTableCommand({ TableName: table.name }));
        const status = r.Table?.TableStatus;
        if (status !== 'ACTIVE' && status !== 'UPDATING') return `status ${status}`;
        const hash = r.Table?.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
        if (hash !== table.hashKey) return `hash key is ${hash}, the spec says ${table.hashKey}`;
        if (table.ttlAttribute === null) return undefined;
        const ttl = await clients.dynamodb.send(
          new DescribeTimeToLiveCommand({ TableName: table.name }),
        );
        const d = ttl.TimeToLiveDescription;
        const on = d?.TimeToLiveStatus === 'ENABLED' || d?.TimeToLiveStatus === 'ENABLING';
        return on && d?.AttributeName === table.ttlAttribute
          ? undefined
          : `TTL on ${table.ttlAttribute} is not enabled (${d?.TimeToLiveStatus} on ${d?.AttributeName})`;
      }),
    ),
    ...Object.values(spec.buckets).map((b) =>
      check(`s3 bucket ${b.name}`, async () => {
        await clients.s3.send(new HeadBucketCommand({ Bucket: b.name }));
        return undefined;
      }),
    ),
    ...Object.entries(spec.topics).map(([key, topic]) =>
      check(`sns topic ${topic.name}`, () => {
        const arn = topics.get(topic.name);
        if (arn === undefined) return Promise.resolve('not found');
        topicArns[key] = arn;
        return Promise.resolve(undefined);
      }),
    ),
    ...Object.entries(spec.queues).map(([key, queue]) =>
      check(`sqs queue ${queue.name}`, async () => {
        const r = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }));
        if (r.QueueUrl === undefined) return 'no QueueUrl';
        queueUrls[key] = r.QueueUrl;
        if (queue.subscribeTo === null) return undefined;
        const topicName = (spec.topics as Record<string, { name: string }>)[queue.subscribeTo]
          ?.name;
        const topicArn = topicName === undefined ? undefined : topics.get(topicName);
        if (topicArn === undefined) return `its topic ${topicName ?? queue.subscribeTo} is missing`;
        const arn = await queueArn(clients, r.QueueUrl);
        const subscription = await findSubscription(clients, topicArn, arn);
        return subscription === undefined
          ? `not subscribed to sns topic ${topicName}`
          : await subscriptionMismatch(clients, subscription, queue);
      }),
    ),
  ]);

  if (problems.length > 0) {
    throw new Error(
      `${problems.length} AWS resource(s) missing or unusable in ${spec.region} ` +
        `(create them with terraform/, see config/resources.json):\n  - ${problems.join('\n  - ')}`,
    );
  }
  return { created: [], existing, warnings, topicArns, queueUrls };
};

// ---------------------------------------------------------------------------------------------------------------
// utils shared with provision.ts

/** Error names that mean "this resource does not exist", across the five services. */
const NOT_FOUND = [
  'ResourceNotFoundException',
  'NotFound',
  'NoSuchBucket',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'NotFoundException',
] as const;

/** Whether an SDK error has one of the given names (`err.name` is the AWS error code). */
export const hasName = (err: unknown, ...names: ReadonlyArray<string>): boolean =>
  err instanceof Error && names.includes(err.name);

/** The ARN of a queue, from its URL. */
export const queueArn = async (clients: AwsClients, queueUrl: string): Promise<string> => {
  const r = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = r.Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`GetQueueAttributes ${queueUrl} returned no QueueArn`);
  return arn;
};

/** The ARN of the subscription of the queue `queueArn` to `topicArn`, if there is one. */
export const findSubscription = async (
  clients: AwsClients,
  topicArn: string,
  endpointArn: string,
): Promise<string | undefined> => {
  for await (const page of paginateListSubscriptionsByTopic(
    { client: clients.sns },
    { TopicArn: topicArn },
  )) {
    const found = page.Subscriptions?.find(
      (s) => s.Protocol === 'sqs' && s.Endpoint === endpointArn,
    );
    if (found) return found.SubscriptionArn ?? '';
  }
  return undefined;
};

/**
 * How a queue's subscription differs from its spec (raw delivery, filter policy), or undefined: a raw reader given
 * envelopes would refuse every body, a filtered one would get messages it does not take.
 */
export const subscriptionMismatch = async (
  clients: AwsClients,
  subscriptionArn: string,
  queue: QueueSpec,
): Promise<string | undefined> => {
  const { Attributes: a } = await clients.sns.send(
    new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }),
  );
  const raw = a?.RawMessageDelivery === 'true';
  const policy = a?.FilterPolicy ? (JSON.parse(a.FilterPolicy) as unknown) : undefined;
  const problems = [
    ...(raw === (queue.rawDelivery ?? false)
      ? []
      : [
          `subscribed with raw delivery ${raw ? 'on' : 'off'}, the spec says ${raw ? 'off' : 'on'}`,
        ]),
    ...(JSON.stringify(policy) === JSON.stringify(queue.filterPolicy)
      ? []
      : [
          `subscribed with filter policy ${JSON.stringify(policy ?? null)}, the spec says ${JSON.stringify(queue.filterPolicy ?? null)}`,
        ]),
  ];
  return problems.length ? problems.join('; ') : undefined;
};

/** Topic ARNs by topic name (ARNs end in `:name`). */
export const listTopicArns = async (clients: AwsClients): Promise<Map<string, string>> => {
  const byName = new Map<string, string>();
  for await (const page of paginateListTopics({ client: clients.sns }, {})) {
    for (const t of page.Topics ?? []) {
      const name = t.TopicArn?.split(':').pop();
      if (name !== undefined && t.TopicArn !== undefined) byName.set(name, t.TopicArn);
    }
  }
  return byName;
};

const describe = (err: unknown): string =>
  err instanceof Error ? `${err.name}: ${err.message}` : String(err);
