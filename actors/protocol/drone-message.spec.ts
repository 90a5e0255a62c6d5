import assert from 'node:assert/strict';

import fc from 'fast-check';

import { E } from '../../runtime/codec.ts';
import { EXAMPLE_DRONE_MESSAGE } from '../../test/helpers/messages.ts';
import { arbDroneId, arbHostileText } from './common.arb.ts';
import { arbDroneMessage, arbViolationMessage } from './drone-message.arb.ts';
import {
  DRONE_MESSAGE_MAX_BYTES,
  DroneMessage,
  droneMessageId,
  hasViolation,
  isLegacy,
} from './drone-message.ts';
import { decodeDroneMessageJson, DroneMessageIn } from './drone-message-in.ts';
import { DroneId, hasUnsafeChars, stripUnsafe } from './primitives.ts';
import { assertIssue, assertRoundTrip, decoded, issuesOf } from './spec-helpers.ts';

const valid = { ...EXAMPLE_DRONE_MESSAGE, violationCode: 40, violationImageId: 'img-0001-0' };

describe('Protocol > DroneMessage', () => {
  it('every DroneMessage survives encode → JSON → decode', () =>
    fc.assert(
      fc.property(arbDroneMessage, (m) => {
        assertRoundTrip(DroneMessage, m);
        assertRoundTrip(DroneMessageIn, m);
      }),
    ));

  it('decodes the documented example and strips unknown keys', () => {
    const m = decoded(DroneMessage, { ...valid, battery: 0.8 });
    assert.equal('battery' in m, false);
    assert.ok(hasViolation(m));
    assert.equal(isLegacy(m), false);
  });

  it('accepts a message without a violation (the 3-field case)', () => {
    const { violationCode: _c, violationImageId: _i, ...plain } = valid;
    assert.equal(hasViolation(decoded(DroneMessage, plain)), false);
  });

  it('rejects out-of-range positions, bad times and codes 0 and 100, naming the field', () => {
    assertIssue(
      issuesOf(DroneMessage, { ...valid, location: { lat: 91, lon: 0 } }),
      'at .location.lat',
      'expected Latitude',
      '91',
    );
    assertIssue(
      issuesOf(DroneMessage, { ...valid, time: '27/11/2026 18:49' }),
      'at .time',
      'expected UtcTime',
    );
    assertIssue(
      issuesOf(DroneMessage, { ...valid, violationCode: 0 }),
      'at .violationCode',
      'expected ViolationCode',
      '0',
    );
    assertIssue(
      issuesOf(DroneMessage, { ...valid, violationCode: 100 }),
      'at .violationCode',
      '100',
    );
    assertIssue(issuesOf(DroneMessage, { ...valid, violationCode: 40.5 }), 'at .violationCode');
    assertIssue(
      issuesOf(DroneMessage, { ...valid, seq: -1 }),
      'at .seq',
      'expected NonNegativeInt',
    );
    assertIssue(issuesOf(DroneMessage, { ...valid, v: 2 }), 'at .v');
    assertIssue(
      issuesOf(DroneMessage, { ...valid, droneId: 'drone 1' }),
      'at .droneId',
      'expected DroneId',
    );
  });

  it('rejects what is not an object', () => {
    for (const u of [null, 'drone.message', 42, [valid]])
      assert.ok(issuesOf(DroneMessage, u).length > 0);
  });

  it('requires violationCode and violationImageId together', () => {
    const { violationImageId: _i, ...codeOnly } = valid;
    assertIssue(
      issuesOf(DroneMessage, codeOnly),
      'at .violationImageId: required when violationCode is present',
    );
    const { violationCode: _c, ...imageOnly } = valid;
    assertIssue(
      issuesOf(DroneMessage, imageOnly),
      'at .violationCode: required when violationImageId is present',
    );
    assertIssue(
      issuesOf(DroneMessage, { ...valid, violationImageId: '  ' }),
      'at .violationImageId',
      'expected ViolationImageId',
    );
  });

  it('requires seq, except on normalised legacy messages', () => {
    const { seq: _s, ...unsequenced } = valid;
    assertIssue(issuesOf(DroneMessage, unsequenced), 'at .seq: required');
    const legacy = decoded(DroneMessage, {
      ...unsequenced,
      id: 'legacy:drone-0001:0123456789abcdef',
    });
    assert.ok(isLegacy(legacy));
  });

  it('droneMessageId is <droneId>:<seq>, and distinct per (drone, seq)', () => {
    assert.equal(droneMessageId(decoded(DroneId, 'drone-0001'), 17), 'drone-0001:17');
    fc.assert(
      fc.property(arbDroneMessage, arbDroneMessage, (a, b) => {
        if (a.seq === undefined || b.seq === undefined) return;
        const same = a.droneId === b.droneId && a.seq === b.seq;
        assert.equal(droneMessageId(a.droneId, a.seq) === droneMessageId(b.droneId, b.seq), same);
      }),
    );
  });

  it('hasViolation holds for every violation message and DroneMessage.is agrees with decode', () =>
    fc.assert(
      fc.property(arbViolationMessage, (m) => {
        assert.ok(hasViolation(m));
        assert.ok(DroneMessage.is(m));
        assert.ok(E.isRight(DroneMessage.decode(m)));
      }),
    ));
});

describe('Protocol > DroneMessage > ids belong to their drone', () => {
  it("rejects another drone's id, v1 or legacy, and accepts its own", () => {
    const forged = { ...valid, droneId: 'drone-0666', id: 'drone-0042:7' };
    assertIssue(issuesOf(DroneMessageIn, forged), 'at .id', 'must start with "drone-0666:"');
    assertIssue(issuesOf(DroneMessageIn, { ...valid, id: 'drone-00011:0' }), 'at .id');
    assertIssue(issuesOf(DroneMessageIn, { ...valid, id: 'drone-0001' }), 'at .id');
    const { seq: _s, ...unsequenced } = valid;
    for (const id of ['legacy:drone-0042:0123456789abcdef', 'legacy:drone-0001:xyz'])
      assertIssue(issuesOf(DroneMessageIn, { ...unsequenced, id }), 'at .id');
    decoded(DroneMessageIn, { ...valid, id: 'drone-0001:any-scheme.7' });
  });

  it('any message moved to another drone is rejected', () =>
    fc.assert(
      fc.property(arbDroneMessage, arbDroneId, (m, other) => {
        fc.pre(other !== m.droneId);
        assertIssue(
          issuesOf(DroneMessageIn, { ...DroneMessage.encode(m), droneId: other }),
          'at .id',
        );
      }),
    ));

  it('bounds the id at 160 characters, so a conflict alarm id fits a MessageId', () => {
    const id = (n: number) => `drone-0001:${'9'.repeat(n - 'drone-0001:'.length)}`;
    decoded(DroneMessageIn, { ...valid, id: id(160) });
    assertIssue(issuesOf(DroneMessageIn, { ...valid, id: id(161) }), 'at .id', 'DroneMessageId');
  });
});

describe('Protocol > DroneMessage > size and text fields', () => {
  const bytesOf = (u: unknown, pad = 0) =>
    Buffer.from(`${JSON.stringify(u)}${' '.repeat(pad)}`, 'utf8');

  it('refuses a message over 256 KiB as received, before parsing, and accepts one at the limit', () => {
    const big = bytesOf({ ...valid, blob: 'x'.repeat(600_000) });
    const refused = decodeDroneMessageJson(big);
    assert.ok(E.isLeft(refused));
    assertIssue(
      refused.left.issues,
      'too large',
      String(big.length),
      String(DRONE_MESSAGE_MAX_BYTES),
    );
    const plain = bytesOf(valid);
    const atLimit = bytesOf(valid, DRONE_MESSAGE_MAX_BYTES - plain.length);
    assert.equal(atLimit.length, DRONE_MESSAGE_MAX_BYTES);
    assert.ok(E.isRight(decodeDroneMessageJson(atLimit)));
    assert.ok(
      E.isLeft(decodeDroneMessageJson(bytesOf(valid, DRONE_MESSAGE_MAX_BYTES + 1 - plain.length))),
    );
    // Not JSON that is too big is refused for its size, unparsed.
    const notJson = decodeDroneMessageJson('['.repeat(300_000));
    assert.ok(E.isLeft(notJson));
    assertIssue(notJson.left.issues, 'too large');
  });

  it('strips NUL, ANSI escapes, line breaks and bidi overrides from the address (v1 and legacy)', () => {
    const dirty = '12 Main St\u0000\u001b[2J\r\nApt \u202e3\u2066';
    const m = decoded(DroneMessageIn, { ...valid, address: dirty });
    assert.equal(m.address, '12 Main St  [2J  Apt 3');
    const { type: _t, v: _v, id: _i, seq: _s, ...legacy } = valid;
    assert.equal(decoded(DroneMessageIn, { ...legacy, address: dirty }).address, m.address);
    assertIssue(
      issuesOf(DroneMessageIn, { ...valid, address: '\u0000\u202e' }),
      'at .address',
      'non-blank',
    );
    assertIssue(
      issuesOf(DroneMessageIn, { ...valid, address: 'a'.repeat(201) }),
      'at .address',
      'at most 200',
    );
  });

  it('rejects an image id holding a control or bidi character, or over 128 characters', () => {
    for (const id of ['img\u0000-1', 'img-1\u001b[0m', 'gpj\u202e.exe', 'img\n1'])
      assertIssue(
        issuesOf(DroneMessageIn, { ...valid, violationImageId: id }),
        'at .violationImageId',
        'no control or bidi-control characters',
      );
    assertIssue(
      issuesOf(DroneMessageIn, { ...valid, violationImageId: 'i'.repeat(129) }),
      'at .violationImageId',
      'at most 128',
    );
  });

  it('whatever the text, a decoded message holds no control or bidi character', () =>
    fc.assert(
      fc.property(arbHostileText, arbHostileText, (address, image) => {
        const r = DroneMessageIn.decode({ ...valid, address, violationImageId: image });
        if (E.isRight(r)) {
          assert.ok(!hasUnsafeChars(r.right.address ?? ''));
          assert.ok(!hasUnsafeChars(r.right.violationImageId ?? ''));
        } else
          assert.ok(
            hasUnsafeChars(image) ||
              image.length > 128 ||
              stripUnsafe(address).length > 200 ||
              stripUnsafe(address).trim() === '',
          );
      }),
    ));
});
