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
 * The decisions are a pure transition (`delivery-step.ts`), with its state explicit and bounded: the last ids
 * marked here (a redelivery to the same process is skipped without the store; a fast path only, the store stays the
 * record across processes), the publishes not yet marked (the runtime's retry of a failed record or mark never
 * publishes again) and the counts. This file is its interpreter: it performs each command through the ports and
 * feeds back what the port said, reading the clock for each event's time. It also serialises the deliveries of one
 * id in this process (a stream may hold a message twice; the actor runs deliveries concurrently): a queue of
 * promises, which is scheduling rather than state.
 */
import { idConflict } from '../../runtime/errors.ts';
import type { AlarmRaised } from '../protocol/alarm.ts';
import {
  type AlertEvent,
  type DeliveryCommand,
  type DeliveryCounts,
  type DeliveryEvent,
  type DeliveryState,
  deliveryStep,
  initialDelivery,
} from './delivery-step.ts';
import type { AlarmPublisher, AlarmStore, ClaimOutcome, Clock } from './ports.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

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
  /**
   * Ids remembered, to skip redeliveries without the store, and publishes awaiting their mark, each at most this
   * many (default 100,000: a few MB).
   */
  readonly rememberIds?: number;
}

/** The effect and its counts. */
export interface AlarmDelivery {
  /**
   * Records, publishes and marks one alarm. Rejects with the port's failure (the runtime retries it). `arrivedAt`:
   * when its message arrived on the stream, for the publish latency.
   */
  readonly deliver: (alarm: AlarmRaised, arrivedAt?: number) => Promise<void>;
  /** Live totals (getters). */
  readonly counts: DeliveryCounts;
  /** The transition's state as it is now (for tests of its bounds). */
  readonly state: () => DeliveryState;
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
 * runTransitions({ ..., step: alertStep(cfg), effect: (c) => delivery.deliver(c.alarm, c.arrivedAt) });
 */
export const createAlarmDelivery = (deps: AlarmDeliveryDeps): AlarmDelivery => {
  const step = deliveryStep({ recordWaitMs: deps.recordWaitMs ?? 100, instance: deps.instance });
  let state = initialDelivery(deps.rememberIds ?? 100_000);
  /** The last delivery of each id in flight here: the next one of the same id waits for it. */
  const inFlight = new Map<string, Promise<void>>();

  const feed = (e: DeliveryEvent): ReadonlyArray<DeliveryCommand> => {
    const [next, commands] = step(state, { kind: 'message', message: e, at: deps.clock.now() });
    state = next;
    return commands;
  };

  /** One attempt: performs each command, feeding back what the port said, until a step continues no further. */
  const once = async (alarm: AlarmRaised, arrivedAt: number | undefined): Promise<void> => {
    /** This attempt's record, awaited late (after the publish) when it did not answer in time. */
    let recording: Promise<ClaimOutcome> | undefined;
    const record = () => deps.store.record(alarm, { by: deps.instance, at: deps.clock.now() });

    const perform = async (c: DeliveryCommand): Promise<DeliveryEvent | undefined> => {
      switch (c.kind) {
        case 'emit':
          deps.emit(c.event);
          return undefined;
        case 'record': {
          const pending = record();
          pending.catch(() => undefined); // awaited below or by `within`; never an unhandled rejection
          recording = pending;
          const early = await within(pending, c.waitMs);
          return { ...about, kind: 'record-early', ...(early ? { outcome: early.value } : {}) };
        }
        case 'await-record':
          return {
            ...about,
            kind: 'recorded',
            outcome: await (recording ?? record()),
            publish: c.publish,
            retry: false,
          };
        case 'record-again':
          return {
            ...about,
            kind: 'recorded',
            outcome: await record(),
            publish: c.publish,
            retry: true,
          };
        case 'publish': {
          const { messageId } = await deps.publisher.publish(c.alarm);
          return { ...about, kind: 'published', messageId, ...(c.known ? { known: c.known } : {}) };
        }
        case 'mark':
          await deps.store.markPublished(c.alarm.id, c.publish);
          return { ...about, kind: 'marked', publish: c.publish };
        case 'deliver-conflict':
          await deliver(c.instead, c.arrivedAt);
          return { ...about, kind: 'conflict-delivered', stored: c.stored, instead: c.instead };
        case 'fail-conflict':
          throw idConflict({
            store: 'alarm-store',
            id: c.alarm.id,
            hash: c.alarm.messageHash!,
            storedHash: c.stored.messageHash!,
            stored: (await deps.store.stored(c.alarm.id)) ?? JSON.stringify(c.stored),
          });
      }
    };

    const about = arrivedAt === undefined ? { alarm } : { alarm, arrivedAt };
    let commands = feed({ ...about, kind: 'attempt' });
    while (commands.length > 0) {
      let next: DeliveryEvent | undefined;
      for (const c of commands) next = (await perform(c)) ?? next;
      commands = next === undefined ? [] : feed(next);
    }
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

  return {
    deliver,
    counts: {
      get published() {
        return state.counts.published;
      },
      get republished() {
        return state.counts.republished;
      },
      get redeliveriesSkipped() {
        return state.counts.redeliveriesSkipped;
      },
      get publishedBeforeRecord() {
        return state.counts.publishedBeforeRecord;
      },
      get conflicts() {
        return state.counts.conflicts;
      },
    },
    state: () => state,
  };
};
