/**
 * The operator console's DynamoDB adapters on DynamoDB Local: decisions and escalations are conditional writes
 * and transactions, so a repeat changes nothing, two operators racing cannot both win, and an acknowledged alarm
 * is never escalated; the alarm source reads the alarm store by raise time.
 */
import assert from 'node:assert/strict';

import { PutCommand } from '@aws-sdk/lib-dynamodb';

import {
  createDynamoAlarmSource,
  createDynamoDecisionStore,
} from '../../actors/operator-console/dynamo-events.ts';
import { AlarmRaised, toAlarmEscalated, toAlarmResolved } from '../../actors/protocol/alarm.ts';
import type { MessageId } from '../../actors/protocol/primitives.ts';
import { utcTimeOf } from '../../actors/protocol/time.ts';
import { createTable } from '../../runtime/aws/provision.ts';
import { type TestStack, uniqueName, useStack } from '../helpers/stack.ts';

describe('OperatorConsole > DynamoDB decision store and alarm source', function () {
  this.timeout(60_000);
  let stack: TestStack;
  let table: string;
  before(async () => {
    stack = await useStack();
    table = uniqueName('alarm-events');
    await createTable(stack.clients, { name: table, hashKey: 'id', ttlAttribute: null });
  });

  const decision = (alarmId: string, d: 'acknowledged' | 'confirmed' | 'dismissed', by = 'ofc.a') =>
    toAlarmResolved({ alarmId: alarmId as MessageId, decision: d, by, at: utcTimeOf(Date.now()) });
  const escalation = (alarmId: string) =>
    toAlarmEscalated({
      alarmId: alarmId as MessageId,
      level: 1,
      reason: 'unacknowledged',
      afterMs: 120_000,
      escalatedAt: utcTimeOf(Date.now()),
    });

  it('records a decision once; confirm needs the acknowledgement; confirm and dismiss exclude each other', async () => {
    const store = createDynamoDecisionStore(stack.clients.doc, table);
    const id = uniqueName('drone-0001');
    assert.deepEqual(await store.decide(decision(id, 'confirmed')), {
      _tag: 'rejected',
      reason: 'not-acknowledged',
    });
    assert.deepEqual(await store.decide(decision(id, 'acknowledged')), { _tag: 'recorded' });
    assert.deepEqual(await store.decide(decision(id, 'acknowledged', 'ofc.b')), {
      _tag: 'rejected',
      reason: 'duplicate',
    });
    // Two operators at once: exactly one final decision wins.
    const outcomes = await Promise.all([
      store.decide(decision(id, 'confirmed', 'ofc.a')),
      store.decide(decision(id, 'dismissed', 'ofc.b')),
    ]);
    assert.equal(outcomes.filter((o) => o._tag === 'recorded').length, 1, JSON.stringify(outcomes));
    const { resolutions } = await store.load();
    const mine = resolutions.filter((r) => r.alarmId === id);
    assert.equal(mine.length, 2);
    assert.equal(mine.find((r) => r.decision === 'acknowledged')?.by, 'ofc.a');
  });

  it('escalates once, never after an acknowledgement, and remembers the publish', async () => {
    const store = createDynamoDecisionStore(stack.clients.doc, table);
    const ignored = uniqueName('drone-0002');
    const seen = uniqueName('drone-0003');
    const [first, second] = await Promise.all([
      store.escalate(escalation(ignored)),
      store.escalate(escalation(ignored)),
    ]);
    assert.deepEqual([first, second].sort(), ['already-escalated', 'escalated']);
    await store.decide(decision(seen, 'acknowledged'));
    assert.equal(await store.escalate(escalation(seen)), 'acknowledged');
    let loaded = (await store.load()).escalations.find((e) => e.event.alarmId === ignored);
    assert.equal(loaded?.publishedAt, undefined);
    await store.markEscalationPublished(
      `${ignored}:escalated:1`,
      Date.parse('2026-11-27T20:00:00Z'),
    );
    await store.markEscalationPublished(`${ignored}:escalated:1`, Date.now());
    loaded = (await store.load()).escalations.find((e) => e.event.alarmId === ignored);
    assert.equal(loaded?.publishedAt, '2026-11-27T20:00:00.000Z');
  });

  it('reads the alarms raised since a time from the alarm store, skipping items that are not alarms', async () => {
    const alarms = uniqueName('alarms');
    await createTable(stack.clients, { name: alarms, hashKey: 'id', ttlAttribute: null });
    const now = Date.now();
    const put = (n: number, raisedAt: number) => {
      const id = `drone-000${n}:${n}`;
      const a = AlarmRaised.decode({
        type: 'alarm.raised',
        v: 1,
        id,
        messageId: id,
        droneId: `drone-000${n}`,
        violationCode: 40,
        violationImageId: `img-${n}`,
        location: { lat: 40.75, lon: -73.98 },
        time: utcTimeOf(raisedAt - 10),
        raisedAt: utcTimeOf(raisedAt),
      });
      if (a._tag === 'Left') throw new Error('bad fixture');
      // As the alert system stores it: the alarm plus its delivery bookkeeping.
      return stack.clients.doc.send(
        new PutCommand({
          TableName: alarms,
          Item: { ...AlarmRaised.encode(a.right), claimedBy: 'x', publishCount: 1 },
        }),
      );
    };
    await Promise.all([put(1, now - 1_000), put(2, now - 90_000_000)]);
    await stack.clients.doc.send(
      new PutCommand({ TableName: alarms, Item: { id: 'junk', raisedAt: utcTimeOf(now) } }),
    );
    const bad: string[] = [];
    const loaded = await createDynamoAlarmSource(stack.clients.doc, alarms, {
      onBadItem: (id) => bad.push(id),
    }).load(now - 86_400_000);
    assert.deepEqual(
      loaded.map((a) => a.id),
      ['drone-0001:1'],
    );
    assert.deepEqual(bad, ['junk']);
  });
});
