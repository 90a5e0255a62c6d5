import assert from 'node:assert/strict';

import type { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

import { E } from '../../runtime/codec.ts';
import { AlarmRaised, toAlarmRaised } from '../protocol/alarm.ts';
import { DroneMessage, type ViolationMessage } from '../protocol/drone-message.ts';
import { utcTimeOf } from '../protocol/time.ts';
import { createSnsAlarmPublisher } from './sns-publisher.ts';

const message = DroneMessage.decode({
  type: 'drone.message',
  v: 1,
  id: 'drone-0007:1',
  droneId: 'drone-0007',
  seq: 1,
  time: '2026-11-27T18:50:00.000Z',
  location: { lat: 40.6, lon: -74.05 }, // the Upper Bay: in no borough
  violationCode: 9,
  violationImageId: 'img-drone-0007-1',
});

/** What the publisher sends for an alarm: the body (decoded back) and the attributes. */
const published = async (alarm: AlarmRaised) => {
  const sent: PublishCommand['input'][] = [];
  const sns = {
    send: (c: PublishCommand) => (sent.push(c.input), Promise.resolve({ MessageId: 'm-1' })),
  } as unknown as SNSClient;
  await createSnsAlarmPublisher(sns, 'arn:aws:sns:us-east-1:000000000000:alarms').publish(alarm);
  const body: unknown = JSON.parse(sent[0]!.Message!);
  return { body: body as Record<string, unknown>, attributes: sent[0]!.MessageAttributes! };
};

describe('AlertSystem > SNS publisher', () => {
  it('an alarm outside every borough says `unknown` in its body as in its attribute', async () => {
    if (E.isLeft(message)) throw new Error('bad fixture');
    const { body, attributes } = await published(
      toAlarmRaised(message.right as ViolationMessage, utcTimeOf(0)),
    );
    assert.equal(attributes['borough']!.StringValue, 'unknown');
    assert.equal(body['borough'], 'unknown');
    assert.ok(E.isRight(AlarmRaised.decode(body)), 'the body decodes as an alarm');
  });

  it('a borough is the same in the body and the attribute', async () => {
    if (E.isLeft(message)) throw new Error('bad fixture');
    const alarm = toAlarmRaised(message.right as ViolationMessage, utcTimeOf(0), 'Queens');
    const { body, attributes } = await published(alarm);
    assert.equal(body['borough'], 'Queens');
    assert.equal(attributes['borough']!.StringValue, 'Queens');
  });
});
