/**
 * The JSON-protocol wire's signing: the same signature as the SDK's signer gives the text body on its own (the
 * wire hashes the body itself, once, as bytes), a payload hash that is the body's, and the target, content type and
 * length of the protocol. The calls' own handling: dynamodb-wire.spec.ts and kinesis-wire.spec.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SignatureV4 } from '@smithy/signature-v4';

import { createJsonWire, KINESIS_JSON } from './json-wire.ts';

interface Sent {
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

describe('Runtime > JSON-protocol wire', () => {
  it("signs as the SDK's signer signs the same text, with the body's own payload hash", async () => {
    const sent: Sent[] = [];
    const client = new KinesisClient({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:4567',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      requestHandler: {
        handle: (request: Sent) => {
          sent.push({ headers: { ...request.headers }, body: request.body });
          return Promise.resolve({
            response: { statusCode: 200, headers: {}, body: Readable.from([Buffer.from('{}')]) },
          });
        },
      },
    });
    const text = JSON.stringify({ ShardIterator: 'itérateur ✓', Limit: 10 }); // not only ASCII
    await createJsonWire(client, KINESIS_JSON).call('GetRecords', text);

    const [request] = sent;
    const body = Buffer.from(request!.body);
    assert.equal(body.toString('utf8'), text);
    assert.equal(request!.headers['content-length'], String(Buffer.byteLength(text)));
    assert.equal(
      request!.headers['x-amz-content-sha256'],
      createHash('sha256').update(text, 'utf8').digest('hex'),
    );
    assert.equal(request!.headers['x-amz-target'], 'Kinesis_20131202.GetRecords');
    assert.equal(request!.headers['content-type'], 'application/x-amz-json-1.1');

    // The SDK's signer on the text body, at the same instant: the same Authorization header.
    const date = request!.headers['x-amz-date']!;
    const signingDate = new Date(
      `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
    );
    const reference = await new SignatureV4({
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      region: 'eu-west-1',
      service: 'kinesis',
      sha256: client.config.sha256,
    }).sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 4567,
        path: '/',
        query: {},
        headers: {
          host: '127.0.0.1:4567',
          'content-type': 'application/x-amz-json-1.1',
          'content-length': String(Buffer.byteLength(text)),
          'x-amz-target': 'Kinesis_20131202.GetRecords',
        },
        body: text,
      },
      { signingDate },
    );
    assert.equal(request!.headers.authorization, reference.headers.authorization);
  });
});
