import assert from 'node:assert/strict';

import fc from 'fast-check';

import { arbAlarmEscalated, arbAlarmEvent, arbAlarmRaised, arbAlarmResolved } from './alarm.arb.ts';
import {
  AlarmEscalated,
  AlarmEvent,
  AlarmRaised,
  AlarmResolved,
  conflictAlarmId,
  toAlarmEscalated,
  toAlarmRaised,
  toAlarmResolved,
  toConflictAlarm,
} from './alarm.ts';
import { arbViolationMessage } from './drone-message.arb.ts';
import { messageHash } from './message-hash.ts';
import { hasUnsafeChars, MessageId } from './primitives.ts';
import { assertIssue, assertRoundTrip, decoded, issuesOf } from './spec-helpers.ts';
import { utcTimeOf } from './time.ts';

const at = utcTimeOf(Date.UTC(2026, 10, 27, 18, 50));
const alarmId = decoded(MessageId, 'drone-0001:17');

describe('Protocol > alarms', () => {
  it('every alarm event survives encode → JSON → decode, alone and through AlarmEvent', () => {
    fc.assert(
      fc.property(arbAlarmRaised, (a) => {
        assertRoundTrip(AlarmRaised, a);
      }),
    );
    fc.assert(
      fc.property(arbAlarmEscalated, (e) => {
        assertRoundTrip(AlarmEscalated, e);
      }),
    );
    fc.assert(
      fc.property(arbAlarmResolved, (r) => {
        assertRoundTrip(AlarmResolved, r);
      }),
    );
    fc.assert(
      fc.property(arbAlarmEvent, (e) => {
        assertRoundTrip(AlarmEvent, e);
      }),
    );
  });

  it('an alarm takes the id, drone, violation, place and time of its message', () =>
    fc.assert(
      fc.property(arbViolationMessage, (m) => {
        const a = toAlarmRaised(m, at, 'Queens');
        assert.equal(a.id, m.id);
        assert.equal(a.messageId, m.id);
        assert.deepStrictEqual(
          [
            a.droneId,
            a.violationCode,
            a.violationImageId,
            a.location,
            a.time,
            a.raisedAt,
            a.borough,
          ],
          [m.droneId, m.violationCode, m.violationImageId, m.location, m.time, at, 'Queens'],
        );
      }),
    ));

  it('checks derived ids', () => {
    const raised = fc.sample(arbAlarmRaised, 1)[0]!;
    assertIssue(issuesOf(AlarmRaised, { ...raised, id: 'other' }), 'at .id: must equal messageId');
    const escalated = toAlarmEscalated({
      alarmId,
      level: 2,
      reason: 'unacknowledged',
      afterMs: 120_000,
      escalatedAt: at,
    });
    assert.equal(escalated.id, 'drone-0001:17:escalated:2');
    assertIssue(
      issuesOf(AlarmEscalated, { ...escalated, level: 3 }),
      'at .id: must be "drone-0001:17:escalated:3"',
    );
    const resolved = toAlarmResolved({ alarmId, decision: 'confirmed', by: 'op-7', at });
    assert.equal(resolved.id, 'drone-0001:17:confirmed');
    assertIssue(issuesOf(AlarmResolved, { ...resolved, decision: 'dismissed' }), 'at .id');
  });

  it('AlarmEvent dispatches on type and names unknown types', () => {
    const resolved = toAlarmResolved({
      alarmId,
      decision: 'dismissed',
      by: 'op-7',
      at,
      note: 'a shadow',
    });
    assert.deepStrictEqual(decoded(AlarmEvent, resolved), resolved);
    assertIssue(
      issuesOf(AlarmEvent, { ...resolved, type: 'alarm.snoozed' }),
      'at .type: expected one of "alarm.raised" | "alarm.escalated" | "alarm.resolved"',
      '"alarm.snoozed"',
    );
    assertIssue(
      issuesOf(AlarmEvent, { ...resolved, decision: 'maybe' }),
      'at .decision',
      'expected AlarmDecision',
    );
    assertIssue(issuesOf(AlarmEvent, { ...resolved, by: '' }), 'at .by', 'expected non-blank text');
    assertIssue(issuesOf(AlarmEvent, 7), 'expected AlarmEvent object, got 7');
    assert.ok(!AlarmEvent.is({ ...resolved, type: 'alarm.raised' }));
  });

  it('rejects a raised alarm without its violation', () => {
    const raised = fc.sample(arbAlarmRaised, 1)[0]!;
    const { violationCode: _c, ...rest } = raised;
    assertIssue(issuesOf(AlarmRaised, rest), 'at .violationCode', 'got undefined');
  });

  it('an alarm outside every borough says `unknown`; one raised before that (no borough) still decodes', () =>
    fc.assert(
      fc.property(arbViolationMessage, (m) => {
        const a = toAlarmRaised(m, at);
        assert.equal(a.borough, 'unknown');
        assertRoundTrip(AlarmRaised, a);
        const { borough: _, ...old } = AlarmRaised.encode(a);
        assert.equal(decoded(AlarmRaised, old).borough, undefined);
        assertIssue(issuesOf(AlarmRaised, { ...old, borough: 'Atlantis' }), 'at .borough');
      }),
    ));

  it("an alarm carries its message's content hash", () =>
    fc.assert(
      fc.property(arbViolationMessage, (m) => {
        assert.equal(toAlarmRaised(m, at).messageHash, messageHash(m));
      }),
    ));

  it('a conflict alarm is <id>#<hash8>, then <id>#<hash>, then none, and decodes as such', () =>
    fc.assert(
      fc.property(arbAlarmRaised, (a) => {
        const first = toConflictAlarm(a)!;
        assert.equal(first.id, `${a.messageId}#${a.messageHash!.slice(0, 8)}`);
        assert.equal(first.conflict, true);
        assert.equal(first.messageId, a.messageId);
        assertRoundTrip(AlarmRaised, first);
        const second = toConflictAlarm(first)!;
        assert.equal(second.id, `${a.messageId}#${a.messageHash}`);
        assertRoundTrip(AlarmRaised, second);
        assert.equal(toConflictAlarm(second), undefined);
        assert.ok(MessageId.is(second.id));
      }),
    ));

  it("checks a conflict alarm's id against its message id and hash", () => {
    const a = fc.sample(arbAlarmRaised, 1)[0]!;
    const c = toConflictAlarm(a)!;
    assertIssue(
      issuesOf(AlarmRaised, { ...c, id: a.id }),
      'at .id',
      conflictAlarmId(a.messageId, a.messageHash!),
    );
    assertIssue(issuesOf(AlarmRaised, { ...c, id: `${a.id}#00000000` }), 'at .id');
    const { messageHash: _h, ...unhashed } = c;
    assertIssue(issuesOf(AlarmRaised, unhashed), 'at .messageHash', 'required on a conflict alarm');
    assertIssue(issuesOf(AlarmRaised, { ...a, conflict: false }), 'at .conflict');
  });

  it('operator names and notes lose control and bidi characters, and are bounded', () => {
    const r = toAlarmResolved({
      alarmId,
      decision: 'dismissed',
      by: 'Eve\u001b[31m\u202e',
      at,
      note: 'a\u0000b',
    });
    assert.deepStrictEqual([r.by, r.note], ['Eve [31m', 'a b']);
    assert.deepStrictEqual(decoded(AlarmResolved, r), r);
    const stored = { ...r, by: 'Eve\u001b[31m\u202e', note: 'a\u0000b' };
    assert.deepStrictEqual(decoded(AlarmResolved, stored), r);
    assertIssue(issuesOf(AlarmResolved, { ...r, by: 'x'.repeat(65) }), 'at .by', 'at most 64');
    const e = toAlarmEscalated({
      alarmId,
      level: 1,
      reason: 'operator',
      afterMs: 1,
      escalatedAt: at,
      by: '\u2066Mallory\r\n',
    });
    assert.equal(e.by, 'Mallory  ');
    assert.ok(!hasUnsafeChars(decoded(AlarmEscalated, { ...e, by: 'x\u202ey' }).by!));
  });
});
