/**
 * What the fault proxies do to each emulator's traffic, as policies (test/faults/proxy.ts): Kinesis throttling
 * (PutRecords partial failures, whole-call ProvisionedThroughputExceededException, GetRecords throttling), slow and
 * failing DynamoDB writes, slow and failing S3 object writes. Every choice comes from a seeded random, and every
 * injected fault is counted, so a scenario can say how much it broke.
 */
import type { Random } from '../../runtime/random.ts';
import type { Policy, ProxyRequest, ProxyResponse } from './proxy.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** Kinesis faults: shares of calls or entries to fail (0..1). */
export interface KinesisFaults {
  /** Each PutRecords entry fails alone with this probability (the rest of the call succeeds). */
  readonly putEntryFailRate?: number;
  /** A whole PutRecords call is throttled with this probability. */
  readonly putThrottleRate?: number;
  /** A GetRecords call is throttled with this probability. */
  readonly getThrottleRate?: number;
}

/** DynamoDB write faults. */
export interface DynamoFaults {
  /** PutItem, UpdateItem, DeleteItem, BatchWriteItem and TransactWriteItems fail with this probability. */
  readonly writeFailRate?: number;
  /** Added to every write (ms). */
  readonly writeDelayMs?: number;
  /** Only writes to these tables (default: every table, leases and checkpoints included). */
  readonly tables?: ReadonlySet<string>;
}

/** S3 object-write faults (PUT of an object; bucket calls and reads pass). */
export interface S3Faults {
  readonly putFailRate?: number;
  readonly putDelayMs?: number;
}

/** SNS publish faults (the alert system's path to humans and to the console's queue). */
export interface SnsFaults {
  /** Publish fails with a 500 before reaching SNS. */
  readonly publishFailRate?: number;
  /** Publish reaches SNS, then the connection drops before the answer: the publisher cannot know it worked. */
  readonly publishLostAnswerRate?: number;
}

/** What a policy injected so far. */
export interface FaultCounts {
  /** Calls or entries failed, per kind (e.g. `PutRecords.entry`, `GetRecords`, `PutItem`, `s3.put`). */
  readonly injected: Record<string, number>;
  /** Calls delayed. */
  delayed: number;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

/** The operation of an AWS JSON-protocol request (`PutRecords` from `Kinesis_20131202.PutRecords`). */
export const operationOf = (req: Pick<ProxyRequest, 'headers'>): string => {
  const target = req.headers['x-amz-target'];
  const value = Array.isArray(target) ? target[0] : target;
  return value?.split('.').pop() ?? '';
};

/** An AWS JSON-protocol error answer. */
export const jsonError = (status: number, type: string, message: string): ProxyResponse => ({
  status,
  headers: { 'content-type': 'application/x-amz-json-1.1' },
  body: Buffer.from(JSON.stringify({ __type: type, message })),
});

/** An S3 (REST-XML) error answer. */
export const s3Error = (status: number, code: string, message: string): ProxyResponse => ({
  status,
  headers: { 'content-type': 'application/xml' },
  body: Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  ),
});

const THROTTLED = 'ProvisionedThroughputExceededException';

/** A throttled Kinesis call, as Kinesis answers it (HTTP 400). */
export const kinesisThrottled = (): ProxyResponse =>
  jsonError(400, THROTTLED, 'Rate exceeded for shard (injected by the fault proxy).');

interface PutRecordsBody {
  readonly Records?: ReadonlyArray<unknown>;
  readonly [k: string]: unknown;
}
interface PutRecordsAnswer {
  readonly FailedRecordCount?: number;
  readonly Records?: ReadonlyArray<Record<string, unknown>>;
  readonly [k: string]: unknown;
}

/**
 * Splits a PutRecords body: the entries to fail (by index) are taken out, so they never reach the stream.
 * Returns the body to forward and a function merging the emulator's answer back into one entry per original
 * record, the failed ones as `ProvisionedThroughputExceededException` (exactly how Kinesis reports a partial
 * failure: HTTP 200, `FailedRecordCount`, per-entry `ErrorCode`).
 */
export const splitPutRecords = (
  body: Buffer,
  fail: (index: number) => boolean,
): {
  readonly forward: Buffer | undefined;
  readonly failed: number;
  readonly merge: (answer: Buffer) => Buffer;
} => {
  const input = JSON.parse(body.toString('utf8')) as PutRecordsBody;
  const records = input.Records ?? [];
  const failing = records.map((_, i) => fail(i));
  const kept = records.filter((_, i) => !failing[i]);
  const failed = records.length - kept.length;
  return {
    forward: kept.length > 0 ? Buffer.from(JSON.stringify({ ...input, Records: kept })) : undefined,
    failed,
    merge: (answer) => {
      const out = (
        answer.length > 0 ? JSON.parse(answer.toString('utf8')) : {}
      ) as PutRecordsAnswer;
      const results = out.Records ?? [];
      let k = 0;
      const merged = failing.map((f) =>
        f
          ? { ErrorCode: THROTTLED, ErrorMessage: 'Rate exceeded for shard (injected).' }
          : (results[k++] ?? {}),
      );
      const realFailed = out.FailedRecordCount ?? 0;
      return Buffer.from(
        JSON.stringify({ ...out, Records: merged, FailedRecordCount: realFailed + failed }),
      );
    },
  };
};

const bump = (counts: FaultCounts, kind: string, n = 1): void => {
  counts.injected[kind] = (counts.injected[kind] ?? 0) + n;
};

/** An empty count. */
export const noFaults = (): FaultCounts => ({ injected: {}, delayed: 0 });

/** Total injected faults. */
export const totalInjected = (c: FaultCounts): number =>
  Object.values(c.injected).reduce((a, b) => a + b, 0);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The Kinesis policy.
 * @example proxy.policy = kinesisPolicy({ putEntryFailRate: 0.2 }, seededRandom(7), counts);
 */
export const kinesisPolicy =
  (faults: KinesisFaults, random: Random, counts: FaultCounts): Policy =>
  async (req, forward) => {
    const op = operationOf(req);
    if (op === 'GetRecords' && random.next() < (faults.getThrottleRate ?? 0)) {
      bump(counts, 'GetRecords');
      return kinesisThrottled();
    }
    if (op !== 'PutRecords') return forward();
    if (random.next() < (faults.putThrottleRate ?? 0)) {
      bump(counts, 'PutRecords.call');
      return kinesisThrottled();
    }
    const rate = faults.putEntryFailRate ?? 0;
    if (rate <= 0) return forward();
    const split = splitPutRecords(req.body, () => random.next() < rate);
    if (split.failed === 0) return forward();
    bump(counts, 'PutRecords.entry', split.failed);
    if (split.forward === undefined)
      return {
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.1' },
        body: split.merge(Buffer.alloc(0)),
      };
    const answer = await forward(split.forward);
    if (answer.status !== 200) return answer;
    return { ...answer, body: split.merge(answer.body) };
  };

const DYNAMO_WRITES = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

/** Table names a DynamoDB write request touches. */
export const tablesOf = (op: string, body: Buffer): string[] => {
  try {
    const input = JSON.parse(body.toString('utf8')) as {
      TableName?: string;
      RequestItems?: Record<string, unknown>;
      TransactItems?: ReadonlyArray<Record<string, { TableName?: string } | undefined>>;
    };
    if (op === 'BatchWriteItem') return Object.keys(input.RequestItems ?? {});
    if (op === 'TransactWriteItems')
      return (input.TransactItems ?? []).flatMap((i) =>
        Object.values(i).flatMap((x) => (x?.TableName ? [x.TableName] : [])),
      );
    return input.TableName ? [input.TableName] : [];
  } catch {
    return [];
  }
};

/** The DynamoDB policy: slow writes, and writes failing with a 500 or a throttle (both retriable). */
export const dynamoPolicy =
  (faults: DynamoFaults, random: Random, counts: FaultCounts): Policy =>
  async (req, forward) => {
    const op = operationOf(req);
    if (!DYNAMO_WRITES.has(op)) return forward();
    if (faults.tables && !tablesOf(op, req.body).some((t) => faults.tables!.has(t)))
      return forward();
    if (faults.writeDelayMs) {
      counts.delayed++;
      await sleep(faults.writeDelayMs);
    }
    if (random.next() < (faults.writeFailRate ?? 0)) {
      bump(counts, op);
      return random.next() < 0.5
        ? jsonError(500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'injected')
        : jsonError(
            400,
            'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
            'The level of configured provisioned throughput for the table was exceeded (injected).',
          );
    }
    return forward();
  };

/** An object PUT: `PUT /bucket/key...` (not `PUT /bucket`, which creates a bucket). */
export const isObjectPut = (req: Pick<ProxyRequest, 'method' | 'path'>): boolean =>
  req.method === 'PUT' && /^\/[^/?]+\/[^?]+/.test(req.path);

/** The S3 policy: slow object writes, and object writes failing with 500 InternalError or 503 SlowDown. */
export const s3Policy =
  (faults: S3Faults, random: Random, counts: FaultCounts): Policy =>
  async (req, forward) => {
    if (!isObjectPut(req)) return forward();
    if (faults.putDelayMs) {
      counts.delayed++;
      await sleep(faults.putDelayMs);
    }
    if (random.next() < (faults.putFailRate ?? 0)) {
      bump(counts, 's3.put');
      return random.next() < 0.5
        ? s3Error(500, 'InternalError', 'We encountered an internal error (injected).')
        : s3Error(503, 'SlowDown', 'Please reduce your request rate (injected).');
    }
    return forward();
  };

/** An SNS publish (awsQuery: a form-encoded `Action=Publish` or `Action=PublishBatch`). */
export const isSnsPublish = (req: Pick<ProxyRequest, 'method' | 'body'>): boolean =>
  req.method === 'POST' && /(^|&)Action=Publish(Batch)?(&|$)/.test(req.body.toString('latin1'));

/** An SNS (awsQuery, XML) error answer. */
export const snsError = (status: number, code: string, message: string): ProxyResponse => ({
  status,
  headers: { 'content-type': 'text/xml' },
  body: Buffer.from(
    `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Receiver</Type><Code>${code}</Code>` +
      `<Message>${message}</Message></Error><RequestId>injected</RequestId></ErrorResponse>`,
  ),
});

/**
 * The SNS policy (SQS calls on the same endpoint pass): publishes failing with a 500, or published and then
 * answered by a dropped connection, which a publisher must treat as unknown (publish again: a duplicate, same id).
 */
export const snsPolicy =
  (faults: SnsFaults, random: Random, counts: FaultCounts): Policy =>
  async (req, forward) => {
    if (!isSnsPublish(req)) return forward();
    if (random.next() < (faults.publishFailRate ?? 0)) {
      bump(counts, 'sns.publish');
      return snsError(500, 'InternalError', 'Internal error (injected).');
    }
    if (random.next() < (faults.publishLostAnswerRate ?? 0)) {
      bump(counts, 'sns.publish.lostAnswer');
      await forward();
      return 'drop';
    }
    return forward();
  };
