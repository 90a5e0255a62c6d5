/**
 * The options every service shares: where AWS is (`--target local|aws`), the region, the local emulators'
 * endpoints, and the ops server. Declared once here, merged into each service's own option specs and codec.
 * The standard variables count as other tools read them: the region from `AWS_REGION` / `AWS_DEFAULT_REGION`
 * below `--region` and `PRESTACOP_REGION`; on the local target, `AWS_ENDPOINT_URL_<SERVICE>` and
 * `AWS_ENDPOINT_URL` below the flags and `PRESTACOP_*_ENDPOINT`, loopback only. Credentials and `AWS_PROFILE`
 * go to the SDK's own chain on the aws target and are never read on the local one (clients.ts).
 */
import { E, NonEmptyString, oneOf, Port, t } from '../codec.ts';
import type { OptionSpecs } from '../config.ts';
import { DEFAULT_PORTS } from '../local-stack/ports.ts';
import { isLoopback } from '../loopback.ts';
import type { OptionGroup } from '../options.ts';
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
  region: {
    type: 'string',
    doc: 'AWS region',
    env: 'PRESTACOP_REGION',
    envFallbacks: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
    default: 'us-east-1',
  },
  'kinesis-endpoint': {
    type: 'string',
    doc: 'local target: Kinesis emulator URL (loopback only)',
    env: 'PRESTACOP_KINESIS_ENDPOINT',
    envFallbacks: ['AWS_ENDPOINT_URL_KINESIS', 'AWS_ENDPOINT_URL'],
    default: local(DEFAULT_PORTS.kinesis),
  },
  'dynamodb-endpoint': {
    type: 'string',
    doc: 'local target: DynamoDB emulator URL (loopback only)',
    env: 'PRESTACOP_DYNAMODB_ENDPOINT',
    envFallbacks: ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL'],
    default: local(DEFAULT_PORTS.dynamodb),
  },
  's3-endpoint': {
    type: 'string',
    doc: 'local target: S3 emulator URL (loopback only)',
    env: 'PRESTACOP_S3_ENDPOINT',
    envFallbacks: ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'],
    default: local(DEFAULT_PORTS.s3),
  },
  'sns-endpoint': {
    type: 'string',
    doc: 'local target: SNS and SQS emulator URL (loopback only)',
    env: 'PRESTACOP_SNS_ENDPOINT',
    envFallbacks: ['AWS_ENDPOINT_URL_SNS', 'AWS_ENDPOINT_URL'],
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

const AwsOptionFields = t.type({
  target: oneOf('Target', ['local', 'aws']),
  region: NonEmptyString,
  kinesisEndpoint: Url,
  dynamodbEndpoint: Url,
  s3Endpoint: Url,
  snsEndpoint: Url,
});
type AwsOptionFields = t.TypeOf<typeof AwsOptionFields>;

const ENDPOINT_KEYS = ['kinesisEndpoint', 'dynamodbEndpoint', 's3Endpoint', 'snsEndpoint'] as const;

/**
 * The codec fragment for {@link awsOptionSpecs}. On the local target every endpoint must be a loopback address,
 * wherever it came from (a flag, `PRESTACOP_*`, or the standard `AWS_ENDPOINT_URL[_<SERVICE>]`): a stray variable
 * pointing elsewhere stops the service at start (exit 78) instead of sending local work to AWS or anywhere else.
 */
export const AwsOptions = new t.Type<AwsOptionFields, AwsOptionFields, unknown>(
  'AwsOptions',
  AwsOptionFields.is,
  (u, c) => {
    const fields = AwsOptionFields.validate(u, c);
    if (E.isLeft(fields) || fields.right.target !== 'local') return fields;
    const o = fields.right;
    const far = ENDPOINT_KEYS.filter((k) => !isLoopback(new URL(o[k]).hostname));
    if (far.length === 0) return fields;
    return t.failures(
      far.map((k) => ({
        value: o[k],
        context: c,
        message:
          `at .${k}: the local target reaches loopback emulators only; ${o[k]} is not loopback ` +
          `(an AWS_ENDPOINT_URL variable? unset it, or use --target aws)`,
      })),
    );
  },
  AwsOptionFields.encode,
);
export type AwsOptions = AwsOptionFields;

/** The codec fragment for {@link opsOptionSpecs}. */
export const OpsOptions = t.type({
  opsHost: NonEmptyString,
  opsPort: Port,
  logLevel: oneOf('LogLevel', ['debug', 'info', 'warn', 'error', 'silent']),
});
export type OpsOptions = t.TypeOf<typeof OpsOptions>;

/** The AWS options as a group, for `joinGroups` (the launcher adds it to every actor's own options). */
export const awsGroup: OptionGroup<AwsOptions> = { specs: awsOptionSpecs, codec: AwsOptions };

/** The ops options as a group. */
export const opsGroup: OptionGroup<OpsOptions> = { specs: opsOptionSpecs, codec: OpsOptions };

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
