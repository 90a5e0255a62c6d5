/**
 * Escalations go back on the alarm topic: the body is the `AlarmEscalated` JSON, the attributes are the alarm's
 * (so a subscription filtering on borough or code gets the escalations of what it gets), with `type`
 * `alarm.escalated` and `level` added; the subject says it is an escalation. Decisions go there too, the same
 * way: the `AlarmResolved` JSON, `type` `alarm.resolved` and `decision` added.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

import { portFailure } from '../../runtime/errors.ts';
import { AlarmEscalated, type AlarmRaised, AlarmResolved } from '../protocol/alarm.ts';
import type { EscalationPublisher } from './ports.ts';

/** The alarm's own attributes (alert-system's), beside an event about it. */
const alarmAttributes = (alarm: AlarmRaised) => ({
  alarmId: { DataType: 'String', StringValue: alarm.id },
  drone: { DataType: 'String', StringValue: alarm.droneId },
  code: { DataType: 'Number', StringValue: String(alarm.violationCode) },
  borough: { DataType: 'String', StringValue: alarm.borough ?? 'unknown' },
});

/**
 * Creates the publisher for a topic ARN.
 * @example await createSnsEscalationPublisher(clients.sns, topicArn).publish(escalation, alarm);
 */
export const createSnsEscalationPublisher = (
  sns: SNSClient,
  topicArn: string,
): EscalationPublisher => ({
  publishDecision: async (r, alarm) => {
    try {
      await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: JSON.stringify(AlarmResolved.encode(r)),
          Subject: `PrestaCop ${r.decision}: code ${alarm.violationCode}`.slice(0, 100),
          MessageAttributes: {
            type: { DataType: 'String', StringValue: r.type },
            decision: { DataType: 'String', StringValue: r.decision },
            ...alarmAttributes(alarm),
          },
        }),
      );
    } catch (err) {
      throw portFailure('sns', err);
    }
  },
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
            level: { DataType: 'Number', StringValue: String(e.level) },
            ...alarmAttributes(alarm),
          },
        }),
      );
    } catch (err) {
      throw portFailure('sns', err);
    }
  },
});
