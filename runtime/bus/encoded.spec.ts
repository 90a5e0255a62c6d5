import assert from 'node:assert/strict';

import { encodeJson, t } from '../codec.ts';
import {
  codecEncoding,
  encodedAt,
  encodedBatch,
  encodedRecords,
  EncodingMismatch,
  fastEncoding,
  sameBytes,
} from './encoded.ts';

/** A codec whose encoding is not its value: `at` travels as ISO text. */
const Stamp = t.type({ key: t.string, at: t.number }, 'Stamp');
const NumberAsIso = new t.Type<number, string, unknown>(
  'NumberAsIso',
  (u): u is number => typeof u === 'number',
  (u, c) => (typeof u === 'string' ? t.success(Date.parse(u)) : t.failure(u, c)),
  (n) => new Date(n).toISOString(),
);
const IsoStamp = t.type({ key: t.string, at: NumberAsIso }, 'IsoStamp');
type Stamp = t.TypeOf<typeof Stamp>;
const key = (s: Stamp) => s.key;
const stamps: Stamp[] = [
  { key: 'a', at: 0 },
  { key: 'ü', at: 1 }, // two bytes in UTF-8: ends are byte offsets, not characters
  { key: 'c', at: 2 },
];

describe('encoded', () => {
  it('batches messages as the bytes and keys publish would give them', () => {
    for (const encoding of [
      codecEncoding({ codec: Stamp, partitionKey: key }),
      fastEncoding(Stamp, key, (s) => JSON.stringify(s)),
    ]) {
      const b = encodedBatch(encoding);
      stamps.forEach(b.add);
      const batch = b.done();
      assert.deepEqual(
        encodedRecords(batch).map((r) => [r.partitionKey, Buffer.from(r.data).toString()]),
        stamps.map((s) => [s.key, encodeJson(Stamp, s).toString()]),
      );
      assert.deepEqual(Buffer.from(encodedAt(batch, 1)), encodeJson(Stamp, stamps[1]!));
      assert.ok(sameBytes(encoding, stamps));
    }
    assert.equal(
      encodedBatch(codecEncoding({ codec: Stamp, partitionKey: key })).done().ends.length,
      0,
    );
  });

  it('refuses a fast encoding that is not the codec’s, on a batch’s first message', () => {
    const wrong = fastEncoding(IsoStamp, key, (s) => JSON.stringify(s)); // skips the ISO transform
    assert.throws(() => encodedBatch(wrong).add(stamps[0]!), EncodingMismatch);
    assert.equal(sameBytes(wrong, stamps), false);
    assert.ok(sameBytes(codecEncoding({ codec: IsoStamp, partitionKey: key }), stamps));
  });
});
