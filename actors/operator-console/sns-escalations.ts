/**
 * Escalations go back on the alarm topic: the body is the `AlarmEscalated` JSON, the attributes are the alarm's
 * (so a subscription filtering on borough or code gets the escalations of what it gets), with `type`
 * `alarm.escalated` and `level` added; the subject says it is an escalation.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

import { portFailure } from '../../runtime/errors.ts';
import { AlarmEscalated } from '../protocol/alarm.ts';
import type { EscalationPublisher } from './ports.ts';

/**
 * Creates the publisher for a topic ARN.
 * @example await createSnsEscalationPublisher(clients.sns, topicArn).publish(escalation, alarm);
 */
export const createSnsEscalationPublisher = (
  sns: SNSClient,
  topicArn: string,
): EscalationPublisher => ({
  publish: async (e, alarm) => {
    try {
      await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: JSON.stringify(AlarmEscalated.encode(e)),
          Subject:
            `PrestaCop ESCALATED: code ${alarm.violationCode} in ${alarm.borough ?? 'an unknown borough'} unacknowledged`
              .replace(/[^\x20-\x7e]/g, '?')
              .slice(0, 100),
          MessageAttributes: {
            type: { DataType: 'String', StringValue: e.type },
            alarmId: { DataType: 'String', StringValue: e.alarmId },
            level: { DataType: 'Number', StringValue: String(e.level) },
            drone: { DataType: 'String', StringValue: alarm.droneId },
            code: { DataType: 'Number', StringValue: String(alarm.violationCode) },
            borough: { DataType: 'String', StringValue: alarm.borough ?? 'unknown' },
          },
        }),
      );
    } catch (err) {
      throw portFailure('sns', err);
    }
  },
});
