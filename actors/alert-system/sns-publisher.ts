/**
 * The alarm publisher on SNS. The message is the `AlarmRaised` JSON; message attributes repeat what subscriptions
 * filter on (an e-mail for one borough, an SMS for hydrants), since SNS filter policies read attributes, not the
 * body by default; the subject is a one-line summary for e-mail subscribers.
 *
 * | attribute | type | value |
 * |---|---|---|
 * | `type` | String | `alarm.raised` (escalations and resolutions may share the topic later) |
 * | `alarmId` | String | the alarm id = the drone message id: a duplicate publish carries the same one |
 * | `drone` | String | the drone id |
 * | `code` | Number | the violation code (numeric filters: `{"code": [{"numeric": ["=", 40]}]}`) |
 * | `borough` | String | the body's `borough`: a borough, or `unknown` outside every outline (SNS rejects empty values);
 *   `unknown` too for an alarm raised before the body always carried it |
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

import { portFailure } from '../../runtime/errors.ts';
import { AlarmRaised, UNKNOWN_BOROUGH } from '../protocol/alarm.ts';
import type { AlarmPublisher } from './ports.ts';

/** SNS subjects: at most 100 printable ASCII characters. */
const subjectOf = (a: AlarmRaised): string =>
  `PrestaCop alarm: code ${a.violationCode} in ${a.borough ?? 'an unknown borough'} (${a.droneId})`
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 100);

/**
 * The SNS message attributes of an alarm (exported for subscribers' filter policies and tests).
 * @example snsAttributesOf(alarm).borough // { DataType: 'String', StringValue: 'Brooklyn' }
 */
export const snsAttributesOf = (a: AlarmRaised) => ({
  type: { DataType: 'String', StringValue: a.type },
  alarmId: { DataType: 'String', StringValue: a.id },
  drone: { DataType: 'String', StringValue: a.droneId },
  code: { DataType: 'Number', StringValue: String(a.violationCode) },
  borough: { DataType: 'String', StringValue: a.borough ?? UNKNOWN_BOROUGH },
});

/**
 * Creates the publisher for a topic ARN (resolve a name with `resolveTopicArn`).
 * @example
 * const publisher = createSnsAlarmPublisher(clients.sns, topicArn);
 * const { messageId } = await publisher.publish(alarm);
 */
export const createSnsAlarmPublisher = (sns: SNSClient, topicArn: string): AlarmPublisher => ({
  publish: async (alarm) => {
    try {
      const out = await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: JSON.stringify(AlarmRaised.encode(alarm)),
          Subject: subjectOf(alarm),
          MessageAttributes: snsAttributesOf(alarm),
        }),
      );
      return { messageId: out.MessageId ?? 'unknown' };
    } catch (e) {
      throw portFailure('sns', e);
    }
  },
});
