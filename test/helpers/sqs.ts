/** SQS helpers for the integration specs. */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Messages still in a queue, visible or handed out and not deleted (NaN if the queue does not say). */
export const queueDepth = async (sqs: SQSClient, queueUrl: string): Promise<number> => {
  const { Attributes: a } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(a?.ApproximateNumberOfMessages ?? NaN) +
    Number(a?.ApproximateNumberOfMessagesNotVisible ?? NaN)
  );
};
