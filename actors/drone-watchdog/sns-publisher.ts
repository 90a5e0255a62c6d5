/**
 * Publishes the watchdog's events on the alarm topic, as the alert system publishes alarms
 * (`alert-system/sns-publisher.ts`): the JSON body, a one-line subject for e-mail subscribers, and attributes
 * for filter policies: `type` (`drone.silent` or `drone.back`, so a subscription can take alarms only), `eventId`
 * and `drone`.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

import { portFailure } from '../../runtime/errors.ts';
import { DroneWatchEvent as Codec, type DroneWatchEvent } from '../protocol/drone-watch.ts';

/** Where the watchdog's events go. Rejects with a PortFailure. */
export interface WatchPublisher {
  readonly publish: (e: DroneWatchEvent) => Promise<void>;
}

const subjectOf = (e: DroneWatchEvent): string =>
  (e.type === 'drone.silent'
    ? `PrestaCop: drone ${e.droneId} silent since ${e.lastSeenAt}`
    : `PrestaCop: drone ${e.droneId} back after ${Math.round(e.silentForMs / 1_000)} s`
  )
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 100);

/**
 * Creates the publisher for a topic ARN.
 * @example const publisher = createSnsWatchPublisher(clients.sns, await topicArnOf(clients.sns, cfg.topic));
 */
export const createSnsWatchPublisher = (sns: SNSClient, topicArn: string): WatchPublisher => ({
  publish: async (e) => {
    try {
      await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: JSON.stringify(Codec.encode(e)),
          Subject: subjectOf(e),
          MessageAttributes: {
            type: { DataType: 'String', StringValue: e.type },
            eventId: { DataType: 'String', StringValue: e.id },
            drone: { DataType: 'String', StringValue: e.droneId },
          },
        }),
      );
    } catch (err) {
      throw portFailure('sns', err);
    }
  },
});
