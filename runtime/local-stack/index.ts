/**
 * PLACEHOLDER SIGNATURE — to be implemented (see issue 2, "Local AWS stack").
 *
 * startLocalStack starts kinesalite, DynamoDB Local, s3rver and fauxqs on 127.0.0.1, waits until each answers,
 * provisions config/resources.json, and returns the endpoints plus a stop() that kills every child by pid.
 */
import type { LocalEndpoints } from '../aws/target.ts';

export interface LocalStackOptions {
  /** Folder for emulator data (survives restarts). Default `.stack/data`. */
  readonly dataDir?: string;
  /** Wipe the data folder first. */
  readonly wipe?: boolean;
  /** Ports; 0 picks a free one. Defaults: kinesis 4567, dynamodb 8000, s3 4570, sns/sqs 4571. */
  readonly ports?: Partial<Record<'kinesis' | 'dynamodb' | 's3' | 'sns', number>>;
  /** Provision the resources of config/resources.json (default true). */
  readonly provision?: boolean;
  readonly log?: (line: string) => void;
}

export interface LocalStack {
  readonly endpoints: LocalEndpoints;
  readonly region: string;
  readonly pids: ReadonlyArray<number>;
  readonly stop: () => Promise<void>;
}

export declare const startLocalStack: (options?: LocalStackOptions) => Promise<LocalStack>;
