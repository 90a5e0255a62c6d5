import assert from 'node:assert/strict';

import fc from 'fast-check';

import { EXAMPLE_DRONE_MESSAGE } from '../../test/helpers/messages.ts';
import { arbDroneMessage, arbLegacyDroneMessage } from './drone-message.arb.ts';
import { DroneMessage } from './drone-message.ts';
import { DroneMessageIn } from './drone-message-in.ts';
import { canonicalJson, messageHash, Sha256Hex } from './message-hash.ts';
import { decoded } from './spec-helpers.ts';
import { UtcTime } from './time.ts';

/** The same object with its keys in reverse order, at every level. */
const reversed = (u: unknown): unknown =>
  typeof u === 'object' && u !== null && !Array.isArray(u)
    ? Object.fromEntries(
        Object.entries(u)
          .reverse()
          .map(([k, v]) => [k, reversed(v)]),
      )
    : u;

describe('Protocol > messageHash', () => {
  it('is a SHA-256 hex digest', () =>
    fc.assert(
      fc.property(arbDroneMessage, (m) => {
        assert.ok(Sha256Hex.is(messageHash(m)));
      }),
    ));

  it('a redelivery has the same hash, whatever its key order and unknown keys', () =>
    fc.assert(
      fc.property(arbDroneMessage, (m) => {
        const again = decoded(DroneMessageIn, {
          ...(reversed(JSON.parse(JSON.stringify(DroneMessage.encode(m)))) as object),
          battery: 0.5,
        });
        assert.equal(messageHash(again), messageHash(m));
      }),
    ));

  it('a legacy message has one hash, whatever its spelling', () =>
    fc.assert(
      fc.property(arbLegacyDroneMessage, (raw) => {
        const m = decoded(DroneMessageIn, raw);
        const v1 = decoded(DroneMessageIn, JSON.parse(JSON.stringify(DroneMessage.encode(m))));
        assert.equal(messageHash(v1), messageHash(m));
      }),
    ));

  it('two messages have one hash only if they encode the same', () =>
    fc.assert(
      fc.property(arbDroneMessage, arbDroneMessage, (a, b) => {
        const same =
          canonicalJson(DroneMessage.encode(a)) === canonicalJson(DroneMessage.encode(b));
        assert.equal(messageHash(a) === messageHash(b), same);
      }),
    ));

  it('any change to a kept field changes it (same id, other content)', () => {
    const m = decoded(DroneMessageIn, {
      ...EXAMPLE_DRONE_MESSAGE,
      violationCode: 9,
      violationImageId: 'img-1',
    });
    const variants = [
      { ...m, violationCode: 40 },
      { ...m, violationImageId: 'img-2' },
      { ...m, time: decoded(UtcTime, '2026-11-27T18:49:16.124Z') },
      { ...m, location: { lat: 40.7128, lon: -74.0061 } },
      { ...m, address: 'x' },
      { ...m, seq: 1 },
    ] as ReadonlyArray<DroneMessage>;
    const hashes = new Set([m, ...variants].map(messageHash));
    assert.equal(hashes.size, variants.length + 1);
  });

  it('canonicalJson sorts keys at every level', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: 3 } }),
      '{"a":{"c":3,"d":[2,{"e":0,"f":1}]},"b":1}',
    );
  });
});

describe('Protocol > canonicalJson', () => {
  /** The definition: JSON.stringify with a replacer that rebuilds every object with its keys sorted. */
  const byReplacer = (u: unknown): string =>
    JSON.stringify(u, (_k, v: unknown) =>
      typeof v === 'object' && v !== null && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
    );

  it('is the sorted-keys text of any JSON value, numeric keys and nesting included', () =>
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.dictionary(
            fc.oneof(fc.string(), fc.nat().map(String), fc.constantFrom('01', '-1', '4294967295')),
            fc.jsonValue({ maxDepth: 2 }),
          ),
          // More keys than are sorted in place: the other path.
          fc.dictionary(
            fc.oneof(fc.string(), fc.nat().map(String)),
            fc.jsonValue({ maxDepth: 1 }),
            { minKeys: 17, maxKeys: 40 },
          ),
        ),
        (u) => {
          assert.equal(canonicalJson(u), byReplacer(u));
        },
      ),
      { numRuns: 500 },
    ));

  it('is the same text for every drone message, as the hashes stored so far were made from', () =>
    fc.assert(
      fc.property(arbDroneMessage, (m) => {
        const encoded = DroneMessage.encode(m);
        assert.equal(canonicalJson(encoded), byReplacer(encoded));
      }),
    ));
});
