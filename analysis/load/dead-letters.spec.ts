import assert from 'node:assert/strict';

import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

import { toDeadLetter } from '../../runtime/dead-letter.ts';
import { decodeFailure, portFailure } from '../../runtime/errors.ts';
import { tallyDeadLetters } from './dead-letters.ts';

/** A bucket of objects behind a fake S3 client that pages its listing by 2 and records the ranges asked. */
const bucket = (objects: Record<string, string>) => {
  const ranges: Array<string | undefined> = [];
  const keys = Object.keys(objects).sort();
  const s3 = {
    send: (cmd: unknown) => {
      if (cmd instanceof ListObjectsV2Command) {
        const from = Number(cmd.input.ContinuationToken ?? 0);
        const page = keys.filter((k) => k.startsWith(cmd.input.Prefix ?? '')).slice(from, from + 2);
        const more = from + 2 < keys.length;
        return Promise.resolve({
          Contents: page.map((Key) => ({ Key })),
          IsTruncated: more,
          ...(more ? { NextContinuationToken: String(from + 2) } : {}),
        });
      }
      if (cmd instanceof GetObjectCommand) {
        ranges.push(cmd.input.Range);
        const [, end] = /^bytes=0-(\d+)$/.exec(cmd.input.Range ?? '') ?? [];
        const body = objects[cmd.input.Key ?? '']!;
        const text = end === undefined ? body : body.slice(0, Number(end) + 1);
        return Promise.resolve({ Body: { transformToString: () => Promise.resolve(text) } });
      }
      return Promise.reject(new Error('unexpected command'));
    },
  } as unknown as S3Client;
  return { s3, ranges };
};

const letter = (actor: string, error: unknown, raw: string, n: number) =>
  JSON.stringify(
    toDeadLetter({
      actor,
      error,
      raw,
      at: Date.UTC(2026, 10, 27),
      source: { stream: 'drones', shardId: 'shardId-0', sequence: String(n), subSequence: 0 },
    }),
  );

describe('Analysis > dead letters', () => {
  const big = 'x'.repeat(900_000); // a whole Kinesis record's bytes, base64 in the object
  const objects = {
    'dead-letter/actor=alert-system/date=2026-11-27/a.json': letter(
      'alert-system',
      decodeFailure('drones', ['not JSON']),
      big,
      1,
    ),
    'dead-letter/actor=alert-system/date=2026-11-27/b.json': letter(
      'alert-system',
      portFailure('sns', new Error('down')),
      '{}',
      2,
    ),
    'dead-letter/actor=stream-to-storage/date=2026-11-27/c.json': letter(
      'stream-to-storage',
      decodeFailure('drones', ['not JSON']),
      big,
      3,
    ),
    'dead-letter/actor=stream-to-storage/date=2026-11-27/d.json': 'not a dead letter',
    'dead-letter/actor=stream-to-storage/date=2026-11-28/e.json': letter(
      'stream-to-storage',
      decodeFailure('drones', ['x']),
      '',
      5,
    ),
    'archive/type=drone.message/x.ndjson.gz': 'not counted',
  };

  it('counts them per actor and reason, reading only the head of each', async () => {
    const { s3, ranges } = bucket(objects);
    const tally = await tallyDeadLetters(s3, 'b');
    assert.deepEqual(tally, {
      byReason: [
        { actor: 'alert-system', reason: 'DecodeFailure', n: 1 },
        { actor: 'alert-system', reason: 'PortFailure', n: 1 },
        { actor: 'stream-to-storage', reason: 'DecodeFailure', n: 2 },
        { actor: 'stream-to-storage', reason: 'unreadable', n: 1 },
      ],
      listed: 5,
      truncated: false,
    });
    assert.deepEqual(new Set(ranges), new Set(['bytes=0-4095']));
  });

  it('counts the old layout (date=, a / in the actor) with the new one (day=, / → .), under the new name', async () => {
    const { s3 } = bucket({
      'dead-letter/actor=stream-to-storage/drones/date=2026-11-27/a.json': letter(
        'stream-to-storage/drones',
        decodeFailure('drones', ['not JSON']),
        '',
        1,
      ),
      // The first one again, moved by a relayout killed before its delete: one letter.
      'dead-letter/actor=stream-to-storage.drones/day=2026-11-27/a.json': letter(
        'stream-to-storage/drones',
        decodeFailure('drones', ['not JSON']),
        '',
        1,
      ),
      'dead-letter/actor=stream-to-storage.drones/day=2026-11-28/b.json': letter(
        'stream-to-storage/drones',
        decodeFailure('drones', ['not JSON']),
        '',
        2,
      ),
      'dead-letter/actor=stream-to-storage.history/day=2026-11-28/c.json': letter(
        'stream-to-storage/history',
        portFailure('s3', new Error('down')),
        '',
        3,
      ),
      'dead-letter/stray.json': letter('x', decodeFailure('drones', ['x']), '', 4),
    });
    const tally = await tallyDeadLetters(s3, 'b');
    assert.deepEqual(tally.byReason, [
      { actor: 'stream-to-storage.drones', reason: 'DecodeFailure', n: 2 },
      { actor: 'stream-to-storage.history', reason: 'PortFailure', n: 1 },
      { actor: 'unknown', reason: 'DecodeFailure', n: 1 },
    ]);
  });

  it('reads at most maxObjects (the rest counted by actor as not_read) and lists at most maxListed', async () => {
    const { s3, ranges } = bucket(objects);
    const tally = await tallyDeadLetters(s3, 'b', { maxObjects: 2, maxListed: 4 });
    assert.equal(ranges.length, 2);
    assert.deepEqual(tally, {
      byReason: [
        { actor: 'alert-system', reason: 'DecodeFailure', n: 1 },
        { actor: 'alert-system', reason: 'PortFailure', n: 1 },
        { actor: 'stream-to-storage', reason: 'not_read', n: 2 },
      ],
      listed: 4,
      truncated: true,
    });
  });
});
