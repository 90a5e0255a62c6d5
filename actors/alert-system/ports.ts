/**
 * The alert system's ports: where an alarm is recorded (the durable dedup record, also the operator console's
 * and the analysis' copy) and where it is published (SNS). Small interfaces, faked in the specs and backed by
 * DynamoDB (`dynamo-alarm-store.ts`) and SNS (`sns-publisher.ts`) in production.
 *
 * Both reject with a `PortFailure`; `retriable` ones are retried by the runtime with backoff.
 */
import type { AlarmRaised } from '../protocol/alarm.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** The clock port: behaviours never read `Date.now()` (STYLE §2). */
export interface Clock {
  readonly now: () => number;
}

/** Who first recorded an alarm, and whether (and when) it was published since. */
export interface AlarmRecordState {
  /** The instance (`host-pid-random`) that recorded it first. */
  readonly claimedBy: string;
  /** ISO time of the first successful publish; absent while nobody confirmed one. */
  readonly publishedAt?: string;
  /** The content hash of the message the stored alarm came from; absent on records from before hashes. */
  readonly messageHash?: string;
}

/**
 * What recording an alarm found: `recorded` (the id was new: this delivery owns the first publish), or `known`
 * (an earlier delivery recorded it; `state` says whether it confirmed its publish).
 */
export type ClaimOutcome =
  { readonly _tag: 'recorded' } | { readonly _tag: 'known'; readonly state: AlarmRecordState };

/**
 * The alarm store: one record per alarm id, written before the publish. It is the durable dedup record (a
 * redelivery finds it), the console's list and the analysis' source.
 *
 * @example
 * const outcome = await store.record(alarm, { by: instance, at: clock.now() });
 * if (outcome._tag === 'recorded') ... // first time this id is seen
 */
export interface AlarmStore {
  /**
   * Stores the alarm if its id is new (a conditional put), else returns what the existing record says. Never
   * overwrites an existing record.
   */
  readonly record: (
    alarm: AlarmRaised,
    claim: { readonly by: string; readonly at: number },
  ) => Promise<ClaimOutcome>;
  /** The stored record of an id as JSON (for the dead letter of a conflict); `null` if there is none. */
  readonly stored: (id: string) => Promise<string | null>;
  /**
   * Notes a successful publish: sets `publishedAt` once (the first publish wins) and counts every publish
   * (`publishCount`), so a duplicate publish also leaves a durable trace.
   */
  readonly markPublished: (
    id: string,
    publish: { readonly at: number; readonly messageId: string },
  ) => Promise<void>;
}

/**
 * The alarm topic. The message carries the alarm as JSON; attributes let subscriptions filter without parsing it.
 *
 * @example const { messageId } = await publisher.publish(alarm);
 */
export interface AlarmPublisher {
  /** Publishes one alarm; resolves with the topic's message id once the topic accepted it. */
  readonly publish: (alarm: AlarmRaised) => Promise<{ readonly messageId: string }>;
}
