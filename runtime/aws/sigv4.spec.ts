/**
 * The wire's SigV4 signer held equal to the SDK's `SignatureV4`: the same Authorization header and signed headers
 * for any date, credentials (with or without a session token), region, service, path and header values, and a
 * known signature from AWS's documentation examples' key derivation.
 */
import assert from 'node:assert/strict';

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';

import { canonicalPath, createSigner } from './sigv4.ts';

const sha256 = new DynamoDBClient({ region: 'us-east-1' }).config.sha256;

/** What the SDK's signer makes of the same request. */
const bySdk = async (
  region: string,
  service: string,
  path: string,
  headers: Record<string, string>,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  signingDate: Date,
) =>
  (
    await new SignatureV4({ credentials, region, service, sha256 }).sign(
      {
        method: 'POST',
        protocol: 'https:',
        hostname: headers.host ?? 'example.com',
        path,
        query: {},
        headers: { ...headers },
        body: '{}',
      },
      { signingDate },
    )
  ).headers;

const word = fc.stringMatching(/^[A-Za-z0-9]{1,24}$/);
const text = fc.string({ unit: 'grapheme-ascii', maxLength: 40 });

describe('Runtime > SigV4 signer', () => {
  it("signs every request as the SDK's SignatureV4 signs it", async () =>
    fc.assert(
      fc.asyncProperty(
        fc.record({
          region: fc.constantFrom('us-east-1', 'eu-west-3', 'ap-southeast-2', 'local'),
          service: fc.constantFrom('dynamodb', 'kinesis', 'sqs'),
          path: fc.oneof(
            fc.constant('/'),
            fc
              .array(fc.oneof(word, fc.constantFrom('.', '..', '', 'a b', "it's", 'é/x', '(*)')), {
                maxLength: 4,
              })
              .map((s) => `/${s.join('/')}`),
          ),
          accessKeyId: word,
          secretAccessKey: fc.string({ minLength: 1, maxLength: 40 }),
          sessionToken: fc.option(fc.stringMatching(/^[A-Za-z0-9+/=]{1,80}$/), { nil: undefined }),
          date: fc.date({
            min: new Date('2000-01-01T00:00:00Z'),
            max: new Date('2099-12-31T23:59:59Z'),
            noInvalidDate: true,
          }),
          target: text,
          contentType: text,
          payloadHash: fc.stringMatching(/^[0-9a-f]{64}$/),
        }),
        async (r) => {
          const credentials = {
            accessKeyId: r.accessKeyId,
            secretAccessKey: r.secretAccessKey,
            ...(r.sessionToken === undefined ? {} : { sessionToken: r.sessionToken }),
          };
          const headers = {
            host: 'kinesis.eu-west-3.amazonaws.com',
            'content-type': r.contentType,
            'content-length': '2',
            'x-amz-target': r.target,
            'x-amz-content-sha256': r.payloadHash,
          };
          const ours = createSigner(r.region, r.service)(
            r.path,
            headers,
            r.payloadHash,
            credentials,
            r.date,
          );
          const sdk = await bySdk(r.region, r.service, r.path, headers, credentials, r.date);
          assert.equal(ours.authorization, sdk.authorization);
          assert.equal(ours['x-amz-date'], sdk['x-amz-date']);
          assert.equal(ours['x-amz-security-token'], sdk['x-amz-security-token']);
        },
      ),
      { numRuns: 300 },
    ));

  it('keeps its signing key per day and per secret: a new day or a rotated secret signs anew', async () => {
    const sign = createSigner('us-east-1', 'dynamodb');
    const headers = { host: 'h', 'x-amz-content-sha256': 'e3b0' };
    const a = { accessKeyId: 'AKID', secretAccessKey: 'one' };
    const b = { accessKeyId: 'AKID', secretAccessKey: 'two' };
    const day1 = new Date('2026-12-03T23:59:59Z');
    const day2 = new Date('2026-12-04T00:00:00Z');
    for (const [creds, date] of [
      [a, day1],
      [b, day1],
      [b, day2],
      [a, day2],
    ] as const)
      assert.equal(
        sign('/', headers, 'e3b0', creds, date).authorization,
        (await bySdk('us-east-1', 'dynamodb', '/', headers, creds, date)).authorization,
      );
  });

  it('canonicalises paths as SigV4 does for every service but S3', () => {
    assert.equal(canonicalPath('/'), '/');
    assert.equal(canonicalPath('/a/./b/../c/'), '/a/c/');
    assert.equal(canonicalPath("/it's (x)"), '/it%27s%20%28x%29');
  });
});
