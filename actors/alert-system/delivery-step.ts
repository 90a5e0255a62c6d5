/**
 * The decisions of the record → publish → mark protocol (`delivery.ts` describes it), as a pure transition
 * (`runtime/transition.ts`): `(state, event) -> [state, commands]`. The state is explicit and bounded: the ids
 * published and marked here (a redelivery to this process is skipped without the store), the publishes not yet
 * marked with the publish calls made per id (a retry finishes them, never publishes again), and the counts.
 *
 * An event is what one attempt at one alarm learnt: it began, the store answered (in time or late), the topic
 * accepted, the mark landed, the conflict alarm was delivered. Each step returns at most one command that continues
 * the attempt (record, publish, mark, ...) and the alert events to report; the interpreter (`delivery.ts`) performs
 * the command through the ports and feeds what it found back. A step with no continuation ends the attempt; a port
 * that rejects ends it too (the runtime retries the delivery: a new attempt, which starts from what the state
 * remembers). Time is the input's `at`, never a clock read here.
 */
import type { Input, Transition } from '../../runtime/transition.ts';
import { type AlarmRaised, toConflictAlarm } from '../protocol/alarm.ts';
import { type BoundedMemory, emptyMemory, forget, recall, remember } from './bounded-memory.ts';
import type { AlarmRecordState, ClaimOutcome } from './ports.ts';

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

/** Running totals of the publishing side. */
export interface DeliveryCounts {
  /** First publishes: one per alarm id. */
  readonly published: number;
  /** Publishes of an id published or recorded before (duplicates or possible ones, same alarm id). */
  readonly republished: number;
  /** Redeliveries of an already published alarm, not published again. */
  readonly redeliveriesSkipped: number;
  /** Publishes (first or not) made before the store answered, because it was slower than `recordWaitMs` or failing. */
  readonly publishedBeforeRecord: number;
  /** Alarms whose id the store held with other content (delivered as conflict alarms, dead-lettered). */
  readonly conflicts: number;
}

/** A publish made here; `outcome` is what the record said, once it said it. */
export interface Publish {
  readonly at: number;
  readonly arrivedAt?: number;
  readonly messageId: string;
  readonly beforeRecord: boolean;
  readonly outcome?: ClaimOutcome;
}

/** An id with work left here: publish calls made (failed ones included: one may have reached SNS), the publish. */
export interface Pending {
  readonly attempts: number;
  readonly publish?: Publish;
}

/** An id published and marked here. */
export interface Marked {
  readonly publishedAt: string;
  readonly hash?: string;
}

export interface DeliveryState {
  /** Ids published and marked here, the most recent ones (bounded). */
  readonly marked: BoundedMemory<Marked>;
  /** Ids published (or tried) here and not yet marked (bounded: a forgotten one is published again, counted). */
  readonly pending: BoundedMemory<Pending>;
  readonly counts: DeliveryCounts;
}

/** The alarm an attempt is about, and when its message arrived on the stream (for the publish latency). */
interface About {
  readonly alarm: AlarmRaised;
  readonly arrivedAt?: number;
}

/** What an attempt learnt. */
export type DeliveryEvent = About &
  (
    | { readonly kind: 'attempt' }
    /** The record answered within `recordWaitMs` (`outcome`), or not (late or failed: no `outcome`). */
    | { readonly kind: 'record-early'; readonly outcome?: ClaimOutcome }
    /** The topic accepted; `known`: the record's early answer, if there was one. */
    | { readonly kind: 'published'; readonly messageId: string; readonly known?: ClaimOutcome }
    /** The record answered after `publish` (`retry` false), or to a retry finishing it. */
    | {
        readonly kind: 'recorded';
        readonly outcome: ClaimOutcome;
        readonly publish: Publish;
        readonly retry: boolean;
      }
    | { readonly kind: 'marked'; readonly publish: Publish }
    | {
        readonly kind: 'conflict-delivered';
        readonly stored: AlarmRecordState;
        readonly instead?: AlarmRaised;
      }
  );

/** What the interpreter does next for an attempt (`emit` aside, each is answered by one event). */
export type DeliveryCommand =
  | { readonly kind: 'emit'; readonly event: AlertEvent }
  /** Record, waiting at most `waitMs` for the answer → `record-early` (a late answer stays awaitable). */
  | (About & { readonly kind: 'record'; readonly waitMs: number })
  /** Await the answer of this attempt's `record` → `recorded` (retry false); its failure fails the attempt. */
  | (About & { readonly kind: 'await-record'; readonly publish: Publish })
  /** Record again, awaiting the answer → `recorded` (retry true). */
  | (About & { readonly kind: 'record-again'; readonly publish: Publish })
  | (About & { readonly kind: 'publish'; readonly known?: ClaimOutcome })
  | (About & { readonly kind: 'mark'; readonly publish: Publish })
  /** Deliver the conflict alarm (`instead`, under its own id) → `conflict-delivered`. */
  | (About & {
      readonly kind: 'deliver-conflict';
      readonly instead: AlarmRaised;
      readonly stored: AlarmRecordState;
    })
  /** Fail the attempt with an `IdConflict` carrying both versions (the runtime dead-letters the message). */
  | (About & { readonly kind: 'fail-conflict'; readonly stored: AlarmRecordState });

export interface DeliveryStepConfig {
  /** Longest wait for the store before publishing anyway (`Infinity` = always record first). */
  readonly recordWaitMs: number;
  /** This process' claimant id (a record it made and lost the answer to is its own). */
  readonly instance: string;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * The state of a process that has delivered nothing yet; `rememberIds` bounds each of its memories.
 * @example let state = initialDelivery(100_000);
 */
export const initialDelivery = (rememberIds: number): DeliveryState => ({
  marked: emptyMemory(rememberIds),
  pending: emptyMemory(rememberIds),
  counts: {
    published: 0,
    republished: 0,
    redeliveriesSkipped: 0,
    publishedBeforeRecord: 0,
    conflicts: 0,
  },
});

// ---------------------------------------------------------------------------------------------------------------
// utils

type Step = readonly [DeliveryState, ReadonlyArray<DeliveryCommand>];

const about = ({ alarm, arrivedAt }: About): About =>
  arrivedAt === undefined ? { alarm } : { alarm, arrivedAt };

const count = (s: DeliveryState, key: keyof DeliveryCounts): DeliveryState => ({
  ...s,
  counts: { ...s.counts, [key]: s.counts[key] + 1 },
});

/** The stored state, when the record holds this id with another message's content. */
const conflictOf = (alarm: AlarmRaised, o: ClaimOutcome): AlarmRecordState | undefined =>
  o._tag === 'known' &&
  o.state.messageHash !== undefined &&
  alarm.messageHash !== undefined &&
  o.state.messageHash !== alarm.messageHash
    ? o.state
    : undefined;

const skip = (s: DeliveryState, id: string, publishedAt: string, at: number): Step => [
  count(s, 'redeliveriesSkipped'),
  [{ kind: 'emit', event: { type: 'alert.redelivery_skipped', at, alarmId: id, publishedAt } }],
];

/** Forgets the id's publish, then delivers its conflict alarm (if one can be told apart) before failing. */
const conflict = (s: DeliveryState, e: About, stored: AlarmRecordState, at: number): Step => {
  const next = { ...s, pending: forget(s.pending, e.alarm.id) };
  const instead = toConflictAlarm(e.alarm);
  return instead === undefined
    ? conflicted(next, e, stored, undefined, at)
    : [next, [{ kind: 'deliver-conflict', ...about(e), instead, stored }]];
};

const conflicted = (
  s: DeliveryState,
  e: About,
  stored: AlarmRecordState,
  instead: AlarmRaised | undefined,
  at: number,
): Step => [
  count(s, 'conflicts'),
  [
    {
      kind: 'emit',
      event: {
        type: 'alert.conflict',
        at,
        alarm: e.alarm,
        storedHash: stored.messageHash!,
        ...(instead === undefined ? {} : { conflictAlarmId: instead.id }),
      },
    },
    { kind: 'fail-conflict', ...about(e), stored },
  ],
];

/** Counts and reports a publish once the record's outcome is known, then marks it. */
const classify = (s: DeliveryState, e: About, p: Publish, outcome: ClaimOutcome): Step => {
  const publish: Publish = { ...p, outcome };
  const pending = remember(s.pending, e.alarm.id, {
    attempts: recall(s.pending, e.alarm.id)?.attempts ?? 0,
    publish,
  });
  const base = { at: p.at, alarm: e.alarm, messageId: p.messageId, beforeRecord: p.beforeRecord };
  const mark: DeliveryCommand = { kind: 'mark', ...about(e), publish };
  if (outcome._tag === 'recorded') {
    const arrival = p.arrivedAt === undefined ? {} : { arrivedAt: p.arrivedAt };
    return [
      count({ ...s, pending }, 'published'),
      [{ kind: 'emit', event: { type: 'alert.published', ...base, ...arrival } }, mark],
    ];
  }
  return [
    count({ ...s, pending }, 'republished'),
    [
      {
        kind: 'emit',
        event: {
          type: 'alert.republished',
          ...base,
          recordedBy: outcome.state.claimedBy,
          certainty: outcome.state.publishedAt === undefined ? 'unconfirmed' : 'duplicate',
        },
      },
      mark,
    ],
  ];
};

// ---------------------------------------------------------------------------------------------------------------
// behaviour

/** An attempt begins: skip what this process marked, finish what it published, else record. */
const attempt = (cfg: DeliveryStepConfig, s: DeliveryState, e: About, at: number): Step => {
  const marked = recall(s.marked, e.alarm.id);
  // Another message with this id goes to the store, which tells the conflict.
  if (marked !== undefined && marked.hash === e.alarm.messageHash)
    return skip(s, e.alarm.id, marked.publishedAt, at);
  const p = recall(s.pending, e.alarm.id)?.publish;
  if (p === undefined) return [s, [{ kind: 'record', ...about(e), waitMs: cfg.recordWaitMs }]];
  if (p.outcome === undefined) return [s, [{ kind: 'record-again', ...about(e), publish: p }]];
  return [s, [{ kind: 'mark', ...about(e), publish: p }]];
};

/** The record answered in time (or not): a conflict, a published alarm to skip, or publish now. */
const recordEarly = (s: DeliveryState, e: About, at: number, known?: ClaimOutcome): Step => {
  const stored = known && conflictOf(e.alarm, known);
  if (stored) return conflict(s, e, stored, at);
  if (known?._tag === 'known' && known.state.publishedAt !== undefined)
    return skip(s, e.alarm.id, known.state.publishedAt, at);
  const before = recall(s.pending, e.alarm.id);
  const pending = remember(s.pending, e.alarm.id, {
    ...before,
    attempts: (before?.attempts ?? 0) + 1,
  });
  return [{ ...s, pending }, [{ kind: 'publish', ...about(e), ...(known ? { known } : {}) }]];
};

/** The topic accepted: remember the publish, then classify it (or await the late record first). */
const published = (
  s: DeliveryState,
  e: About,
  messageId: string,
  at: number,
  known?: ClaimOutcome,
): Step => {
  const p: Publish = {
    at,
    ...(e.arrivedAt === undefined ? {} : { arrivedAt: e.arrivedAt }),
    messageId,
    beforeRecord: known === undefined,
  };
  const before = recall(s.pending, e.alarm.id);
  const pending = remember(s.pending, e.alarm.id, { attempts: before?.attempts ?? 1, publish: p });
  const next = p.beforeRecord
    ? count({ ...s, pending }, 'publishedBeforeRecord')
    : { ...s, pending };
  // A late or failed record is awaited now: a rejection fails the attempt, and the retry records again.
  return known === undefined
    ? [next, [{ kind: 'await-record', ...about(e), publish: p }]]
    : classify(next, e, p, known);
};

/** The record answered after the publish, or to a retry finishing one. */
const recorded = (
  cfg: DeliveryStepConfig,
  s: DeliveryState,
  e: About,
  outcome: ClaimOutcome,
  publish: Publish,
  retry: boolean,
  at: number,
): Step => {
  const stored = conflictOf(e.alarm, outcome);
  if (stored) return conflict(s, e, stored, at);
  // Our own record, whose answer we missed (late, then failed here), and our only publish: it was the first.
  // (An id forgotten meanwhile, over the bound, counts no attempt: its publish is then a possible duplicate.)
  const ours =
    retry &&
    outcome._tag === 'known' &&
    outcome.state.claimedBy === cfg.instance &&
    outcome.state.publishedAt === undefined &&
    recall(s.pending, e.alarm.id)?.attempts === 1;
  return classify(s, e, publish, ours ? { _tag: 'recorded' } : outcome);
};

/**
 * The transition (ticks change nothing: the protocol's waits are the interpreter's).
 * @example
 * const step = deliveryStep({ recordWaitMs: 100, instance });
 * const [next, commands] = step(state, { kind: 'message', message: { kind: 'attempt', alarm }, at: clock.now() });
 */
export const deliveryStep =
  (cfg: DeliveryStepConfig): Transition<DeliveryState, DeliveryEvent, DeliveryCommand> =>
  (s: DeliveryState, input: Input<DeliveryEvent>): Step => {
    if (input.kind === 'tick') return [s, []];
    const { message: e, at } = input;
    switch (e.kind) {
      case 'attempt':
        return attempt(cfg, s, e, at);
      case 'record-early':
        return recordEarly(s, e, at, e.outcome);
      case 'published':
        return published(s, e, e.messageId, at, e.known);
      case 'recorded':
        return recorded(cfg, s, e, e.outcome, e.publish, e.retry, at);
      case 'marked':
        return [
          {
            ...s,
            pending: forget(s.pending, e.alarm.id),
            marked: remember(s.marked, e.alarm.id, {
              publishedAt: new Date(e.publish.at).toISOString(),
              ...(e.alarm.messageHash ? { hash: e.alarm.messageHash } : {}),
            }),
          },
          [],
        ];
      case 'conflict-delivered':
        return conflicted(s, e, e.stored, e.instead, at);
    }
  };
