/**
 * The analysis' dead-letter tally (`analysis/load/dead-letters.ts`) on s3rver, over letters the runtime's writer
 * (`runtime/aws/s3-dead-letters.ts`) stored: the ranged GET of each object's head, on a real S3 API.
 */
import assert from 'node:assert/strict';

import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';

import { tallyDeadLetters } from '../../analysis/load/dead-letters.ts';
import { createBucket } from '../../runtime/aws/provision.ts';
import { createS3BodyDeadLetters, createS3DeadLetters } from '../../runtime/aws/s3-dead-letters.ts';
import { decodeFailure, portFailure } from '../../runtime/errors.ts';
import { type TestStack, uniqueName, useStack } from '../helpers/stack.ts';

const at = Date.UTC(2026, 2, 4, 12);
const HEAD = 4_096;

describe('Analysis > dead letters > on s3rver', function () {
  this.timeout(60_000);
  let stack: TestStack;
  let bucket: string;
  const runner = 'stream-to-storage';
  const queueReader = 'operator-console';
  const big = 'x'.repeat(200_000); // a large record's bytes: its letter is ~270 KB, base64
  const bigKey = `dead-letter/actor=${runner}/date=2026-03-04/`;

  before(async () => {
    stack = await useStack();
    bucket = uniqueName('dead-letter-tally');
    await createBucket(stack.clients, bucket);
    const port = createS3DeadLetters(stack.clients.s3, bucket, () => at);
    const request = (sequence: string, error: unknown, errorTag: string, raw: string) => ({
      actor: runner,
      source: { stream: 'drones', shardId: 'shardId-0', sequence, subSequence: 0 },
      error,
      errorTag,
      reasons: [],
      raw: Buffer.from(raw),
      attempts: 1,
    });
    await port(request('1', decodeFailure('drones', ['not JSON']), 'DecodeFailure', big));
    await port(request('2', decodeFailure('drones', ['at .id: missing']), 'DecodeFailure', '{}'));
    await port(request('3', portFailure('dynamodb', new Error('down')), 'PortFailure', big));
    await port(request('4', new Error('a bug'), 'Defect', '{}'));
    const bodies = createS3BodyDeadLetters(stack.clients.s3, bucket, () => at, {
      actor: queueReader,
      input: 'alarm-queue',
    });
    await bodies.put('{oops', ['not JSON']);
    await bodies.put(big, ['too large']);
    // Not a dead letter, though a tag-like text sits past the head: only the head counts.
    await stack.clients.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${bigKey}stray.json`,
        Body: `${'y'.repeat(HEAD + 100)}"errorTag":"DecodeFailure"`,
      }),
    );
  });

  it('counts the letters per actor and reason, the ones over 4 KiB too, from the head of each', async () => {
    const tally = await tallyDeadLetters(stack.clients.s3, bucket);
    assert.deepEqual(tally, {
      byReason: [
        { actor: queueReader, reason: 'DecodeFailure', n: 2 },
        { actor: runner, reason: 'DecodeFailure', n: 2 },
        { actor: runner, reason: 'Defect', n: 1 },
        { actor: runner, reason: 'PortFailure', n: 1 },
        { actor: runner, reason: 'unreadable', n: 1 },
      ],
      listed: 7,
      truncated: false,
    });
  });

  it('gets only the head of a large object from s3rver (it honours Range), so the bound is exercised', async () => {
    const got = await stack.clients.s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: `${bigKey}stray.json`,
        Range: `bytes=0-${HEAD - 1}`,
      }),
    );
    assert.equal((await got.Body!.transformToByteArray()).length, HEAD);
    assert.equal(got.ContentRange, `bytes 0-${HEAD - 1}/${HEAD + 100 + 26}`);
  });
});
