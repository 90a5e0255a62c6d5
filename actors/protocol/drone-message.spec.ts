import assert from 'node:assert/strict';

import fc from 'fast-check';

import { E } from '../../runtime/codec.ts';
import { arbDroneMessage, arbViolationMessage } from './drone-message.arb.ts';
import { DroneMessage, droneMessageId, hasViolation, isLegacy } from './drone-message.ts';
import { DroneMessageIn } from './drone-message-in.ts';
import { DroneId } from './primitives.ts';
import { assertIssue, assertRoundTrip, decoded, issuesOf } from './spec-helpers.ts';

const valid = {
  type: 'drone.message',
  v: 1,
  id: 'drone-0001:0',
  droneId: 'drone-0001',
  seq: 0,
  time: '2026-11-27T18:49:16.123Z',
  location: { lat: 40.7128, lon: -74.006 },
  violationCode: 40,
  violationImageId: 'img-0001-0',
};

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
      'NonBlankString',
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
