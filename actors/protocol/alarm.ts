/**
 * The life of an alarm: raised by the alert system for a drone message whose violation needs a human, escalated
 * when nobody acts in time, resolved by an operator. Every id is derived, so a republished event keeps its id and
 * the console shows it once.
 */
import { t } from '../../runtime/codec.ts';
import { Borough } from './borough.ts';
import { crossCheck, derivedId, struct, taggedUnion } from './codec-kit.ts';
import type { ViolationMessage } from './drone-message.ts';
import { messageHash, Sha256Hex } from './message-hash.ts';
import {
  Address,
  DroneId,
  eventHead,
  Location,
  MessageId,
  NonNegativeInt,
  OperatorName,
  OperatorNote,
  PositiveInt,
  stripUnsafe,
  ViolationCode,
  ViolationImageId,
} from './primitives.ts';
import { UtcTime } from './time.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** The borough of an alarm raised outside every borough outline (and its SNS attribute: SNS refuses empty ones). */
export const UNKNOWN_BOROUGH = 'unknown';

/** Where an alarm was raised: one of the five boroughs, or {@link UNKNOWN_BOROUGH}. */
export const AlarmBorough = t.keyof({ ...Borough.keys, [UNKNOWN_BOROUGH]: null }, 'AlarmBorough');
export type AlarmBorough = t.TypeOf<typeof AlarmBorough>;

/**
 * A violation that needs a human. `id` is the drone message's id (checked equal to `messageId`): one message, one
 * alarm, whatever the redeliveries. `time` is when the drone saw it, `raisedAt` when the alert system raised it.
 * `messageHash` is the message's content hash (`messageHash`), which tells a redelivery (same hash) from another
 * message reusing the id (a conflict).
 *
 * `borough` is where the drone was, or `unknown` outside every borough outline (over water, outside the city), the
 * value of the alarm's SNS `borough` attribute too, so the body and the attribute agree. Alarms raised before it
 * was always set lack it when unknown: decoders accept both.
 *
 * `clockOffMs` is set when the drone's `time` lies outside the plausible window around the stream's arrival time
 * (`clockOffMs` in `time.ts`): how far off it is (negative: behind). The alarm is raised all the same; the console
 * says "drone clock off by …" and orders alarms by `raisedAt`, never by the drone's time.
 *
 * A **conflict alarm** (`conflict: true`) is raised for a message that needs a human but whose id an earlier
 * message with other content already holds: its id is `<messageId>#<first 8 hex of messageHash>` (the full hash
 * if even that is taken), checked, so it is stored and shown beside the first, never instead of it.
 *
 * @example
 * const alarm = toAlarmRaised(message, utcTimeOf(clock.now()), 'Brooklyn');
 */
export const AlarmRaised = crossCheck(
  struct(
    'AlarmRaised',
    {
      ...eventHead('alarm.raised'),
      messageId: MessageId,
      droneId: DroneId,
      violationCode: ViolationCode,
      violationImageId: ViolationImageId,
      location: Location,
      time: UtcTime,
      raisedAt: UtcTime,
    },
    {
      borough: AlarmBorough,
      address: Address,
      messageHash: Sha256Hex,
      conflict: t.literal(true),
      clockOffMs: t.Int,
    },
  ),
  (a) => {
    if (a.conflict === undefined)
      return a.id === a.messageId ? undefined : { at: 'id', why: 'must equal messageId' };
    if (a.messageHash === undefined)
      return { at: 'messageHash', why: 'required on a conflict alarm' };
    const ids = [1, 2].map((n) => conflictAlarmId(a.messageId, a.messageHash!, n));
    return ids.includes(a.id) ? undefined : { at: 'id', why: `must be "${ids[0]}" or "${ids[1]}"` };
  },
  'AlarmRaised',
);
export type AlarmRaised = t.TypeOf<typeof AlarmRaised>;

/** Why an alarm was escalated: nobody acknowledged it in time, or an operator asked for help. */
export const EscalationReason = t.keyof(
  { unacknowledged: null, operator: null },
  'EscalationReason',
);
export type EscalationReason = t.TypeOf<typeof EscalationReason>;

/**
 * An alarm passed up a level. `id` = `<alarmId>:escalated:<level>` (checked); `afterMs` is the time from
 * `raisedAt` to the escalation; `by` names the operator when `reason` is `operator`.
 */
export const AlarmEscalated = derivedId(
  struct(
    'AlarmEscalated',
    {
      ...eventHead('alarm.escalated'),
      alarmId: MessageId,
      level: PositiveInt,
      reason: EscalationReason,
      afterMs: NonNegativeInt,
      escalatedAt: UtcTime,
    },
    { by: OperatorName },
  ),
  (e) => alarmEscalationId(e.alarmId, e.level),
);
export type AlarmEscalated = t.TypeOf<typeof AlarmEscalated>;

/**
 * What the operator decided: `acknowledged` (seen, handling it), `confirmed` (a real violation: ticket it),
 * `dismissed` (false positive).
 */
export const AlarmDecision = t.keyof(
  { acknowledged: null, confirmed: null, dismissed: null },
  'AlarmDecision',
);
export type AlarmDecision = t.TypeOf<typeof AlarmDecision>;

/**
 * An operator's decision on an alarm. `id` = `<alarmId>:<decision>` (checked): the same decision taken twice (two
 * clicks, two operators) is one event; the console keeps the first.
 */
export const AlarmResolved = derivedId(
  struct(
    'AlarmResolved',
    {
      ...eventHead('alarm.resolved'),
      alarmId: MessageId,
      decision: AlarmDecision,
      by: OperatorName,
      at: UtcTime,
    },
    { note: OperatorNote },
  ),
  (r) => alarmResolutionId(r.alarmId, r.decision),
);
export type AlarmResolved = t.TypeOf<typeof AlarmResolved>;

/**
 * Any alarm event, dispatched on `type`. The codec of the alarms topic and of the console's queue.
 *
 * @example
 * const alarms = topic(cfg.streams.alarms, AlarmEvent, (e) => (e.type === 'alarm.raised' ? e.id : e.alarmId));
 */
export const AlarmEvent = taggedUnion('AlarmEvent', {
  'alarm.raised': AlarmRaised,
  'alarm.escalated': AlarmEscalated,
  'alarm.resolved': AlarmResolved,
});
export type AlarmEvent = t.TypeOf<typeof AlarmEvent>;

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * The alarm for a message that reports a violation. Pure: the caller passes `raisedAt` from its Clock port, and
 * the borough if the position lies in one (`unknown` otherwise).
 *
 * @example
 * messages$.pipe(filter(hasViolation), map((m) => toAlarmRaised(m, utcTimeOf(clock.now()))));
 */
export const toAlarmRaised = (
  m: ViolationMessage,
  raisedAt: UtcTime,
  borough: AlarmBorough = UNKNOWN_BOROUGH,
): AlarmRaised => ({
  type: 'alarm.raised',
  v: 1,
  id: m.id,
  messageId: m.id,
  droneId: m.droneId,
  violationCode: m.violationCode,
  violationImageId: m.violationImageId,
  location: m.location,
  time: m.time,
  raisedAt,
  borough,
  ...(m.address === undefined ? {} : { address: m.address }),
  messageHash: messageHash(m),
});

/**
 * The id of a conflict alarm: `<messageId>#<hash>`, the hash cut to 8 hex digits (`attempt` 1) or whole
 * (`attempt` 2, only if another conflict alarm already holds the short one: 32 bits can be ground).
 */
export const conflictAlarmId = (messageId: MessageId, hash: string, attempt = 1): MessageId =>
  `${messageId}#${attempt === 1 ? hash.slice(0, 8) : hash}` as MessageId;

/**
 * The conflict alarm of an alarm whose id is held by other content (see {@link AlarmRaised}); `undefined` when the
 * alarm has no `messageHash` or already is a full-hash conflict alarm (nothing further to tell it apart by).
 *
 * @example
 * if (stored.messageHash !== alarm.messageHash) await deliver(toConflictAlarm(alarm)!);
 */
export const toConflictAlarm = (a: AlarmRaised): AlarmRaised | undefined => {
  if (a.messageHash === undefined) return undefined;
  const attempt = a.conflict === undefined ? 1 : 2;
  const id = conflictAlarmId(a.messageId, a.messageHash, attempt);
  return id === a.id ? undefined : { ...a, id, conflict: true };
};

/** The id of an alarm's escalation to `level` (1 = first). */
export const alarmEscalationId = (alarmId: MessageId, level: number): MessageId =>
  `${alarmId}:escalated:${level}` as MessageId;

/** The id of an operator's `decision` on an alarm. */
export const alarmResolutionId = (alarmId: MessageId, decision: AlarmDecision): MessageId =>
  `${alarmId}:${decision}` as MessageId;

/**
 * An escalation event, with its derived id; control and bidi-control characters are stripped from `by` (as
 * decoding does), so what is written decodes as written.
 * @example toAlarmEscalated({ alarmId, level: 1, reason: 'unacknowledged', afterMs: 60_000, escalatedAt })
 */
export const toAlarmEscalated = (e: Omit<AlarmEscalated, 'type' | 'v' | 'id'>): AlarmEscalated => ({
  ...e,
  ...(e.by === undefined ? {} : { by: stripUnsafe(e.by) }),
  type: 'alarm.escalated',
  v: 1,
  id: alarmEscalationId(e.alarmId, e.level),
});

/**
 * An operator's decision, with its derived id; control and bidi-control characters are stripped from `by` and
 * `note` (as decoding does). A name that is blank once stripped makes an event that does not decode: callers
 * check names with `OperatorName` first.
 * @example toAlarmResolved({ alarmId, decision: 'confirmed', by: 'op-7', at })
 */
export const toAlarmResolved = (r: Omit<AlarmResolved, 'type' | 'v' | 'id'>): AlarmResolved => ({
  ...r,
  by: stripUnsafe(r.by),
  ...(r.note === undefined ? {} : { note: stripUnsafe(r.note) }),
  type: 'alarm.resolved',
  v: 1,
  id: alarmResolutionId(r.alarmId, r.decision),
});
