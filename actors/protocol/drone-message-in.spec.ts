import assert from 'node:assert/strict';

import fc from 'fast-check';

import { decodeWith, E, t } from '../../runtime/codec.ts';
import { isRecord } from './codec-kit.ts';
import { arbDroneMessage, arbLegacyDroneMessage } from './drone-message.arb.ts';
import { DroneMessage, hasViolation, isLegacy } from './drone-message.ts';
import {
  decodeDroneMessage,
  decodeDroneMessageJson,
  DroneMessageIn,
  DroneMessageLegacy,
} from './drone-message-in.ts';
import { assertIssue, decoded, issuesOf } from './spec-helpers.ts';
import { epochMsOf } from './time.ts';

const seed3 = {
  droneId: 'drone-0001',
  time: '2026-11-27T18:49:16Z',
  location: { lat: 40.7128, lon: -74.006 },
};
const seed5 = { ...seed3, violationCode: 40, violationImageId: 'img-1' };

describe('Protocol > DroneMessageIn (legacy JSON)', () => {
  it('normalises every legacy message into a valid v1 message', () =>
    fc.assert(
      fc.property(arbLegacyDroneMessage, (raw) => {
        const m = decoded(DroneMessageIn, raw);
        assert.ok(
          E.isRight(DroneMessage.decode(JSON.parse(JSON.stringify(DroneMessage.encode(m))))),
        );
        assert.equal(m.type, 'drone.message');
        assert.equal(m.seq, undefined);
        assert.ok(isLegacy(m));
        assert.equal(m.droneId, raw.droneId);
        assert.equal(epochMsOf(m.time), epochMsOf(raw.time));
        assert.equal(
          hasViolation(m),
          raw.violationCode !== undefined && raw.violationCode !== null,
        );
      }),
    ));

  it('gives the same id to the same content, whatever its spelling', () => {
    const ids = [
      seed5,
      { ...seed5, time: '2026-11-27T19:49:16+01:00' },
      { ...seed5, time: '2026-11-27T18:49:16.000Z' },
      { ...seed5, location: '40.7128,-74.006' },
      { ...seed5, location: { latitude: 40.7128, longitude: -74.006 } },
      { ...seed5, violationCode: '40', extra: true },
    ].map((raw) => decoded(DroneMessageIn, raw).id);
    assert.equal(new Set(ids).size, 1);
    assert.match(ids[0]!, /^legacy:drone-0001:[0-9a-f]{16}$/);
  });

  it('gives different ids to different content', () =>
    fc.assert(
      fc.property(arbLegacyDroneMessage, arbLegacyDroneMessage, (a, b) => {
        const [ma, mb] = [decoded(DroneMessageIn, a), decoded(DroneMessageIn, b)];
        const { id: ia, ...ca } = ma;
        const { id: ib, ...cb } = mb;
        assert.equal(ia === ib, JSON.stringify(ca) === JSON.stringify(cb));
      }),
    ));

  it("decodes the seed's 3-field and 5-field messages", () => {
    const m3 = decoded(DroneMessageIn, seed3);
    assert.deepStrictEqual(
      { ...m3, id: '' },
      {
        type: 'drone.message',
        v: 1,
        id: '',
        droneId: 'drone-0001',
        time: '2026-11-27T18:49:16.000Z',
        location: seed3.location,
      },
    );
    const m5 = decoded(DroneMessageIn, seed5);
    assert.ok(hasViolation(m5) && m5.violationCode === 40 && m5.violationImageId === 'img-1');
  });

  it('treats null and blank optional fields as absent', () => {
    const m = decoded(DroneMessageIn, {
      ...seed3,
      violationCode: null,
      violationImageId: '',
      address: ' ',
    });
    assert.deepStrictEqual(m, decoded(DroneMessageIn, seed3));
  });

  it('rejects a code without an image id, arrays, epoch numbers and zone-less times', () => {
    assertIssue(
      issuesOf(DroneMessageIn, { ...seed3, violationCode: 40 }),
      'at .violationImageId: required',
    );
    assertIssue(
      issuesOf(DroneMessageIn, { ...seed3, location: [40.7, -74] }),
      'at .location',
      'expected Location',
    );
    assertIssue(issuesOf(DroneMessageIn, { ...seed3, location: '40.7;-74' }), 'at .location');
    assertIssue(
      issuesOf(DroneMessageIn, { ...seed3, location: '95,0' }),
      'at .location.lat',
      'expected Latitude',
    );
    assertIssue(issuesOf(DroneMessageIn, { ...seed3, time: 1764269356000 }), 'at .time');
    assertIssue(issuesOf(DroneMessageIn, { ...seed3, time: '2026-11-27T18:49:16' }), 'at .time');
    assertIssue(
      issuesOf(DroneMessageIn, { ...seed3, violationCode: 0, violationImageId: 'i' }),
      'at .violationCode',
    );
    assertIssue(
      issuesOf(DroneMessageIn, { ...seed3, violationCode: '100', violationImageId: 'i' }),
      'at .violationCode',
    );
  });

  it('decodes an object with a type as v1 only: no silent fallback to legacy', () => {
    assertIssue(issuesOf(DroneMessageIn, { ...seed5, type: 'drone.message', v: 2 }), 'at .v');
    assertIssue(issuesOf(DroneMessageIn, { ...seed5, type: 'drone.message', v: 1 }), 'at .id');
  });

  it('rejects what is not an object, and not-JSON bytes, with readable issues', () => {
    for (const u of [null, 42, 'hello', [seed3]])
      assertIssue(issuesOf(DroneMessageIn, u), 'expected a drone message object');
    assertIssue(issuesOf(DroneMessageLegacy, true), 'expected a drone message object');
    const notJson = decodeDroneMessageJson(Buffer.from('{"droneId":'));
    assert.ok(
      E.isLeft(notJson) &&
        notJson.left.topic === 'drone.message' &&
        notJson.left.issues[0]!.startsWith('not JSON'),
    );
  });

  it('decodeDroneMessage accepts both versions', () =>
    fc.assert(
      fc.property(
        fc.oneof(
          arbDroneMessage.map((m) => DroneMessage.encode(m) as unknown),
          arbLegacyDroneMessage,
        ),
        (u) => {
          assert.ok(E.isRight(decodeDroneMessage(JSON.parse(JSON.stringify(u)))));
        },
      ),
    ));
});

describe('Protocol > DroneMessageIn (the v1 fast path)', () => {
  // The reference: DroneMessageIn as it was before the fast path (io-ts for everything), which the fast path must
  // equal, value and key order included; every message the fast path does not take goes through it, so errors
  // read as before.
  const slow = decodeWith(
    new t.Type<DroneMessage, unknown, unknown>(
      'DroneMessageIn',
      DroneMessage.is,
      (u, c) =>
        !isRecord(u)
          ? t.failure(u, c)
          : 'type' in u
            ? DroneMessage.validate(u, c)
            : DroneMessageLegacy.validate(u, c),
      DroneMessage.encode,
    ),
    'drone.message',
  );
  const fast = decodeWith(DroneMessageIn, 'drone.message');
  const mutation = fc.oneof(
    fc.constant((m: Record<string, unknown>) => m),
    fc
      .record({ key: fc.string(), value: fc.jsonValue() })
      .map(({ key, value }) => (m: Record<string, unknown>) => ({ ...m, [key]: value })),
    fc
      .constantFrom(
        'type',
        'v',
        'id',
        'droneId',
        'time',
        'location',
        'seq',
        'violationCode',
        'violationImageId',
        'address',
      )
      .chain((key) =>
        fc
          .oneof(
            fc.constant(undefined),
            fc.constant(null),
            fc.constant(-0),
            fc.string(),
            fc.integer(),
            fc.double(),
            fc.jsonValue(),
          )
          .map(
            (value) => (m: Record<string, unknown>) =>
              value === undefined
                ? Object.fromEntries(Object.entries(m).filter(([k]) => k !== key))
                : { ...m, [key]: value },
          ),
      ),
    fc
      .constantFrom<unknown>(
        { lat: -0, lon: 1 },
        { lat: 1, lon: -0 },
        { lat: 40, lon: -74, alt: 3 },
        { lon: -74, lat: 40 },
        { lat: 91, lon: 0 },
        { lat: '40', lon: 0 },
        [40, -74],
      )
      .map((location) => (m: Record<string, unknown>) => ({ ...m, location })),
    fc
      .constantFrom('a\u0007b', '\u202eevil', '  ', 'x'.repeat(201), 'Main St')
      .map((address) => (m: Record<string, unknown>) => ({ ...m, address })),
  );

  it('decodes every v1 message, broken or not, exactly as io-ts does', () =>
    fc.assert(
      fc.property(arbDroneMessage, fc.array(mutation, { maxLength: 3 }), (m, mutations) => {
        const u = mutations.reduce(
          (x, f) => f(x),
          JSON.parse(JSON.stringify(DroneMessage.encode(m))) as Record<string, unknown>,
        );
        const [a, b] = [fast(u), slow(u)];
        assert.deepStrictEqual(a, b);
        if (E.isRight(a) && E.isRight(b))
          assert.equal(JSON.stringify(a.right), JSON.stringify(b.right));
      }),
      { numRuns: 2_000 },
    ));
});
