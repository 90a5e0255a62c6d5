import assert from 'node:assert/strict';

import fc from 'fast-check';

import { isPacked, PACK_MAGIC, packedSize, packRecord, unpackRecord } from './kinesis-packing.ts';

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const text = (u: Uint8Array) => Buffer.from(u).toString('utf8');

describe('Bus > kinesis packing', () => {
  it('round-trips any messages, with and without gzip', () =>
    fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        async (messages, gzip) => {
          const record = await packRecord(messages, { gzip });
          assert.ok(isPacked(record));
          assert.ok(record.length <= packedSize(messages.length, sum(messages)));
          const u = await unpackRecord(record);
          assert.equal(u.kind, 'packed');
          assert.deepEqual(
            u.kind === 'packed' ? u.messages.map((m) => Buffer.from(m)) : [],
            messages.map((m) => Buffer.from(m)),
          );
        },
      ),
    ));

  it('never mistakes JSON text for a packed record', () =>
    fc.assert(
      fc.asyncProperty(fc.json(), async (json) => {
        const data = bytes(json);
        assert.equal(isPacked(data), false);
        const u = await unpackRecord(data);
        assert.equal(u.kind, 'plain');
        assert.equal(u.kind === 'plain' ? text(u.messages[0]!) : '', json);
      }),
    ));

  it('never throws on arbitrary bytes after the magic', () =>
    fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (tail) => {
        const u = await unpackRecord(Buffer.concat([PACK_MAGIC, tail]));
        assert.ok(['packed', 'corrupt', 'plain'].includes(u.kind));
      }),
    ));

  it('compresses repetitive rows and stores incompressible ones plain', async () => {
    const rows = Array.from({ length: 200 }, (_, i) =>
      bytes(JSON.stringify({ id: i, street: 'BROADWAY' })),
    );
    const zipped = await packRecord(rows, { gzip: true });
    assert.ok(zipped.length < packedSize(rows.length, sum(rows)) / 4, `${zipped.length}`);
    assert.equal(zipped[5], 1);
    const random = [
      new Uint8Array(Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 97) % 251))),
    ];
    const plain = await packRecord(random, { gzip: true });
    assert.equal(plain[5], 0);
    assert.equal(plain.length, packedSize(1, 64));
  });

  it('compresses at the level asked for: level 1 larger than 9, both read back the same', async () => {
    const rows = Array.from({ length: 2_000 }, (_, i) =>
      bytes(JSON.stringify({ id: `nypd:${1_000_000 + i * 7919}`, street: `${i % 97} BROADWAY` })),
    );
    const [fast, small] = await Promise.all([
      packRecord(rows, { gzip: true, level: 1 }),
      packRecord(rows, { gzip: true, level: 9 }),
    ]);
    assert.ok(fast.length > small.length, `level 1: ${fast.length} B, level 9: ${small.length} B`);
    for (const record of [fast, small]) {
      const u = await unpackRecord(record);
      assert.equal(u.kind, 'packed');
      assert.deepEqual(
        u.kind === 'packed' ? u.messages.map((m) => Buffer.from(m)) : [],
        rows.map((r) => Buffer.from(r)),
      );
    }
  });

  it('reports corrupt records with a reason instead of throwing', async () => {
    const good = await packRecord([bytes('{"a":1}'), bytes('{"b":2}')]);
    const cases: Array<[string, Buffer, RegExp]> = [
      [
        'unknown version',
        Buffer.concat([PACK_MAGIC, Buffer.from([9, 0]), good.subarray(6)]),
        /version 9/,
      ],
      [
        'unknown flags',
        Buffer.concat([PACK_MAGIC, Buffer.from([1, 4]), good.subarray(6)]),
        /flags 4/,
      ],
      ['truncated', good.subarray(0, good.length - 3), /overruns/],
      ['trailing bytes', Buffer.concat([good, Buffer.from([0])]), /trailing/],
      ['bad gzip', Buffer.concat([PACK_MAGIC, Buffer.from([1, 1, 0, 0, 0])]), /gzip/],
      ['zero messages', Buffer.concat([PACK_MAGIC, Buffer.from([1, 0, 0, 0, 0, 0])]), /zero/],
    ];
    for (const [name, data, reason] of cases) {
      const u = await unpackRecord(data);
      assert.equal(u.kind, 'corrupt', name);
      assert.match(u.kind === 'corrupt' ? u.reason : '', reason, name);
    }
  });

  it('refuses to pack nothing', async () => {
    await assert.rejects(packRecord([]), /at least one/);
  });
});

const sum = (ms: ReadonlyArray<Uint8Array>) => ms.reduce((n, m) => n + m.length, 0);
