/**
 * Delivering one alarm: record → publish → mark, at least once, and at most once wherever that can be told in
 * time. The runtime calls this as the actor's effect and acknowledges the delivery (so the checkpoint may pass it)
 * only after it resolved: after the alarm is both stored and published.
 *
 * What each step is for, and what a crash between steps leaves behind:
 * - **record** is a conditional put (`attribute_not_exists(id)`): the first delivery of an id stores the alarm
 *   (the console's copy) and owns its publish; a redelivery learns what the earlier one did.
 * - **publish** to SNS. A crash after it but before the mark leaves a record without `publishedAt`: a redelivery
 *   cannot tell "published, not marked" from "recorded, never published", so it publishes again, with the same
 *   alarm id, and counts it (`republished`). Skipping could lose the alarm; a human must hear of every one, and
 *   the console shows one alarm per id whatever SNS delivers.
 * - **mark** sets `publishedAt`. From then on every redelivery (the checkpoint lags the acks, and a takeover
 *   rereads from it) is skipped and counted (`redeliveriesSkipped`).
 *
 * The store must never hold an alarm back for long, nor stop it: the publish waits for the record at most
 * `recordWaitMs`. A slower or failing store (saturated, throttled, down) gets the publish first; the record is
 * still awaited before the ack (retried by the runtime if it fails), and what it then says classifies the publish
 * after the fact: first (`published`), or a duplicate of an earlier one (`republished`). Such publishes are counted
 * apart (`publishedBeforeRecord`), because they are the one case where a crash can leave a duplicate that no later
 * delivery can see: the publish happened, the record never landed.
 *
 * A record holding the id with another `messageHash` is a **conflict**: another message reuses the id (a drone
 * whose clock stepped back, or a forger; ids belong to their drone, so only its own). It never overwrites the
 * record (the put is conditional) and never passes for a redelivery: its alarm is delivered as a conflict alarm,
 * under its own id `<id>#<hash8>` (`toConflictAlarm`), so the human sees both; it is counted (`conflicts`),
 * reported (`alert.conflict`), and the delivery then fails with an `IdConflict` carrying the stored version, so
 * the runtime dead-letters the message with both versions. A conflicting message published before the store
 * answered went out under the first one's id too: counted as `publishedBeforeRecord`, like any such publish.
 *
 * In one process, deliveries of one id are serialised (a stream may hold a message twice; the actor runs
 * deliveries concurrently), a publish is remembered until marked, so the runtime's retry of a failed record or
 * mark never publishes again, and the last ids marked are remembered, so a redelivery to the same process is
 * skipped without the store. That memory is a fast path only: the store stays the record across processes.
 */
import { idConflict } from '../../runtime/errors.ts';
import { type AlarmRaised, toConflictAlarm } from '../protocol/alarm.ts';
import type { AlarmPublisher, AlarmRecordState, AlarmStore, ClaimOutcome, Clock } from './ports.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** What happened to an alarm: the alert system's own inspection stream (logged, counted, tested). */
export type AlertEvent =
  | {
      /** The first publish of an alarm id. */
      readonly type: 'alert.published';
      /** When the topic accepted it. */
      readonly at: number;
      /** When its message arrived on the stream (Kinesis' arrival time), when the caller knew it. */
      readonly arrivedAt?: number;
      readonly alarm: AlarmRaised;
      readonly messageId: string;
      /** Published before the store answered (it was late or failing). */
      readonly beforeRecord: boolean;
    }
  | {
      /** A publish of an id published before, or recorded without a confirmed publish: same alarm id. */
      readonly type: 'alert.republished';
      readonly at: number;
      readonly alarm: AlarmRaised;
      readonly messageId: string;
      readonly beforeRecord: boolean;
      readonly recordedBy: string;
      /** `unconfirmed`: may be a duplicate (the earlier publish was never confirmed); `duplicate`: surely one. */
      readonly certainty: 'unconfirmed' | 'duplicate';
    }
  | {
      /** A redelivery of an alarm already published: nothing sent. */
      readonly type: 'alert.redelivery_skipped';
      readonly at: number;
      readonly alarmId: string;
      readonly publishedAt: string;
    }
  | {
      /** A message whose id is held by other content: its conflict alarm was delivered, the message dead-lettered. */
      readonly type: 'alert.conflict';
      readonly at: number;
      readonly alarm: AlarmRaised;
      readonly storedHash: string;
      /** The conflict alarm delivered instead (absent if none could be told apart: see `toConflictAlarm`). */
      readonly conflictAlarmId?: string;
    };

/** Running totals of the publishing side; one object, updated in place. */
export interface DeliveryCounts {
  /** First publishes: one per alarm id. */
  published: number;
  /** Publishes of an id published or recorded before (duplicates or possible ones, same alarm id). */
  republished: number;
  /** Redeliveries of an already published alarm, not published again. */
  redeliveriesSkipped: number;
  /** Publishes (first or not) made before the store answered, because it was slower than `recordWaitMs` or failing. */
  publishedBeforeRecord: number;
  /** Alarms whose id the store held with other content (delivered as conflict alarms, dead-lettered). */
  conflicts: number;
}

/** What {@link createAlarmDelivery} needs. */
export interface AlarmDeliveryDeps {
  readonly store: AlarmStore;
  readonly publisher: AlarmPublisher;
  readonly clock: Clock;
  /** This process' claimant id, written into records it creates: unique per process (`host-pid-random`). */
  readonly instance: string;
  readonly emit: (e: AlertEvent) => void;
  /** Longest wait for the store before publishing anyway (default 100 ms; `Infinity` = always record first). */
  readonly recordWaitMs?: number;
  /** Ids published here remembered, to skip redeliveries without the store (default 100,000: a few MB). */
  readonly rememberIds?: number;
}

/** The effect and its counts. */
export interface AlarmDelivery {
  /**
   * Records, publishes and marks one alarm. Rejects with the port's failure (the runtime retries it). `arrivedAt`:
   * when its message arrived on the stream, for the publish latency.
   */
  readonly deliver: (alarm: AlarmRaised, arrivedAt?: number) => Promise<void>;
  readonly counts: Readonly<DeliveryCounts>;
}

/** A publish made here, not yet marked in the store. */
interface Publish {
  readonly at: number;
  readonly arrivedAt: number | undefined;
  readonly messageId: string;
  readonly beforeRecord: boolean;
  /** What the record said, once it said it. */
  outcome?: ClaimOutcome;
}

// ---------------------------------------------------------------------------------------------------------------
// utils

/** The promise's value if it resolves within `ms`; undefined if it is late or rejects (it stays awaitable). */
const within = async <A>(p: Promise<A>, ms: number): Promise<{ value: A } | undefined> => {
  if (ms === Infinity) return { value: await p };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([p.then((value) => ({ value })), late]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
};

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * Creates the effect.
 * @example
 * const delivery = createAlarmDelivery({ store, publisher, clock: { now: Date.now }, instance, emit });
 * runActor({ ..., behaviour: alertSystem(cfg), effect: (alarm) => delivery.deliver(alarm) });
 */
export const createAlarmDelivery = (deps: AlarmDeliveryDeps): AlarmDelivery => {
  const waitMs = deps.recordWaitMs ?? 100;
  const rememberIds = deps.rememberIds ?? 100_000;
  const counts: DeliveryCounts = {
    published: 0,
    republished: 0,
    redeliveriesSkipped: 0,
    publishedBeforeRecord: 0,
    conflicts: 0,
  };
  /** The last delivery of each id in flight here: the next one of the same id waits for it. */
  const inFlight = new Map<string, Promise<void>>();
  /**
   * Ids this process published and marked, most recent last (bounded): a redelivery to the same process (the stream
   * holding a message twice, a lease lost and taken back) is skipped without asking a store that may be slow.
   */
  const done = new Map<string, { readonly publishedAt: string; readonly hash?: string }>();
  const remember = (alarm: AlarmRaised, publishedAt: string) => {
    done.set(alarm.id, { publishedAt, ...(alarm.messageHash ? { hash: alarm.messageHash } : {}) });
    if (done.size > rememberIds) done.delete(done.keys().next().value!);
  };
  const skip = (id: string, publishedAt: string) => {
    counts.redeliveriesSkipped++;
    deps.emit({ type: 'alert.redelivery_skipped', at: deps.clock.now(), alarmId: id, publishedAt });
  };
  /** Publishes made here whose record or mark has not succeeded yet. */
  const unmarked = new Map<string, Publish>();
  /** Publish calls made here per id until marked, failed ones included (one of those may have reached SNS). */
  const attempts = new Map<string, number>();
  const record = (alarm: AlarmRaised) =>
    deps.store.record(alarm, { by: deps.instance, at: deps.clock.now() });

  /** Counts and reports a publish once the record's outcome is known. */
  const classify = (alarm: AlarmRaised, p: Publish, outcome: ClaimOutcome): void => {
    p.outcome = outcome;
    const base = { at: p.at, alarm, messageId: p.messageId, beforeRecord: p.beforeRecord };
    const arrival = p.arrivedAt === undefined ? {} : { arrivedAt: p.arrivedAt };
    if (outcome._tag === 'recorded') {
      counts.published++;
      deps.emit({ type: 'alert.published', ...base, ...arrival });
      return;
    }
    counts.republished++;
    deps.emit({
      type: 'alert.republished',
      ...base,
      recordedBy: outcome.state.claimedBy,
      certainty: outcome.state.publishedAt === undefined ? 'unconfirmed' : 'duplicate',
    });
  };

  /** The stored state, when the record holds this id with another message's content. */
  const conflictOf = (alarm: AlarmRaised, o: ClaimOutcome): AlarmRecordState | undefined =>
    o._tag === 'known' &&
    o.state.messageHash !== undefined &&
    alarm.messageHash !== undefined &&
    o.state.messageHash !== alarm.messageHash
      ? o.state
      : undefined;

  /** Delivers the conflict alarm under its own id, then fails the delivery with both versions. */
  const conflict = async (
    alarm: AlarmRaised,
    state: AlarmRecordState,
    arrivedAt: number | undefined,
  ): Promise<never> => {
    unmarked.delete(alarm.id);
    attempts.delete(alarm.id);
    const instead = toConflictAlarm(alarm);
    if (instead !== undefined) await deliver(instead, arrivedAt);
    counts.conflicts++;
    deps.emit({
      type: 'alert.conflict',
      at: deps.clock.now(),
      alarm,
      storedHash: state.messageHash!,
      ...(instead === undefined ? {} : { conflictAlarmId: instead.id }),
    });
    throw idConflict({
      store: 'alarm-store',
      id: alarm.id,
      hash: alarm.messageHash!,
      storedHash: state.messageHash!,
      stored: (await deps.store.stored(alarm.id)) ?? JSON.stringify(state),
    });
  };

  const publish = async (alarm: AlarmRaised, arrivedAt: number | undefined): Promise<void> => {
    const recording = record(alarm);
    recording.catch(() => undefined); // awaited below or by `within`; never an unhandled rejection
    const early = await within(recording, waitMs);
    const known = early?.value;
    const stored = known && conflictOf(alarm, known);
    if (stored) return conflict(alarm, stored, arrivedAt);
    if (known?._tag === 'known' && known.state.publishedAt !== undefined)
      return skip(alarm.id, known.state.publishedAt);
    attempts.set(alarm.id, (attempts.get(alarm.id) ?? 0) + 1);
    const { messageId } = await deps.publisher.publish(alarm);
    const p: Publish = {
      at: deps.clock.now(),
      arrivedAt,
      messageId,
      beforeRecord: early === undefined,
    };
    unmarked.set(alarm.id, p);
    if (p.beforeRecord) counts.publishedBeforeRecord++;
    // A late or failed record is awaited now: a rejection fails the effect, and its retry records again.
    const outcome = known ?? (await recording);
    const late = conflictOf(alarm, outcome);
    if (late) return conflict(alarm, late, arrivedAt);
    classify(alarm, p, outcome);
    await mark(alarm, p);
  };

  const mark = async (alarm: AlarmRaised, p: Publish): Promise<void> => {
    await deps.store.markPublished(alarm.id, p);
    unmarked.delete(alarm.id);
    attempts.delete(alarm.id);
    remember(alarm, new Date(p.at).toISOString());
  };

  /** One attempt: a retry after a failed record or mark finishes what this process published. */
  const once = async (alarm: AlarmRaised, arrivedAt: number | undefined): Promise<void> => {
    const marked = done.get(alarm.id);
    // Another message with this id goes to the store, which tells the conflict.
    if (marked !== undefined && marked.hash === alarm.messageHash)
      return skip(alarm.id, marked.publishedAt);
    const p = unmarked.get(alarm.id);
    if (p === undefined) return publish(alarm, arrivedAt);
    if (p.outcome === undefined) {
      const outcome = await record(alarm);
      const stored = conflictOf(alarm, outcome);
      if (stored) return conflict(alarm, stored, arrivedAt);
      // Our own record, whose answer we missed (late, then failed here), and our only publish: it was the first.
      const ours =
        outcome._tag === 'known' &&
        outcome.state.claimedBy === deps.instance &&
        outcome.state.publishedAt === undefined &&
        attempts.get(alarm.id) === 1;
      classify(alarm, p, ours ? { _tag: 'recorded' } : outcome);
    }
    return mark(alarm, p);
  };

  /** `arrivedAt`: when the alarm's message arrived on the stream, for the publish latency (optional). */
  const deliver = async (alarm: AlarmRaised, arrivedAt?: number): Promise<void> => {
    const previous = inFlight.get(alarm.id);
    // The previous attempt's failure is its own delivery's business (retried or dead-lettered there).
    const mine = (previous ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => once(alarm, arrivedAt));
    inFlight.set(alarm.id, mine);
    try {
      await mine;
    } finally {
      if (inFlight.get(alarm.id) === mine) inFlight.delete(alarm.id);
    }
  };

  return { deliver, counts };
};
