import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';

import fc from 'fast-check';

import {
  isPacked,
  PACK_LIMITS,
  PACK_MAGIC,
  packedSize,
  packRecord,
  unpackRecord,
} from './kinesis-packing.ts';

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const text = (u: Uint8Array) => Buffer.from(u).toString('utf8');

describe('Bus > kinesis packing', () => {
  it('round-trips any messages, with and without gzip', () =>
    fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: PACK_LIMITS.minMessageBytes, maxLength: 300 }), {
          minLength: 1,
          maxLength: 40,
        }),
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

  it('refuses to pack nothing, too many or too short messages', async () => {
    await assert.rejects(packRecord([]), /at least one/);
    await assert.rejects(packRecord(messagesOf(PACK_LIMITS.maxMessages + 1, 2)), /at most/);
    await assert.rejects(packRecord([bytes('{}'), bytes('1')]), /2 bytes or more/);
  });
});

describe('Bus > kinesis packing > limits', () => {
  const { maxBodyBytes, maxMessages, minMessageBytes } = PACK_LIMITS;

  /** A packed record with the given body, as written by a hostile producer (no checks). */
  const forged = (body: Buffer, gzip: boolean): Buffer =>
    Buffer.concat([PACK_MAGIC, Buffer.from([1, gzip ? 1 : 0]), gzip ? gzipSync(body) : body]);
  const bodyOf = (messages: ReadonlyArray<Uint8Array>): Buffer => {
    const parts = [u32(messages.length)];
    for (const m of messages) parts.push(u32(m.length), Buffer.from(m));
    return Buffer.concat(parts);
  };
  const expect = async (data: Buffer, kind: 'packed' | 'corrupt', reason?: RegExp) => {
    const u = await unpackRecord(data);
    assert.equal(u.kind, kind, u.kind === 'corrupt' ? u.reason : '');
    if (reason) assert.match(u.kind === 'corrupt' ? u.reason : '', reason);
  };

  for (const gzip of [false, true])
    describe(gzip ? 'gzip body' : 'plain body', () => {
      it(`takes ${maxMessages} messages and refuses one more`, async () => {
        await expect(forged(bodyOf(messagesOf(maxMessages, 2)), gzip), 'packed');
        await expect(
          forged(bodyOf(messagesOf(maxMessages + 1, 2)), gzip),
          'corrupt',
          /declares 10001 messages, over the 10000-message limit/,
        );
      });

      it(`takes a body of ${maxBodyBytes} bytes and refuses one byte more`, async () => {
        const fill = (extra: number) => [new Uint8Array(maxBodyBytes - 8 + extra).fill(0x20)];
        await expect(forged(bodyOf(fill(0)), gzip), 'packed');
        await expect(
          forged(bodyOf(fill(1)), gzip),
          'corrupt',
          gzip ? /unpacks to over the 1048570-byte limit/ : /1048571 bytes, over the 1048570/,
        );
      });

      it(`takes messages of ${minMessageBytes} bytes and refuses shorter ones, empty ones too`, async () => {
        await expect(forged(bodyOf([bytes('{}'), bytes('[]')]), gzip), 'packed');
        await expect(
          forged(bodyOf([bytes('{"a":1}'), bytes('1')]), gzip),
          'corrupt',
          /message 1 is 1 bytes, under the 2-byte minimum/,
        );
        await expect(
          forged(bodyOf([bytes('{"a":1}'), new Uint8Array(0), bytes('{}')]), gzip),
          'corrupt',
          /message 1 is 0 bytes/,
        );
      });
    });

  it('refuses a count its body cannot hold before cutting out any message', async () => {
    // 5,000 declared, room for far fewer: refused on the count, not after 5,000 reads.
    const body = Buffer.concat([u32(5_000), Buffer.alloc(600, 0x20)]);
    await expect(forged(body, false), 'corrupt', /declares 5000 messages, more than its 604 bytes/);
  });

  it('refuses a 4 KB gzip bomb of a million empty messages at once, never unpacking it whole', async () => {
    const million = 1_000_000;
    const body = Buffer.concat([u32(million), Buffer.alloc(million * 4)]); // 1 M lengths of 0
    const bomb = forged(body, true);
    assert.ok(bomb.length < 5_000, `${bomb.length} bytes`);
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const u = await unpackRecord(bomb);
    const ms = performance.now() - started;
    // Refused by gunzip's cap (4 MB declared > 1 MiB) before any message is cut out.
    assert.equal(u.kind, 'corrupt');
    assert.match(u.kind === 'corrupt' ? u.reason : '', /unpacks to over the 1048570-byte limit/);
    assert.ok(ms < 1_000, `${ms.toFixed(0)} ms`);
    const grown = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(grown < 32 * 1024 * 1024, `heap grew by ${grown} bytes`);
  });

  it('refuses a small gzip bomb declaring a million messages on its count', async () => {
    // Fits under the byte cap (it holds only its count), so the count check is what refuses it.
    const bomb = forged(Buffer.concat([u32(1_000_000), Buffer.alloc(1_000)]), true);
    await expect(bomb, 'corrupt', /declares 1000000 messages, over the 10000-message limit/);
  });
});

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
};
const messagesOf = (count: number, size: number): Uint8Array[] =>
  Array.from({ length: count }, () => new Uint8Array(size).fill(0x7b));

const sum = (ms: ReadonlyArray<Uint8Array>) => ms.reduce((n, m) => n + m.length, 0);
