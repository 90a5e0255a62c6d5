/**
 * The fault proxy's logic, without emulators: PutRecords split and merge, which calls each policy breaks, and the
 * proxy itself in front of a plain HTTP server (forward, changed body, made-up answer, dropped connection).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { seededRandom } from '../../runtime/random.ts';
import {
  dynamoPolicy,
  isObjectPut,
  isSnsPublish,
  kinesisPolicy,
  noFaults,
  operationOf,
  s3Policy,
  snsPolicy,
  splitPutRecords,
  tablesOf,
} from './policies.ts';
import { type ProxyRequest, type ProxyResponse, startFaultProxy } from './proxy.ts';
import { sequenceHoles } from './run-scenario.ts';

const json = (o: unknown) => Buffer.from(JSON.stringify(o));
const kinesisReq = (op: string, body: unknown): ProxyRequest => ({
  method: 'POST',
  path: '/',
  headers: { 'x-amz-target': `Kinesis_20131202.${op}` },
  body: json(body),
});
const ok = (body: unknown): ProxyResponse => ({ status: 200, headers: {}, body: json(body) });

describe('fault proxy > policies', () => {
  it('splits a PutRecords call and merges the answer back, failed entries in place', () => {
    const body = json({ StreamName: 's', Records: [{ Data: 'a' }, { Data: 'b' }, { Data: 'c' }] });
    const split = splitPutRecords(body, (i) => i === 1);
    assert.equal(split.failed, 1);
    const forwarded = JSON.parse(split.forward!.toString()) as { Records: Array<{ Data: string }> };
    assert.deepEqual(
      forwarded.Records.map((r) => r.Data),
      ['a', 'c'],
    );
    const merged = JSON.parse(
      split
        .merge(
          json({
            FailedRecordCount: 0,
            Records: [{ SequenceNumber: '1' }, { SequenceNumber: '2' }],
          }),
        )
        .toString(),
    ) as { FailedRecordCount: number; Records: Array<Record<string, string>> };
    assert.equal(merged.FailedRecordCount, 1);
    assert.equal(merged.Records[0]!.SequenceNumber, '1');
    assert.equal(merged.Records[1]!.ErrorCode, 'ProvisionedThroughputExceededException');
    assert.equal(merged.Records[2]!.SequenceNumber, '2');
  });

  it('fails every entry without forwarding anything when all are chosen', async () => {
    const counts = noFaults();
    const policy = kinesisPolicy({ putEntryFailRate: 1 }, seededRandom(1), counts);
    let forwarded = 0;
    const res = await policy(kinesisReq('PutRecords', { Records: [{}, {}] }), () => {
      forwarded++;
      return Promise.resolve(ok({}));
    });
    assert.equal(forwarded, 0);
    assert.ok(res !== 'drop');
    assert.equal(
      (JSON.parse(res.body.toString()) as { FailedRecordCount: number }).FailedRecordCount,
      2,
    );
    assert.equal(counts.injected['PutRecords.entry'], 2);
  });

  it('throttles GetRecords and whole PutRecords calls with HTTP 400, and leaves other calls alone', async () => {
    const counts = noFaults();
    const policy = kinesisPolicy(
      { getThrottleRate: 1, putThrottleRate: 1 },
      seededRandom(1),
      counts,
    );
    const forward = () => Promise.resolve(ok({ passed: true }));
    for (const op of ['GetRecords', 'PutRecords']) {
      const res = await policy(kinesisReq(op, { Records: [{}] }), forward);
      assert.ok(res !== 'drop');
      assert.equal(res.status, 400);
      assert.match(res.body.toString(), /ProvisionedThroughputExceededException/);
    }
    const other = await policy(kinesisReq('ListShards', {}), forward);
    assert.ok(other !== 'drop' && other.status === 200);
    assert.deepEqual(counts.injected, { GetRecords: 1, 'PutRecords.call': 1 });
  });

  it('fails DynamoDB writes only on the chosen tables, and never reads', async () => {
    const counts = noFaults();
    const policy = dynamoPolicy(
      { writeFailRate: 1, tables: new Set(['hot']) },
      seededRandom(2),
      counts,
    );
    const req = (op: string, body: unknown): ProxyRequest => ({
      method: 'POST',
      path: '/',
      headers: { 'x-amz-target': `DynamoDB_20120810.${op}` },
      body: json(body),
    });
    const forward = () => Promise.resolve(ok({}));
    const hit = await policy(req('BatchWriteItem', { RequestItems: { hot: [] } }), forward);
    const leases = await policy(req('UpdateItem', { TableName: 'leases' }), forward);
    const read = await policy(req('GetItem', { TableName: 'hot' }), forward);
    assert.ok(hit !== 'drop' && hit.status >= 400);
    assert.ok(leases !== 'drop' && leases.status === 200);
    assert.ok(read !== 'drop' && read.status === 200);
    assert.deepEqual(
      tablesOf('TransactWriteItems', json({ TransactItems: [{ Put: { TableName: 'a' } }] })),
      ['a'],
    );
  });

  it('fails S3 object PUTs, not bucket calls or reads', async () => {
    assert.equal(isObjectPut({ method: 'PUT', path: '/bucket/archive/x.gz' }), true);
    assert.equal(isObjectPut({ method: 'PUT', path: '/bucket' }), false);
    assert.equal(isObjectPut({ method: 'GET', path: '/bucket/archive/x.gz' }), false);
    const policy = s3Policy({ putFailRate: 1 }, seededRandom(3), noFaults());
    const res = await policy(
      { method: 'PUT', path: '/b/k', headers: {}, body: Buffer.alloc(0) },
      () => Promise.resolve(ok({})),
    );
    assert.ok(res !== 'drop' && res.status >= 500);
    assert.match(res.body.toString(), /<Code>(InternalError|SlowDown)<\/Code>/);
  });

  it('fails SNS publishes, or publishes and drops the answer; SQS calls pass', async () => {
    const form = (body: string): ProxyRequest => ({
      method: 'POST',
      path: '/',
      headers: {},
      body: Buffer.from(body),
    });
    assert.equal(isSnsPublish(form('Action=Publish&TopicArn=arn&Message=x')), true);
    assert.equal(isSnsPublish(form('Action=ReceiveMessage&QueueUrl=u')), false);
    let forwarded = 0;
    const forward = () => {
      forwarded++;
      return Promise.resolve(ok({}));
    };
    const failing = snsPolicy({ publishFailRate: 1 }, seededRandom(4), noFaults());
    const failed = await failing(form('Action=Publish&Message=x'), forward);
    assert.ok(failed !== 'drop' && failed.status === 500);
    assert.equal(forwarded, 0);
    const lost = snsPolicy({ publishLostAnswerRate: 1 }, seededRandom(4), noFaults());
    assert.equal(await lost(form('Action=Publish&Message=x'), forward), 'drop');
    assert.equal(forwarded, 1, 'published before the answer was dropped');
    const sqs = await lost(form('Action=ReceiveMessage'), forward);
    assert.ok(sqs !== 'drop' && sqs.status === 200);
  });

  it('reads the operation from X-Amz-Target', () => {
    assert.equal(
      operationOf({ headers: { 'x-amz-target': 'Kinesis_20131202.PutRecords' } }),
      'PutRecords',
    );
    assert.equal(operationOf({ headers: {} }), '');
  });

  it('finds holes in per-drone sequences', () => {
    assert.deepEqual(sequenceHoles(['drone-0001:1', 'drone-0001:2', 'drone-0002:5']), []);
    assert.deepEqual(sequenceHoles(['drone-0001:1', 'drone-0001:3', 'nypd:9']), ['drone-0001:2']);
  });
});

describe('fault proxy > in front of an HTTP server', () => {
  let upstream: Server;
  let url: string;
  const seen: string[] = [];
  before(async () => {
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push(Buffer.concat(chunks).toString());
        res
          .writeHead(200, { 'content-type': 'text/plain' })
          .end(`echo ${Buffer.concat(chunks).toString()}`);
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => upstream.close(() => r())));

  it('forwards, rewrites, answers by itself and drops connections', async () => {
    const proxy = await startFaultProxy(url);
    try {
      const post = (body: string) => fetch(proxy.url, { method: 'POST', body });
      assert.equal(await (await post('one')).text(), 'echo one');

      proxy.policy = (req, forward) => forward(Buffer.from(`${req.body.toString()}!`));
      assert.equal(await (await post('two')).text(), 'echo two!');

      proxy.policy = () => Promise.resolve({ status: 503, headers: {}, body: Buffer.from('busy') });
      const busy = await post('three');
      assert.equal(busy.status, 503);
      assert.deepEqual(seen, ['one', 'two!']);

      proxy.policy = () => Promise.resolve('drop');
      await assert.rejects(post('four'));
      assert.equal(proxy.requests(), 4);
    } finally {
      await proxy.close();
    }
  });

  it('drops the client connection when the upstream is down', async () => {
    const proxy = await startFaultProxy('http://127.0.0.1:1');
    try {
      await assert.rejects(fetch(proxy.url, { method: 'POST', body: 'x' }));
    } finally {
      await proxy.close();
    }
  });
});
