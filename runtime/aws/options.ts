/**
 * The options every service shares: where AWS is (`--target local|aws`), the region, the local emulators'
 * endpoints, and the ops server. Declared once here, merged into each service's own option specs and codec.
 * Stray `AWS_*` variables are not options: they never switch a local target to AWS.
 */
import { NonEmptyString, oneOf, Port, t } from '../codec.ts';
import type { OptionSpecs } from '../config.ts';
import { DEFAULT_PORTS } from '../local-stack/ports.ts';
import type { AwsTarget } from './target.ts';

const local = (port: number) => `http://127.0.0.1:${port}`;

/** Option specs: spread them into a service's `options`. */
export const awsOptionSpecs: OptionSpecs = {
  target: {
    type: 'string',
    doc: 'local (the embedded emulators, started by npm run stack or swarm) or aws',
    env: 'PRESTACOP_TARGET',
    default: 'local',
  },
  region: { type: 'string', doc: 'AWS region', env: 'PRESTACOP_REGION', default: 'us-east-1' },
  'kinesis-endpoint': {
    type: 'string',
    doc: 'local target: Kinesis emulator URL',
    env: 'PRESTACOP_KINESIS_ENDPOINT',
    default: local(DEFAULT_PORTS.kinesis),
  },
  'dynamodb-endpoint': {
    type: 'string',
    doc: 'local target: DynamoDB emulator URL',
    env: 'PRESTACOP_DYNAMODB_ENDPOINT',
    default: local(DEFAULT_PORTS.dynamodb),
  },
  's3-endpoint': {
    type: 'string',
    doc: 'local target: S3 emulator URL',
    env: 'PRESTACOP_S3_ENDPOINT',
    default: local(DEFAULT_PORTS.s3),
  },
  'sns-endpoint': {
    type: 'string',
    doc: 'local target: SNS and SQS emulator URL',
    env: 'PRESTACOP_SNS_ENDPOINT',
    default: local(DEFAULT_PORTS.sns),
  },
};

/** Option specs of the ops server (`/healthz`, `/metrics`) and logging. */
export const opsOptionSpecs: OptionSpecs = {
  'ops-host': {
    type: 'string',
    doc: 'ops server address',
    env: 'PRESTACOP_OPS_HOST',
    default: '127.0.0.1',
  },
  'ops-port': {
    type: 'string',
    doc: 'ops server port (0 = any free port)',
    env: 'PRESTACOP_OPS_PORT',
    default: '0',
  },
  'log-level': {
    type: 'string',
    doc: 'debug, info, warn, error or silent',
    env: 'LOG_LEVEL',
    default: 'info',
  },
};

const Url = new t.Type<string, string, unknown>(
  'Url',
  (u): u is string => typeof u === 'string',
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c);
    try {
      const url = new URL(u);
      return url.protocol === 'http:' || url.protocol === 'https:'
        ? t.success(u.replace(/\/$/, ''))
        : t.failure(u, c, `expected an http(s) URL, got ${u}`);
    } catch {
      return t.failure(u, c, `expected a URL, got ${JSON.stringify(u)}`);
    }
  },
  (s) => s,
);

/** The codec fragment for {@link awsOptionSpecs}. */
export const AwsOptions = t.type({
  target: oneOf('Target', ['local', 'aws']),
  region: NonEmptyString,
  kinesisEndpoint: Url,
  dynamodbEndpoint: Url,
  s3Endpoint: Url,
  snsEndpoint: Url,
});
export type AwsOptions = t.TypeOf<typeof AwsOptions>;

/** The codec fragment for {@link opsOptionSpecs}. */
export const OpsOptions = t.type({
  opsHost: NonEmptyString,
  opsPort: Port,
  logLevel: oneOf('LogLevel', ['debug', 'info', 'warn', 'error', 'silent']),
});
export type OpsOptions = t.TypeOf<typeof OpsOptions>;

/** The SDK target the options describe. */
export const toAwsTarget = (o: AwsOptions): AwsTarget =>
  o.target === 'aws'
    ? { kind: 'aws', region: o.region }
    : {
        kind: 'local',
        region: o.region,
        endpoints: {
          kinesis: o.kinesisEndpoint,
          dynamodb: o.dynamodbEndpoint,
          s3: o.s3Endpoint,
          sns: o.snsEndpoint,
          sqs: o.snsEndpoint,
        },
      };

/** Environment variables that point a service at a running local stack (for child processes). */
export const localStackEnv = (endpoints: {
  readonly kinesis: string;
  readonly dynamodb: string;
  readonly s3: string;
  readonly sns: string;
}): Record<string, string> => ({
  PRESTACOP_TARGET: 'local',
  PRESTACOP_KINESIS_ENDPOINT: endpoints.kinesis,
  PRESTACOP_DYNAMODB_ENDPOINT: endpoints.dynamodb,
  PRESTACOP_S3_ENDPOINT: endpoints.s3,
  PRESTACOP_SNS_ENDPOINT: endpoints.sns,
});
