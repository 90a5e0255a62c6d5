/**
 * The AWS SDK v3 clients of one {@link AwsTarget}. Services, the provisioner and tests build their clients here
 * and nowhere else, so the emulator workarounds below live in one place (see ../shared/LOCAL-STACK.md).
 */
import http from 'node:http';

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

import { type AwsTarget, LOCAL_CREDENTIALS } from './target.ts';

/** One client per service, all pointing at the same target. */
export interface AwsClients {
  readonly kinesis: KinesisClient;
  readonly dynamodb: DynamoDBClient;
  /** Document client over `dynamodb`: plain JS values in and out, `undefined` attributes dropped. */
  readonly doc: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  /** Closes every client and its sockets. Idempotent. */
  readonly destroy: () => void;
}

/** Tuning for {@link createAwsClients}. */
export interface AwsClientOptions {
  /** SDK attempts per call, first try included. Default 3 (the SDK's own default). */
  readonly maxAttempts?: number;
  /** Local only: socket connect timeout in ms. Default 3000, so a dead emulator fails fast. */
  readonly connectionTimeoutMs?: number;
  /** Local only: whole-request timeout in ms. Default 30000, so a wedged emulator cannot hang a caller. */
  readonly requestTimeoutMs?: number;
}

/**
 * Builds the clients for a target.
 *
 * Local: every client gets its emulator endpoint, the region and {@link LOCAL_CREDENTIALS} explicitly, and every
 * setting an `AWS_*` variable or `~/.aws/config` could change is pinned, so a stray `AWS_PROFILE`,
 * `AWS_ENDPOINT_URL` or `AWS_USE_FIPS_ENDPOINT` can never send local traffic to AWS (or break it).
 * AWS: region only; credentials come from the default provider chain.
 *
 * @example
 * const clients = createAwsClients({ kind: 'local', region: 'us-east-1', endpoints: stack.endpoints });
 * await clients.kinesis.send(new ListStreamsCommand({}));
 * clients.destroy();
 */
export const createAwsClients = (target: AwsTarget, options: AwsClientOptions = {}): AwsClients => {
  const maxAttempts = options.maxAttempts ?? 3;
  if (target.kind === 'aws') {
    const base = { region: target.region, maxAttempts };
    const dynamodb = new DynamoDBClient(base);
    return assemble({
      kinesis: new KinesisClient(base),
      dynamodb,
      s3: new S3Client(base),
      sns: new SNSClient(base),
      sqs: new SQSClient(base),
    });
  }

  const { endpoints } = target;
  const handler = (maxSockets: number): NodeHttpHandler =>
    new NodeHttpHandler({
      // HTTP/1.1 with keep-alive for every client. Kinesis needs it most: its SDK default is HTTP/2, which
      // kinesalite does not speak at all ("Protocol error" on every call).
      httpAgent: new http.Agent({ keepAlive: true, maxSockets }),
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
    });
  const base = (endpoint: string, maxSockets = 50) => ({
    region: target.region,
    endpoint,
    credentials: { ...LOCAL_CREDENTIALS },
    maxAttempts,
    retryMode: 'standard',
    // Pinned so AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT cannot reject the custom endpoint.
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    requestHandler: handler(maxSockets),
  });
  const dynamodb = new DynamoDBClient({
    ...base(endpoints.dynamodb),
    accountIdEndpointMode: 'disabled',
  });
  return assemble({
    kinesis: new KinesisClient(base(endpoints.kinesis, 64)),
    dynamodb,
    s3: new S3Client({
      ...base(endpoints.s3),
      forcePathStyle: true,
      // s3rver stores aws-chunked bodies (the SDK default for streams) verbatim: silent corruption.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    sns: new SNSClient(base(endpoints.sns)),
    // The SQS client otherwise sends each call to the host inside the QueueUrl rather than to `endpoint`.
    sqs: new SQSClient({ ...base(endpoints.sqs), useQueueUrlAsEndpoint: false }),
  });
};

type Core = Omit<AwsClients, 'doc' | 'destroy'>;

const assemble = (core: Core): AwsClients => {
  let destroyed = false;
  return {
    ...core,
    doc: DynamoDBDocumentClient.from(core.dynamodb, {
      marshallOptions: { removeUndefinedValues: true },
    }),
    destroy: () => {
      if (destroyed) return;
      destroyed = true;
      // The document client shares the DynamoDB client's handler: destroying `dynamodb` closes both.
      for (const client of Object.values(core)) client.destroy();
    },
  };
};
