/**
 * Names to addresses: services are configured with resource names (from config/resources.json), while SNS wants
 * a topic ARN and SQS a queue URL. Both lookups accept the address itself too, so a flag may carry either.
 * Nothing is created here: on AWS the resources belong to Terraform.
 */
import { paginateListTopics, type SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * The ARN of a topic given its name (or its ARN, returned as is). Rejects if no topic has that name.
 * @example await topicArnOf(clients.sns, 'prestacop-alarms') // 'arn:aws:sns:us-east-1:000000000000:prestacop-alarms'
 */
export const topicArnOf = async (sns: SNSClient, nameOrArn: string): Promise<string> => {
  if (nameOrArn.startsWith('arn:')) return nameOrArn;
  for await (const page of paginateListTopics({ client: sns }, {})) {
    const arn = page.Topics?.find((t) => t.TopicArn?.split(':').pop() === nameOrArn)?.TopicArn;
    if (arn !== undefined) return arn;
  }
  throw new Error(`sns topic ${nameOrArn} not found`);
};

/**
 * The URL of a queue given its name (or its URL, returned as is). Rejects if the queue does not exist.
 * @example await queueUrlOf(clients.sqs, 'prestacop-console') // 'http://127.0.0.1:4571/000000000000/prestacop-console'
 */
export const queueUrlOf = async (sqs: SQSClient, nameOrUrl: string): Promise<string> => {
  if (/^https?:\/\//.test(nameOrUrl)) return nameOrUrl;
  const out = await sqs.send(new GetQueueUrlCommand({ QueueName: nameOrUrl }));
  if (out.QueueUrl === undefined) throw new Error(`sqs queue ${nameOrUrl} not found`);
  return out.QueueUrl;
};
