/**
 * Where the AWS SDK v3 clients point. The same code runs against AWS and against the local emulators: only the
 * endpoints, the credentials and a few protocol settings differ (see `clients.ts`).
 */

/** Endpoints of the local emulators, all on 127.0.0.1. */
export interface LocalEndpoints {
  readonly kinesis: string;
  readonly dynamodb: string;
  readonly s3: string;
  /** fauxqs serves SNS and SQS on one port. */
  readonly sns: string;
  readonly sqs: string;
}

export type AwsTarget =
  | { readonly kind: 'local'; readonly region: string; readonly endpoints: LocalEndpoints }
  | { readonly kind: 'aws'; readonly region: string };

/**
 * Credentials the local emulators accept. s3rver checks signatures against the fixed pair S3RVER/S3RVER; the
 * others accept any key, so one pair serves them all. These are not secrets: they open nothing but loopback
 * emulators.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
