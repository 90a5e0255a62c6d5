/**
 * An SQS subscriber of the alarm topic, as the operator console will be one: long-polls a queue subscribed with
 * raw delivery off, unwraps each SNS envelope (`{ Type: 'Notification', MessageId, Message, MessageAttributes }`),
 * decodes the alarm and hands it over with its receive time. Used by `countPublishedAlarms`, the benchmark and
 * the tests; receiving and deleting are the runtime's queue input (`receiveQueue`).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';

import { receiveQueue } from '../../runtime/aws/sqs-input.ts';
import { E } from '../../runtime/codec.ts';
import { AlarmRaised } from '../protocol/alarm.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** One alarm as a subscriber got it. */
export interface ReceivedAlarm {
  readonly alarm: AlarmRaised;
  /** The SNS message attributes, by name (`alarmId`, `drone`, `code`, `borough`, `type`). */
  readonly attributes: Readonly<Record<string, string>>;
  /** SNS's id of this publish: two publishes of one alarm share the alarm id, not this. */
  readonly snsMessageId: string;
  /** When SNS accepted the publish (the envelope's `Timestamp`, epoch ms; NaN if absent). */
  readonly publishedAt: number;
  /** When this process received it (epoch ms, from the `now` option). */
  readonly receivedAt: number;
}

/** Options of {@link subscribeAlarmQueue}. */
export interface QueueSubscriberOptions {
  /** Delete what was received (default true): a queue nobody empties grows for ever, in fauxqs' memory too. */
  readonly consume?: boolean;
  /** Receive loops side by side (default 2). */
  readonly receivers?: number;
  /** Long-poll wait per call in seconds (default 1: also bounds how long stop() takes). */
  readonly waitSeconds?: number;
  readonly now?: () => number;
}

/** A running subscriber. */
export interface QueueSubscriber {
  /** Stops receiving; resolves when every loop ended (within `waitSeconds`) and deletes were sent. */
  readonly stop: () => Promise<void>;
  /**
   * Bodies that were not an SNS envelope holding an `alarm.raised` (counted, then consumed like the rest). Other
   * alarm events on the topic (`alarm.escalated`, by their `type` attribute) are consumed without being counted.
   */
  readonly undecodable: () => number;
}

// ---------------------------------------------------------------------------------------------------------------
// utils

interface Envelope {
  readonly Type?: string;
  readonly MessageId?: string;
  readonly Timestamp?: string;
  readonly Message?: string;
  readonly MessageAttributes?: Readonly<Record<string, { readonly Value?: string }>>;
}

/**
 * Unwraps one SQS message body: the SNS envelope, then the alarm in it. Undefined if it is anything else.
 * @example parseAlarmEnvelope(message.Body ?? '', Date.now())?.alarm.id
 */
export const parseAlarmEnvelope = (body: string, receivedAt: number): ReceivedAlarm | undefined => {
  try {
    const envelope = JSON.parse(body) as Envelope;
    if (envelope.Type !== 'Notification' || envelope.Message === undefined) return undefined;
    const decoded = AlarmRaised.decode(JSON.parse(envelope.Message));
    if (E.isLeft(decoded)) return undefined;
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(envelope.MessageAttributes ?? {}))
      if (v.Value !== undefined) attributes[k] = v.Value;
    return {
      alarm: decoded.right,
      attributes,
      snsMessageId: envelope.MessageId ?? '',
      publishedAt: envelope.Timestamp ? Date.parse(envelope.Timestamp) : NaN,
      receivedAt,
    };
  } catch {
    return undefined; // not JSON: counted as undecodable by the caller
  }
};

/**
 * Whether a body is an SNS envelope of another alarm event on the same topic (`alarm.escalated` from the operator
 * console): not an alarm raised, and not undecodable either.
 */
const isOtherAlarmEvent = (body: string): boolean => {
  try {
    const type = (JSON.parse(body) as Envelope).MessageAttributes?.type?.Value;
    return typeof type === 'string' && type.startsWith('alarm.') && type !== 'alarm.raised';
  } catch {
    return false;
  }
};

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * Starts receiving. Errors of a receive call are retried after a short pause (an emulator restarting, a
 * throttled call); `onAlarm` runs synchronously for each alarm, in receive order within a loop.
 * @example
 * const sub = subscribeAlarmQueue(clients.sqs, queueUrl, (r) => latencies.push(r.receivedAt - epochMsOf(r.alarm.time)));
 * await sub.stop();
 */
export const subscribeAlarmQueue = (
  sqs: SQSClient,
  queueUrl: string,
  onAlarm: (received: ReceivedAlarm) => void,
  options: QueueSubscriberOptions = {},
): QueueSubscriber => {
  const now = options.now ?? Date.now;
  let undecodable = 0;
  // A failed delete only means the alarm comes back after its visibility timeout: readers count it as a raw copy.
  const input = receiveQueue(
    sqs,
    queueUrl,
    (body) => {
      const received = parseAlarmEnvelope(body, now());
      if (received !== undefined) onAlarm(received);
      else if (!isOtherAlarmEvent(body)) undecodable++;
    },
    {
      retryMs: 200,
      ...(options.consume === undefined ? {} : { consume: options.consume }),
      ...(options.receivers === undefined ? {} : { receivers: options.receivers }),
      ...(options.waitSeconds === undefined ? {} : { waitSeconds: options.waitSeconds }),
    },
  );
  return { stop: input.stop, undecodable: () => undecodable };
};
