import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';

import { createAwsClients } from './clients.ts';

/** A loopback server that records each request and answers 200 `{}`: enough to see where calls go. */
const recorder = async () => {
  const seen: Array<{ url: string; host: string; auth: string; version: string }> = [];
  const server = http.createServer((req, res) => {
    seen.push({
      url: req.url ?? '',
      host: req.headers.host ?? '',
      auth: req.headers.authorization ?? '',
      version: req.httpVersion,
    });
    req.resume();
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, url, close: () => new Promise((r) => server.close(r)) };
};

const STRAY_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIAREALKEY',
  AWS_SECRET_ACCESS_KEY: 'real-secret',
  AWS_SESSION_TOKEN: 'real-token',
  AWS_PROFILE: 'production',
  AWS_REGION: 'eu-west-3',
  AWS_ENDPOINT_URL: 'https://example.invalid',
  AWS_ENDPOINT_URL_KINESIS: 'https://kinesis.example.invalid',
  AWS_USE_FIPS_ENDPOINT: 'true',
  AWS_MAX_ATTEMPTS: '9',
} as const;

describe('createAwsClients > local target', () => {
  let saved: Record<string, string | undefined>;
  beforeEach(() => {
    saved = Object.fromEntries(Object.keys(STRAY_ENV).map((k) => [k, process.env[k]]));
    Object.assign(process.env, STRAY_ENV);
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('sends every call to the emulator with the local keys, whatever AWS_* says', async () => {
    const server = await recorder();
    const endpoints = {
      kinesis: server.url,
      dynamodb: server.url,
      s3: server.url,
      sns: server.url,
      sqs: server.url,
    };
    const clients = createAwsClients(
      { kind: 'local', region: 'us-east-1', endpoints },
      { maxAttempts: 1 },
    );
    try {
      await clients.kinesis.send(new ListStreamsCommand({}));
      await clients.s3.send(new HeadBucketCommand({ Bucket: 'archive' }));
      await clients.sqs
        .send(
          new GetQueueAttributesCommand({
            QueueUrl: 'http://sqs.us-east-1.localhost:1/000000000000/q',
            AttributeNames: ['QueueArn'],
          }),
        )
        .catch(() => undefined);
      assert.equal(server.seen.length, 3);
      for (const r of server.seen) {
        assert.equal(r.host, new URL(server.url).host);
        assert.match(r.auth, /Credential=S3RVER\/\d{8}\/us-east-1\//);
        assert.equal(r.version, '1.1'); // kinesalite speaks HTTP/1.1 only
      }
      assert.match(server.seen[1]!.url, /^\/archive\/?$/); // path style, not archive.127.0.0.1
      assert.equal(await clients.kinesis.config.maxAttempts(), 1);
    } finally {
      clients.destroy();
      clients.destroy(); // idempotent
      await server.close();
    }
  });
});

describe('createAwsClients > aws target', () => {
  it('uses the region and no endpoint override', async () => {
    const clients = createAwsClients({ kind: 'aws', region: 'eu-west-1' });
    try {
      assert.equal(await clients.kinesis.config.region(), 'eu-west-1');
      assert.equal(clients.s3.config.forcePathStyle, false);
    } finally {
      clients.destroy();
    }
  });
});
