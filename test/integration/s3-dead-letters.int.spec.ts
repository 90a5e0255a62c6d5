/** The runtime's S3 dead letters on s3rver: the actor runner's port and the one for bodies with no bus position. */
import assert from 'node:assert/strict';

import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';

import { createBucket } from '../../runtime/aws/provision.ts';
import { createS3BodyDeadLetters, createS3DeadLetters } from '../../runtime/aws/s3-dead-letters.ts';
import { E } from '../../runtime/codec.ts';
import { DeadLetter, rawOf } from '../../runtime/dead-letter.ts';
import { decodeFailure } from '../../runtime/errors.ts';
import { type TestStack, uniqueName, useStack } from '../helpers/stack.ts';

const at = Date.UTC(2026, 2, 4, 12);

describe('Runtime > S3 dead letters > on s3rver', function () {
  this.timeout(60_000);
  let stack: TestStack;
  let bucket: string;

  before(async () => {
    stack = await useStack();
    bucket = uniqueName('dead-letters');
    await createBucket(stack.clients, bucket);
  });

  /** Every letter under the actor's prefix, decoded. */
  const lettersOf = async (actor: string): Promise<Array<{ key: string; letter: DeadLetter }>> => {
    const { s3 } = stack.clients;
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `dead-letter/actor=${actor}/` }),
    );
    return Promise.all(
      (listed.Contents ?? []).map(async ({ Key }) => {
        const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
        const decoded = DeadLetter.decode(JSON.parse(await body.Body!.transformToString()));
        assert.ok(E.isRight(decoded), Key);
        return { key: Key!, letter: decoded.right };
      }),
    );
  };

  it('writes what runActor gives up on under its day, one object per position, no / in the actor partition', async () => {
    const actor = `${uniqueName('runner')}/drones`;
    const port = createS3DeadLetters(stack.clients.s3, bucket, () => at);
    const request = {
      actor,
      source: { stream: 's', shardId: 'shard-0', sequence: '42', subSequence: 0 },
      error: decodeFailure('s', ['not JSON']),
      errorTag: 'DecodeFailure',
      reasons: ['not JSON'],
      raw: Buffer.from('{oops'),
      attempts: 1,
    };
    await port(request);
    await port(request);
    const letters = await lettersOf(actor.replace('/', '.'));
    assert.equal(letters.length, 1);
    assert.match(
      letters[0]!.key,
      new RegExp(`^dead-letter/actor=${actor.replace('/', '\\.')}/day=2026-03-04/[^/]+\\.json$`),
    );
    assert.equal(letters[0]!.letter.actor, actor);
    assert.deepEqual(letters[0]!.letter.source, request.source);
    assert.equal(port.count(), 2);
  });

  it('writes an undecodable body as a DecodeFailure of its input, keyed by its bytes: the same body once', async () => {
    const actor = uniqueName('queue-reader');
    const letters = createS3BodyDeadLetters(stack.clients.s3, bucket, () => at, {
      actor,
      input: 'some-queue',
    });
    await letters.put('{oops', ['not JSON']);
    await letters.put('{oops', ['not JSON']);
    await letters.put('[]', ['at .: not an object']);
    const stored = (await lettersOf(actor)).map((l) => l.letter);
    assert.equal(stored.length, 2);
    const oops = stored.find((l) => rawOf(l).toString() === '{oops');
    assert.ok(oops);
    assert.equal(oops.errorTag, 'DecodeFailure');
    assert.deepEqual(oops.reasons, ['some-queue: not JSON']);
    assert.equal(oops.source, undefined);
    assert.match(oops.id, new RegExp(`^${actor}:sha256:[0-9a-f]{32}$`));
  });
});
