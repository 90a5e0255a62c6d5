import assert from 'node:assert/strict';

import fc from 'fast-check';

import { E } from '../../runtime/codec.ts';
import { DeadLetter, deadLetterTopic, rawOf, toDeadLetter } from '../../runtime/dead-letter.ts';
import { decodeFailure, portFailure } from '../../runtime/errors.ts';
import { arbDeadLetter } from './dead-letter.arb.ts';
import { assertIssue, assertRoundTrip, issuesOf } from './spec-helpers.ts';

const at = Date.UTC(2026, 10, 27, 18, 49, 16, 123);
const source = {
  stream: 'prestacop-drones',
  shardId: 'shardId-000000000001',
  sequence: '4958',
  subSequence: 0,
};

describe('Runtime > DeadLetter', () => {
  it('every DeadLetter survives encode → JSON → decode', () =>
    fc.assert(
      fc.property(arbDeadLetter, (d) => {
        assertRoundTrip(DeadLetter, d);
      }),
    ));

  it('keeps the raw bytes exactly', () =>
    fc.assert(
      fc.property(fc.uint8Array(), (raw) => {
        assert.deepStrictEqual(
          new Uint8Array(rawOf(toDeadLetter({ actor: 'a', error: 'x', raw, at }))),
          raw,
        );
      }),
    ));

  it('records a decode failure from the bus with its source, tag and issues', () => {
    const d = toDeadLetter({
      actor: 'alert-system',
      error: decodeFailure('drone.message', ['at .location.lat: expected Latitude, got 91']),
      raw: '{"location":{"lat":91}}',
      source,
      at,
    });
    assert.deepStrictEqual(d, {
      type: 'runtime.dead_letter',
      v: 1,
      id: 'alert-system:prestacop-drones/shardId-000000000001/4958/0',
      actor: 'alert-system',
      errorTag: 'DecodeFailure',
      reasons: ['drone.message: at .location.lat: expected Latitude, got 91'],
      rawBase64: Buffer.from('{"location":{"lat":91}}').toString('base64'),
      attempts: 1,
      at: '2026-11-27T18:49:16.123Z',
      source,
    });
  });

  it('addresses file lines and unaddressed inputs deterministically', () => {
    const line = toDeadLetter({
      actor: 'csv-to-stream',
      error: 'bad row',
      raw: 'a,b',
      source: { file: 'fy2017.csv', line: 12 },
      at,
    });
    assert.equal(line.id, 'csv-to-stream:fy2017.csv#12');
    const anon = (raw: string) =>
      toDeadLetter({ actor: 'x', error: new Error('boom'), raw, at, attempts: 5 });
    assert.equal(anon('abc').id, anon('abc').id);
    assert.notEqual(anon('abc').id, anon('abd').id);
    assert.match(anon('abc').id, /^x:sha256:[0-9a-f]{32}$/);
    assert.equal(anon('abc').errorTag, 'Defect');
    assert.deepStrictEqual(anon('abc').reasons, ['Error: boom']);
  });

  it('tags port failures and copies only the source fields', () => {
    const d = toDeadLetter({
      actor: 'stream-to-storage',
      error: portFailure('dynamodb', new Error('ValidationException'), false),
      raw: new Uint8Array([1, 2, 3]),
      source: { ...source, extra: 1 } as typeof source,
      at,
      attempts: 6,
    });
    assert.equal(d.errorTag, 'PortFailure');
    assert.deepStrictEqual(d.source, source);
    assert.equal(d.attempts, 6);
  });

  it('rejects bad dead letters with readable issues', () => {
    const d = fc.sample(arbDeadLetter, 1)[0]!;
    assertIssue(issuesOf(DeadLetter, { ...d, attempts: 0 }), 'at .attempts', 'expected Attempts');
    assertIssue(
      issuesOf(DeadLetter, { ...d, rawBase64: 'not base64!' }),
      'at .rawBase64',
      'expected Base64',
    );
    assertIssue(
      issuesOf(DeadLetter, { ...d, at: '2026-02-30T00:00:00Z' }),
      'at .at',
      'expected IsoUtcTime',
    );
    assertIssue(
      issuesOf(DeadLetter, { ...d, source: { file: 'f.csv', line: 0 } }),
      'at .source.line',
      'expected LineNumber',
    );
    assertIssue(
      issuesOf(DeadLetter, { ...d, source: { ...source, shardId: '' } }),
      'at .source.shardId',
    );
    assertIssue(issuesOf(DeadLetter, null), 'expected DeadLetter');
  });

  it('throws on a bad clock reading or attempt count (our bug, not bad input)', () => {
    assert.throws(
      () => toDeadLetter({ actor: 'a', error: 'x', raw: '', at: Number.NaN }),
      RangeError,
    );
    assert.throws(
      () => toDeadLetter({ actor: 'a', error: 'x', raw: '', at, attempts: 0 }),
      RangeError,
    );
  });

  it('deadLetterTopic partitions by actor and decodes with the codec', () => {
    const topic = deadLetterTopic('prestacop-dead-letters');
    const d = fc.sample(arbDeadLetter, 1)[0]!;
    assert.equal(topic.stream, 'prestacop-dead-letters');
    assert.equal(topic.partitionKey(d), d.actor);
    assert.ok(E.isRight(topic.codec.decode(JSON.parse(JSON.stringify(topic.codec.encode(d))))));
  });
});
