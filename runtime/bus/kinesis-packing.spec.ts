import assert from 'node:assert/strict';
import {
  constants as zlibConstants,
  createZstdCompress,
  gzipSync,
  zstdCompressSync,
} from 'node:zlib';

import fc from 'fast-check';

import {
  type Compression,
  CompressionOption,
  isPacked,
  PACK_LIMITS,
  PACK_MAGIC,
  packedSize,
  packRecord,
  parseCompression,
  unpackRecord,
} from './kinesis-packing.ts';

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const text = (u: Uint8Array) => Buffer.from(u).toString('utf8');
const gzip = (level: number): Compression => ({ codec: 'gzip', level });
const zstd = (level: number): Compression => ({ codec: 'zstd', level });
/** Every compression the format takes. */
const arbCompression: fc.Arbitrary<Compression> = fc.oneof(
  fc.constant<Compression>({ codec: 'none' }),
  fc.integer({ min: 1, max: 9 }).map(gzip),
  fc.integer({ min: 1, max: 19 }).map(zstd),
);

describe('Bus > kinesis packing', () => {
  it('round-trips any messages, uncompressed, gzip or zstd at any level', () =>
    fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: PACK_LIMITS.minMessageBytes, maxLength: 300 }), {
          minLength: 1,
          maxLength: 40,
        }),
        arbCompression,
        async (messages, compression) => {
          const record = await packRecord(messages, compression);
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

  for (const [compression, flag] of [
    [gzip(6), 1],
    [zstd(3), 2],
  ] as const)
    it(`compresses repetitive rows with ${compression.codec} (flag ${flag}) and stores incompressible ones plain`, async () => {
      const rows = Array.from({ length: 200 }, (_, i) =>
        bytes(JSON.stringify({ id: i, street: 'BROADWAY' })),
      );
      const zipped = await packRecord(rows, compression);
      assert.ok(zipped.length < packedSize(rows.length, sum(rows)) / 4, `${zipped.length}`);
      assert.equal(zipped[5], flag);
      const random = [
        new Uint8Array(Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 97) % 251))),
      ];
      const plain = await packRecord(random, compression);
      assert.equal(plain[5], 0);
      assert.equal(plain.length, packedSize(1, 64));
    });

  for (const [codec, top] of [
    ['gzip', 9],
    ['zstd', 19],
  ] as const)
    it(`compresses at the level asked for: ${codec} 1 larger than ${top}, both read back the same`, async () => {
      const rows = Array.from({ length: 2_000 }, (_, i) =>
        bytes(JSON.stringify({ id: `nypd:${1_000_000 + i * 7919}`, street: `${i % 97} BROADWAY` })),
      );
      const [fast, small] = await Promise.all([
        packRecord(rows, { codec, level: 1 }),
        packRecord(rows, { codec, level: top }),
      ]);
      assert.ok(
        fast.length > small.length,
        `fastest: ${fast.length} B, smallest: ${small.length} B`,
      );
      for (const record of [fast, small]) {
        const u = await unpackRecord(record);
        assert.equal(u.kind, 'packed');
        assert.deepEqual(
          u.kind === 'packed' ? u.messages.map((m) => Buffer.from(m)) : [],
          rows.map((r) => Buffer.from(r)),
        );
      }
    });

  it("reads a full 1 MiB body zstd-compressed at every level (its window fits the reader's limit)", async () => {
    // Varied enough that zstd needs matches from far back: a frame with a window over the body would be refused.
    const rows = Array.from({ length: 9_000 }, (_, i) =>
      bytes(
        JSON.stringify({
          id: (i * 2_654_435_761) % 4_294_967_291,
          street: `${i % 997} AVE`,
        }).padEnd(100),
      ),
    );
    assert.ok(packedSize(rows.length, sum(rows)) > PACK_LIMITS.maxBodyBytes - 200_000);
    for (let level = 1; level <= 19; level += 6) {
      const u = await unpackRecord(await packRecord(rows, zstd(level)));
      assert.equal(u.kind, 'packed', `level ${level}: ${u.kind === 'corrupt' ? u.reason : ''}`);
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
      ['bad gzip', Buffer.concat([PACK_MAGIC, Buffer.from([1, 1, 0, 0, 0])]), /bad gzip/],
      ['bad zstd', Buffer.concat([PACK_MAGIC, Buffer.from([1, 2, 0, 0, 0])]), /bad zstd/],
      [
        'both gzip and zstd',
        Buffer.concat([PACK_MAGIC, Buffer.from([1, 3]), good.subarray(6)]),
        /both the gzip and the zstd flag/,
      ],
      ['zero messages', Buffer.concat([PACK_MAGIC, Buffer.from([1, 0, 0, 0, 0, 0])]), /zero/],
    ];
    for (const [name, data, reason] of cases) {
      const u = await unpackRecord(data);
      assert.equal(u.kind, 'corrupt', name);
      assert.match(u.kind === 'corrupt' ? u.reason : '', reason, name);
    }
  });

  it('refuses to pack nothing, too many or too short messages, or at a level the codec lacks', async () => {
    await assert.rejects(packRecord([]), /at least one/);
    await assert.rejects(packRecord(messagesOf(PACK_LIMITS.maxMessages + 1, 2)), /at most/);
    await assert.rejects(packRecord([bytes('{}'), bytes('1')]), /2 bytes or more/);
    await assert.rejects(packRecord([bytes('{}')], gzip(10)), /gzip takes a level from 1 to 9/);
    await assert.rejects(packRecord([bytes('{}')], zstd(0)), /zstd takes a level from 1 to 19/);
  });

  it('refuses any flag bit it does not know, as the reader before zstd did with bit 1', async () => {
    const good = await packRecord([bytes('{"a":1}'), bytes('{"b":2}')]);
    for (let flags = 4; flags < 256; flags++) {
      const u = await unpackRecord(
        Buffer.concat([PACK_MAGIC, Buffer.from([1, flags]), good.subarray(6)]),
      );
      assert.equal(u.kind, 'corrupt', `flags ${flags}`);
      assert.match(u.kind === 'corrupt' ? u.reason : '', new RegExp(`unknown flags ${flags}$`));
    }
  });

  it('a reader from before zstd dead-letters a zstd record as corrupt, so consumers deploy first', async () => {
    // The header check of the reader before zstd (kinesis-packing.ts until bit 1 was defined): any flag but gzip is
    // corrupt. A zstd record reaching such a reader is one dead letter, "unknown flags 2": not lost, not readable.
    const readerBeforeZstd = (data: Buffer): string => {
      if (!isPacked(data)) return 'plain';
      if ((data[5]! & ~1) !== 0) return `corrupt: unknown flags ${data[5]}`;
      return 'packed';
    };
    const rows = Array.from({ length: 100 }, (_, i) =>
      bytes(JSON.stringify({ id: i, street: 'BROADWAY' })),
    );
    assert.equal(readerBeforeZstd(await packRecord(rows, zstd(3))), 'corrupt: unknown flags 2');
    assert.equal(readerBeforeZstd(await packRecord(rows, gzip(3))), 'packed');
    assert.equal(readerBeforeZstd(await packRecord(rows)), 'packed');
    assert.equal((await unpackRecord(await packRecord(rows, zstd(3)))).kind, 'packed');
  });
});

describe('Bus > kinesis packing > compression option', () => {
  it('reads none, gzip:1..9 and zstd:1..19, and shows them back the same', () => {
    assert.deepEqual(parseCompression('none'), { codec: 'none' });
    assert.deepEqual(parseCompression('gzip:3'), gzip(3));
    assert.deepEqual(parseCompression(' ZSTD:19 '), zstd(19));
    fc.assert(
      fc.property(arbCompression, (c) => {
        const shown = CompressionOption.encode(c);
        assert.deepEqual(CompressionOption.decode(shown), { _tag: 'Right', right: c });
      }),
    );
  });

  it('refuses unknown codecs, missing or out-of-range levels, and a level on none', () => {
    for (const bad of [
      '',
      'gzip',
      'zstd',
      'gzip:0',
      'gzip:10',
      'zstd:0',
      'zstd:20',
      'zstd:-1',
      'zstd:3.5',
      'brotli:4',
      'none:3',
      'gzip:3,zstd:3',
    ])
      assert.match(
        JSON.stringify(parseCompression(bad)),
        /expected none, gzip:1\.\.9 or zstd:1\.\.19/,
        bad,
      );
  });
});

describe('Bus > kinesis packing > limits', () => {
  const { maxBodyBytes, maxMessages, minMessageBytes } = PACK_LIMITS;

  type Codec = 'none' | 'gzip' | 'zstd';
  /** A packed record with the given body, as written by a hostile producer (no checks). */
  const forged = (body: Buffer, codec: Codec): Buffer =>
    Buffer.concat([
      PACK_MAGIC,
      Buffer.from([1, { none: 0, gzip: 1, zstd: 2 }[codec]]),
      codec === 'gzip'
        ? gzipSync(body)
        : codec === 'zstd'
          ? // A 1 MiB window, the most the reader takes: the byte cap is what stops a larger body.
            zstdCompressSync(body, { params: { [zlibConstants.ZSTD_c_windowLog]: 20 } })
          : body,
    ]);
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

  for (const codec of ['none', 'gzip', 'zstd'] as const)
    describe(codec === 'none' ? 'plain body' : `${codec} body`, () => {
      it(`takes ${maxMessages} messages and refuses one more`, async () => {
        await expect(forged(bodyOf(messagesOf(maxMessages, 2)), codec), 'packed');
        await expect(
          forged(bodyOf(messagesOf(maxMessages + 1, 2)), codec),
          'corrupt',
          /declares 10001 messages, over the 10000-message limit/,
        );
      });

      it(`takes a body of ${maxBodyBytes} bytes and refuses one byte more`, async () => {
        const fill = (extra: number) => [new Uint8Array(maxBodyBytes - 8 + extra).fill(0x20)];
        await expect(forged(bodyOf(fill(0)), codec), 'packed');
        await expect(
          forged(bodyOf(fill(1)), codec),
          'corrupt',
          codec !== 'none'
            ? /unpacks to over the 1048570-byte limit/
            : /1048571 bytes, over the 1048570/,
        );
      });

      it(`takes messages of ${minMessageBytes} bytes and refuses shorter ones, empty ones too`, async () => {
        await expect(forged(bodyOf([bytes('{}'), bytes('[]')]), codec), 'packed');
        await expect(
          forged(bodyOf([bytes('{"a":1}'), bytes('1')]), codec),
          'corrupt',
          /message 1 is 1 bytes, under the 2-byte minimum/,
        );
        await expect(
          forged(bodyOf([bytes('{"a":1}'), new Uint8Array(0), bytes('{}')]), codec),
          'corrupt',
          /message 1 is 0 bytes/,
        );
      });
    });

  it('refuses a count its body cannot hold before cutting out any message', async () => {
    // 5,000 declared, room for far fewer: refused on the count, not after 5,000 reads.
    const body = Buffer.concat([u32(5_000), Buffer.alloc(600, 0x20)]);
    await expect(
      forged(body, 'none'),
      'corrupt',
      /declares 5000 messages, more than its 604 bytes/,
    );
  });

  for (const codec of ['gzip', 'zstd'] as const)
    it(`refuses a ${codec} bomb of a million empty messages at once, never unpacking it whole`, async () => {
      const million = 1_000_000;
      const body = Buffer.concat([u32(million), Buffer.alloc(million * 4)]); // 1 M lengths of 0
      const bomb = forged(body, codec);
      assert.ok(bomb.length < 5_000, `${bomb.length} bytes`);
      const heapBefore = process.memoryUsage().heapUsed;
      const started = performance.now();
      const u = await unpackRecord(bomb);
      const ms = performance.now() - started;
      // Refused by the decompressor's cap (4 MB declared > 1 MiB) before any message is cut out.
      assert.equal(u.kind, 'corrupt');
      assert.match(u.kind === 'corrupt' ? u.reason : '', /unpacks to over the 1048570-byte limit/);
      assert.ok(ms < 1_000, `${ms.toFixed(0)} ms`);
      const grown = process.memoryUsage().heapUsed - heapBefore;
      assert.ok(grown < 32 * 1024 * 1024, `heap grew by ${grown} bytes`);
    });

  it('refuses a small gzip bomb declaring a million messages on its count', async () => {
    // Fits under the byte cap (it holds only its count), so the count check is what refuses it.
    const bomb = forged(Buffer.concat([u32(1_000_000), Buffer.alloc(1_000)]), 'gzip');
    await expect(bomb, 'corrupt', /declares 1000000 messages, over the 10000-message limit/);
  });

  it('refuses a zstd frame that asks for a window over 1 MiB, before decoding it', async () => {
    // Streamed in two writes, the frame does not know its size and keeps the 128 MiB window it was given: a reader
    // that honoured it would allocate that much for a record of a few bytes.
    const wide = createZstdCompress({ params: { [zlibConstants.ZSTD_c_windowLog]: 27 } });
    const chunks: Buffer[] = [];
    wide.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise((resolve) => wide.on('end', resolve));
    wide.write(bodyOf([bytes('{"a":1}')]));
    wide.end(Buffer.alloc(0));
    await done;
    const record = Buffer.concat([PACK_MAGIC, Buffer.from([1, 2]), ...chunks]);
    await expect(record, 'corrupt', /zstd frame asks for a window over 1048576 bytes/);
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
