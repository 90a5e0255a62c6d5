/**
 * The console's live feed: its own SQS queue (`prestacop-operator-console`) subscribed to the alarm topic, raw
 * delivery off, so each body is an SNS envelope around an alarm event. Every body is deleted after it was
 * handed over (or found undecodable: counted and logged by the caller; SQS redelivering it would only repeat
 * that). A queue of its own means no other reader (the swarm's summary reads `prestacop-console`) takes
 * messages from it.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';

import { receiveQueue } from '../../runtime/aws/sqs-input.ts';
import { E } from '../../runtime/codec.ts';
import { AlarmEvent } from '../protocol/alarm.ts';
import { DroneWatchEvent } from '../protocol/drone-watch.ts';
import type { AlarmFeed, FeedItem } from './ports.ts';

/**
 * One body → an alarm event, or why not.
 * @example parseEnvelope(JSON.stringify({ Type: 'Notification', Message: JSON.stringify(alarm) }))
 */
export const parseEnvelope = (body: string): FeedItem => {
  const bad = (reason: string): FeedItem => ({ _tag: 'undecodable', reason, body });
  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch {
    return bad('not JSON');
  }
  if (typeof envelope !== 'object' || envelope === null) return bad('not an SNS envelope');
  const { Type, Message: message } = envelope as { Type?: unknown; Message?: unknown };
  if (Type !== 'Notification' || typeof message !== 'string') return bad('not an SNS notification');
  let inner: unknown;
  try {
    inner = JSON.parse(message);
  } catch {
    return bad('message is not JSON');
  }
  const decoded = AlarmEvent.decode(inner);
  if (E.isRight(decoded)) return { _tag: 'event', event: decoded.right };
  // The drone watchdog's drone.silent / drone.back share the alarm topic: shown apart, never as alarms.
  const drone = DroneWatchEvent.decode(inner);
  return E.isRight(drone)
    ? { _tag: 'drone', event: drone.right }
    : bad('message is not an alarm event');
};

/**
 * Creates the feed on a queue URL.
 * @example const feed = createSqsAlarmFeed(clients.sqs, await queueUrlOf(clients.sqs, 'prestacop-operator-console'));
 */
export const createSqsAlarmFeed = (
  sqs: SQSClient,
  queueUrl: string,
  options: { readonly waitSeconds?: number; readonly onError?: (e: unknown) => void } = {},
): AlarmFeed => ({
  start: (onItem) =>
    receiveQueue(sqs, queueUrl, (body) => onItem(parseEnvelope(body)), {
      ...(options.waitSeconds === undefined ? {} : { waitSeconds: options.waitSeconds }),
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    }),
});
