import assert from 'node:assert/strict';

import { toAlarmResolved } from '../protocol/alarm.ts';
import { toDroneSilent } from '../protocol/drone-watch.ts';
import { droneIdOf, type MessageId } from '../protocol/primitives.ts';
import { utcTimeOf } from '../protocol/time.ts';
import { parseEnvelope } from './sqs-feed.ts';

const envelope = (message: string) => JSON.stringify({ Type: 'Notification', Message: message });

describe('parseEnvelope', () => {
  it('unwraps an alarm event from its SNS envelope', () => {
    const r = toAlarmResolved({
      alarmId: 'drone-0001:1' as MessageId,
      decision: 'acknowledged',
      by: 'ofc.a',
      at: utcTimeOf(0),
    });
    const item = parseEnvelope(envelope(JSON.stringify(r)));
    assert.deepEqual(item, { _tag: 'event', event: r });
  });

  it('unwraps the drone watchdog events apart from the alarm events', () => {
    const silent = toDroneSilent({
      droneId: droneIdOf(3),
      lastSeenAt: utcTimeOf(0),
      silentAfterMs: 30_000,
      raisedAt: utcTimeOf(30_000),
    });
    assert.deepEqual(parseEnvelope(envelope(JSON.stringify(silent))), {
      _tag: 'drone',
      event: silent,
    });
  });

  it('says why anything else is not one, keeping the body', () => {
    const cases: Array<[string, string]> = [
      ['{', 'not JSON'],
      ['null', 'not an SNS envelope'],
      [JSON.stringify({ Type: 'SubscriptionConfirmation' }), 'not an SNS notification'],
      [envelope('{'), 'message is not JSON'],
      [
        envelope(JSON.stringify({ type: 'alarm.raised', v: 1, droneId: '<img>' })),
        'message is not an alarm event',
      ],
    ];
    for (const [body, reason] of cases)
      assert.deepEqual(parseEnvelope(body), { _tag: 'undecodable', reason, body });
  });
});
