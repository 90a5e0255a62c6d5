import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';

import type { DeadLetterRequest } from '../../runtime/actor.ts';
import { PACK_MAGIC } from '../../runtime/bus/kinesis-packing.ts';
import { decodeFailure, idConflict } from '../../runtime/errors.ts';
import { MetricsRegistry } from '../../runtime/metrics.ts';
import { needsHumanKey, parseNeedsHumanKey } from '../protocol/needs-human.ts';
import { DEFAULT_HUMAN_CODES } from '../protocol/violation-codes.ts';
import { deadLetterVerdict, type NeedsHumanNote, withNeedsHumanNotes } from './needs-human.ts';

const human = DEFAULT_HUMAN_CODES[0]!;
const ordinary = [...Array(99).keys()]
  .map((i) => i + 1)
  .find((c) => !DEFAULT_HUMAN_CODES.includes(c))!;
const bytes = (u: unknown) => Buffer.from(typeof u === 'string' ? u : JSON.stringify(u));
const message = (code?: unknown) => ({
  type: 'drone.message',
  v: 1,
  id: 'drone-0042:7',
  droneId: 'drone-0042',
  time: '2026-12-01T12:00:00.000Z',
  location: { lat: 40.7, lon: -73.9 },
  ...(code === undefined ? {} : { violationCode: code, violationImageId: 'img' }),
});

describe('AlertSystem > dead letters that need a human > verdict', () => {
  it('reads a code that needs a human, as a number or a digit string, v1 and legacy alike', () => {
    assert.deepEqual(deadLetterVerdict(bytes(message(human)), DEFAULT_HUMAN_CODES), {
      _tag: 'code',
      code: human,
    });
    assert.deepEqual(
      deadLetterVerdict(bytes({ droneId: 'x', violationCode: ` ${human}` }), DEFAULT_HUMAN_CODES),
      {
        _tag: 'code',
        code: human,
      },
    );
  });

  it('says none for a message without a code or with one that needs nobody', () => {
    assert.deepEqual(deadLetterVerdict(bytes(message()), DEFAULT_HUMAN_CODES), { _tag: 'none' });
    assert.deepEqual(deadLetterVerdict(bytes(message(ordinary)), DEFAULT_HUMAN_CODES), {
      _tag: 'none',
    });
    assert.deepEqual(deadLetterVerdict(bytes(message(null)), DEFAULT_HUMAN_CODES), {
      _tag: 'none',
    });
  });

  it('says unreadable, without parsing, for a packed record, a gzip bomb and bytes over the size limit', () => {
    const bomb = Buffer.concat([PACK_MAGIC, Buffer.from([1, 1]), gzipSync(Buffer.alloc(1 << 20))]);
    assert.equal(deadLetterVerdict(bomb, DEFAULT_HUMAN_CODES)._tag, 'unreadable');
    // 600 KB that would parse and carry a human code: over the limit, so never parsed.
    const big = bytes({ ...message(human), address: 'x'.repeat(600_000) });
    const v = deadLetterVerdict(big, DEFAULT_HUMAN_CODES);
    assert.equal(v._tag, 'unreadable');
    assert.match(v._tag === 'unreadable' ? v.why : '', /over the 262144-byte message limit/);
  });

  it('says unreadable for bytes that are not a JSON object, or a code that is not one', () => {
    for (const raw of ['{"violationCode":', '[1,2]', '"14"', 'null'])
      assert.equal(deadLetterVerdict(bytes(raw), DEFAULT_HUMAN_CODES)._tag, 'unreadable', raw);
    for (const code of ['abc', 0, 100, 1.5, {}])
      assert.equal(deadLetterVerdict(bytes(message(code)), DEFAULT_HUMAN_CODES)._tag, 'unreadable');
  });
});

describe('AlertSystem > dead letters that need a human > counting', () => {
  const source = {
    stream: 'drones',
    shardId: 'shardId-000000000001',
    sequence: '4955',
    subSequence: 2,
  };
  const request = (raw: Uint8Array, error: unknown): DeadLetterRequest => ({
    actor: 'alert-system',
    source,
    error,
    errorTag: 'DecodeFailure',
    reasons: ['why'],
    raw,
    attempts: 1,
  });
  const setup = (letterFails = false) => {
    const letters: DeadLetterRequest[] = [];
    const notes: NeedsHumanNote[] = [];
    const metrics = new MetricsRegistry();
    const noted: string[] = [];
    const port = withNeedsHumanNotes(
      (r) =>
        letterFails ? Promise.reject(new Error('s3 down')) : (letters.push(r), Promise.resolve()),
      {
        humanCodes: DEFAULT_HUMAN_CODES,
        notes: { put: (n) => (notes.push(n), Promise.resolve()) },
        now: () => Date.parse('2026-12-01T12:00:00Z'),
        metrics,
        onNoted: (v) => noted.push(v),
      },
    );
    return { port, letters, notes, metrics, noted };
  };

  it('writes every dead letter, and notes and counts those with a human code or unreadable', async () => {
    const s = setup();
    await s.port(
      request(
        bytes(message(human)),
        idConflict({ store: 'alarm-store', id: 'drone-0042:7', hash: 'h2', stored: '{}' }),
      ),
    );
    await s.port(request(bytes(message(ordinary)), decodeFailure('drones', ['x'])));
    await s.port(request(bytes('not json'), decodeFailure('drones', ['x'])));
    await s.port(request(bytes(message()), decodeFailure('drones', ['x'])));
    assert.equal(s.letters.length, 4); // nothing dropped
    assert.deepEqual(s.noted, ['code', 'unreadable']);
    assert.deepEqual(
      s.notes.map((n) => [n.verdict, n.code, n.deadLetterId]),
      [
        ['code', human, 'alert-system:drones/shardId-000000000001/4955/2'],
        ['unreadable', undefined, 'alert-system:drones/shardId-000000000001/4955/2'],
      ],
    );
    assert.match(s.notes[1]!.reasons.join('; '), /why; not JSON/);
    const text = s.metrics.render();
    assert.match(text, /prestacop_dead_letters_needing_human_total\{verdict="code"\} 1/);
    assert.match(text, /prestacop_dead_letters_needing_human_total\{verdict="unreadable"\} 1/);
  });

  it('notes nothing when the dead letter itself was not written (it is written again, with its note)', async () => {
    const s = setup(true);
    await assert.rejects(s.port(request(bytes(message(human)), decodeFailure('drones', ['x']))));
    assert.deepEqual(s.notes, []);
    assert.deepEqual(s.noted, []);
  });

  it('names each note by its dead letter, so a dead letter written again is one note', () => {
    const key = needsHumanKey('alert-system', 'code', 'alert-system:drones/shardId-1/49/0');
    assert.equal(
      key,
      'needs-human/actor=alert-system/verdict=code/alert-system_drones_shardId-1_49_0.json',
    );
    assert.deepEqual(parseNeedsHumanKey(key), {
      actor: 'alert-system',
      verdict: 'code',
      deadLetter: 'alert-system_drones_shardId-1_49_0',
    });
    assert.equal(parseNeedsHumanKey('needs-human/actor=a/verdict=maybe/x.json'), undefined);
  });
});
