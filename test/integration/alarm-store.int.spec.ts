/**
 * The alarm store on DynamoDB Local refuses to overwrite an alarm id held by other content (issue 16, item 3): the
 * conditional put keeps the first alarm, the delivery tells a redelivery (same content hash) from a conflict, and
 * a conflicting alarm is stored and published beside the first under `<id>#<hash8>`.
 */
import assert from 'node:assert/strict';

import { GetCommand } from '@aws-sdk/lib-dynamodb';

import { createAlarmDelivery } from '../../actors/alert-system/delivery.ts';
import { createDynamoAlarmStore } from '../../actors/alert-system/dynamo-alarm-store.ts';
import { type AlarmRaised, toAlarmRaised } from '../../actors/protocol/alarm.ts';
import type { ViolationMessage } from '../../actors/protocol/drone-message.ts';
import { decodeDroneMessage } from '../../actors/protocol/drone-message-in.ts';
import { utcTimeOf } from '../../actors/protocol/time.ts';
import { createTable } from '../../runtime/aws/provision.ts';
import { E } from '../../runtime/codec.ts';
import { isRuntimeError } from '../../runtime/errors.ts';
import { uniqueName, useStack } from '../helpers/stack.ts';

const alarmOf = (code: number, image: string): AlarmRaised => {
  const m = decodeDroneMessage({
    type: 'drone.message',
    v: 1,
    id: 'drone-0042:7',
    droneId: 'drone-0042',
    seq: 7,
    time: '2026-11-27T18:00:00.000Z',
    location: { lat: 40.758, lon: -73.9855 },
    violationCode: code,
    violationImageId: image,
  });
  if (E.isLeft(m)) throw new Error(m.left.issues.join());
  return toAlarmRaised(m.right as ViolationMessage, utcTimeOf(Date.now()));
};

describe('AlarmStore > on DynamoDB Local', function () {
  this.timeout(60_000);

  it('keeps the first alarm of an id, and stores a conflicting one beside it as a conflict alarm', async () => {
    const { clients } = await useStack();
    const table = uniqueName('alarms');
    await createTable(clients, { name: table, hashKey: 'id', ttlAttribute: null });
    const store = createDynamoAlarmStore(clients.doc, table);
    const first = alarmOf(9, 'img-real');
    const other = alarmOf(40, 'img-forged');

    const outcome = await store.record(first, { by: 'host-1', at: Date.now() });
    assert.deepEqual(outcome, { _tag: 'recorded' });
    const known = await store.record(other, { by: 'host-2', at: Date.now() });
    assert.ok(known._tag === 'known');
    assert.equal(known.state.messageHash, first.messageHash);

    const published: string[] = [];
    const delivery = createAlarmDelivery({
      store,
      publisher: { publish: (a) => (published.push(a.id), Promise.resolve({ messageId: a.id })) },
      clock: { now: Date.now },
      instance: 'host-3',
      emit: () => undefined,
    });
    await delivery.deliver(first); // a redelivery of the first: published (never confirmed before), not a conflict
    const failed = await delivery.deliver(other).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isRuntimeError(failed) && failed._tag === 'IdConflict', String(failed));
    assert.match(failed.stored, /img-real/);

    const conflictId = `${first.id}#${other.messageHash!.slice(0, 8)}`;
    assert.deepEqual(published, [first.id, conflictId]);
    const kept = await clients.doc.send(
      new GetCommand({ TableName: table, Key: { id: first.id } }),
    );
    assert.equal(kept.Item?.violationImageId, 'img-real');
    assert.equal(kept.Item?.messageHash, first.messageHash);
    const beside = await clients.doc.send(
      new GetCommand({ TableName: table, Key: { id: conflictId } }),
    );
    assert.equal(beside.Item?.violationImageId, 'img-forged');
    assert.equal(beside.Item?.conflict, true);
  });
});
