import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListStreamsCommand,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import {
  GetObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateTopicCommand,
  ListTopicsCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';

import { loadResourcesOrThrow } from '../../actors/protocol/index.ts';
import { createAwsClients } from '../../runtime/aws/clients.ts';
import { pollUntil } from '../../runtime/aws/poll.ts';
import { createStream, deleteStream, provision } from '../../runtime/aws/provision.ts';
import { queueArn } from '../../runtime/aws/provision-verify.ts';
import { withNamePrefix } from '../../runtime/aws/resources.ts';
import { otherToolsEnv, startLocalStack } from '../../runtime/local-stack/index.ts';
import { type TestStack, uniqueName, useStack } from '../helpers/stack.ts';

const spec = loadResourcesOrThrow();
const FREE_PORTS = { kinesis: 0, dynamodb: 0, s3: 0, sns: 0 } as const;

/** Local addresses of the TCP sockets in LISTEN state that these processes hold (from /proc, no `ss` needed). */
const listeningAddresses = (pids: ReadonlyArray<number>): Map<number, string[]> => {
  const listening = new Map<string, string>(); // inode -> "address:port"
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A') listening.set(f[9]!, f[1]!); // 0A = TCP_LISTEN
    }
  }
  const byPid = new Map<number, string[]>();
  for (const pid of pids) {
    const inodes = readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        } catch {
          return undefined; // fd closed while we looked
        }
      })
      .filter((i): i is string => i !== undefined);
    byPid.set(
      pid,
      inodes.flatMap((i) => listening.get(i) ?? []),
    );
  }
  return byPid;
};

/** The SNS envelope an SQS subscriber gets when raw delivery is off. */
interface Envelope {
  readonly Type?: string;
  readonly TopicArn?: string;
  readonly Message?: string;
  readonly MessageAttributes?: Record<string, { readonly Type: string; readonly Value: string }>;
}

/** Whether any process of the group led by `pid` still exists. */
const groupExists = (pid: number): boolean => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('LocalStack > shared stack', function () {
  this.timeout(60_000);
  let stack: TestStack;
  before(async () => {
    stack = await useStack();
  });

  it('provisions every resource of config/resources.json, with TTL on the messages table', async () => {
    const report = await provision(stack.clients, spec, { mode: 'verify' });
    assert.equal(report.existing.length, 11); // 2 streams, 4 tables, bucket, topic, 3 queues (+ subscriptions)
    const ttl = await stack.clients.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: spec.tables.messages.name }),
    );
    assert.equal(ttl.TimeToLiveDescription?.TimeToLiveStatus, 'ENABLED');
    assert.equal(ttl.TimeToLiveDescription?.AttributeName, 'expiresAt');
  });

  it('verify mode names every missing resource in one error', async () => {
    const missing = withNamePrefix(spec, 'absent-');
    await assert.rejects(provision(stack.clients, missing, { mode: 'verify' }), (err: Error) => {
      assert.match(err.message, /^11 AWS resource\(s\) missing/);
      for (const name of [
        'absent-prestacop-drones',
        'absent-prestacop-leases',
        'absent-prestacop-console',
      ])
        assert.ok(err.message.includes(name), `${name} in ${err.message}`);
      return true;
    });
  });

  it("verify mode names a subscription whose raw delivery or filter policy is not the spec's", async () => {
    const [topic, queue] = [uniqueName('topic'), uniqueName('queue')];
    const { TopicArn } = await stack.clients.sns.send(new CreateTopicCommand({ Name: topic }));
    const { QueueUrl } = await stack.clients.sqs.send(new CreateQueueCommand({ QueueName: queue }));
    await stack.clients.sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: await queueArn(stack.clients, QueueUrl!),
        Attributes: { RawMessageDelivery: 'false' },
      }),
    );
    const wanted = {
      ...{ region: spec.region, streams: {}, tables: {}, buckets: {} },
      topics: { events: { name: topic } },
      queues: {
        archive: {
          name: queue,
          subscribeTo: 'events',
          rawDelivery: true,
          filterPolicy: { type: ['a.b'] },
        },
      },
    };
    await assert.rejects(
      provision(stack.clients, wanted, { mode: 'verify' }),
      (err: Error) => (
        assert.match(
          err.message,
          /raw delivery off, the spec says on; subscribed with filter policy null, the spec says \{"type":\["a\.b"\]\}/,
        ),
        true
      ),
    );
  });

  it('delivers an SNS publish to the console queue as an envelope with its attributes', async () => {
    const { topicArns, queueUrls } = stack.provisioned!;
    const body = JSON.stringify({ alarm: uniqueName('alarm') });
    await stack.clients.sns.send(
      new PublishCommand({
        TopicArn: topicArns.alarms,
        Message: body,
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
      }),
    );
    const envelope = await pollUntil(
      async () => {
        const r = await stack.clients.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrls.console, WaitTimeSeconds: 1 }),
        );
        const found = r.Messages?.map((m) => JSON.parse(m.Body ?? '{}') as Envelope);
        return found?.find((e) => e.Message === body);
      },
      { what: 'the alarm in the console queue', timeoutMs: 10_000 },
    );
    assert.equal(envelope.Type, 'Notification');
    assert.equal(envelope.TopicArn, topicArns.alarms);
    assert.equal(envelope.MessageAttributes?.severity?.Value, 'high');
  });

  it('returns queue URLs usable as they are: an SQS client that follows the URL reaches the queue', async () => {
    const { queueUrls } = stack.provisioned!;
    const url = new URL(queueUrls.console!);
    assert.equal(url.origin, stack.endpoints.sqs, queueUrls.console); // not sqs.<region>.localhost
    // The SDK's default (and the AWS CLI's, boto3's): the call goes to the host inside the QueueUrl.
    const follower = new SQSClient({
      region: stack.region,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    try {
      const r = await follower.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrls.console,
          AttributeNames: ['QueueArn'],
        }),
      );
      assert.match(r.Attributes?.QueueArn ?? '', /:prestacop-console$|console/);
    } finally {
      follower.destroy();
    }
  });

  it('works from another tool configured only by the variables npm run stack prints for them', async () => {
    // A client built as any other tool builds one: no endpoint, no keys, no region in code, only the environment.
    const env = otherToolsEnv(stack);
    const spec = loadResourcesOrThrow();
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    const plain = {
      // The one setting beyond the environment: the JS SDK's Kinesis client speaks HTTP/2, kinesalite only 1.1
      // (the AWS CLI and boto3 speak 1.1 already).
      kinesis: new KinesisClient({ requestHandler: new NodeHttpHandler() }),
      dynamodb: new DynamoDBClient({}),
      s3: new S3Client({ forcePathStyle: true }),
      sns: new SNSClient({}),
      sqs: new SQSClient({}),
    };
    try {
      const streams = await plain.kinesis.send(new ListStreamsCommand({}));
      assert.ok(streams.StreamNames?.includes(spec.streams.drones.name), 'kinesis');
      const tables = await plain.dynamodb.send(new ListTablesCommand({}));
      assert.ok(tables.TableNames?.includes(spec.tables.messages.name), 'dynamodb');
      const buckets = await plain.s3.send(new ListBucketsCommand({}));
      assert.ok(
        buckets.Buckets?.some((b) => b.Name === spec.buckets.archive.name),
        's3',
      );
      const topics = await plain.sns.send(new ListTopicsCommand({}));
      assert.ok(
        topics.Topics?.some((t) => t.TopicArn === stack.provisioned!.topicArns.alarms),
        'sns',
      );
      const queues = await plain.sqs.send(new ListQueuesCommand({}));
      assert.ok(queues.QueueUrls?.includes(stack.provisioned!.queueUrls.console!), 'sqs');
    } finally {
      for (const c of Object.values(plain)) c.destroy();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('creates and deletes a stream of its own', async () => {
    const name = uniqueName('scratch');
    assert.equal(await createStream(stack.clients, name, 2), 'created');
    assert.equal(await createStream(stack.clients, name, 2), 'existing');
    await deleteStream(stack.clients, name);
    await deleteStream(stack.clients, name); // a missing stream is fine
  });

  it('listens on 127.0.0.1 only', () => {
    const byPid = listeningAddresses(stack.pids);
    for (const [pid, addresses] of byPid) {
      assert.ok(addresses.length > 0, `pid ${pid} listens on nothing`);
      for (const a of addresses)
        // 0100007F = 127.0.0.1; the IPv6 form is ::1
        assert.match(
          a,
          /^(0100007F|00000000000000000000000001000000):[0-9A-F]{4}$/,
          `pid ${pid}: ${a}`,
        );
    }
  });
});

describe('LocalStack > restart on the same data folder', function () {
  this.timeout(60_000);
  let dir: string;
  // Made in a hook, not at load time: a filtered or --dry-run mocha run loads this file without running hooks.
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'prestacop-restart-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps records, items and objects, and leaves no process behind', async () => {
    const dataDir = join(dir, 'data');
    const first = await startLocalStack({ dataDir, ports: FREE_PORTS });
    let clients = createAwsClients(first.target);
    const id = uniqueName('persist');
    let put;
    try {
      await assert.rejects(startLocalStack({ dataDir, ports: FREE_PORTS }), /already running on/);
      put = await clients.kinesis.send(
        new PutRecordCommand({
          StreamName: spec.streams.drones.name,
          PartitionKey: id,
          Data: Buffer.from(id),
        }),
      );
      await clients.dynamodb.send(
        new PutItemCommand({ TableName: spec.tables.alarms.name, Item: { id: { S: id } } }),
      );
      await clients.s3.send(
        new PutObjectCommand({ Bucket: spec.buckets.archive.name, Key: `${id}.txt`, Body: id }),
      );
    } finally {
      clients.destroy();
      await first.stop();
      await first.stop(); // idempotent
    }
    for (const pid of first.pids)
      assert.ok(!groupExists(pid), `process group ${pid} survived stop()`);

    const second = await startLocalStack({ dataDir, ports: FREE_PORTS });
    clients = createAwsClients(second.target);
    try {
      const { ShardIterator } = await clients.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: spec.streams.drones.name,
          ShardId: put.ShardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          StartingSequenceNumber: put.SequenceNumber,
        }),
      );
      const records = await clients.kinesis.send(new GetRecordsCommand({ ShardIterator }));
      assert.equal(Buffer.from(records.Records?.[0]?.Data ?? []).toString(), id);
      const item = await clients.dynamodb.send(
        new GetItemCommand({ TableName: spec.tables.alarms.name, Key: { id: { S: id } } }),
      );
      assert.equal(item.Item?.id?.S, id);
      const object = await clients.s3.send(
        new GetObjectCommand({ Bucket: spec.buckets.archive.name, Key: `${id}.txt` }),
      );
      assert.equal(await object.Body?.transformToString(), id);
      assert.equal(second.provisioned?.created.length, 7); // fauxqs is in memory: topic, 3 queues, 3 subscriptions
    } finally {
      clients.destroy();
      await second.stop();
    }
    for (const pid of second.pids)
      assert.ok(!groupExists(pid), `process group ${pid} survived stop()`);
  });
});
