/**
 * What the console knows: one view per alarm id, whatever the number of deliveries (the alarm store at start,
 * then SNS through the queue, at least once and possibly twice). Pure bookkeeping, no I/O: `service.ts` feeds it
 * and pushes the views it returns to the browsers.
 *
 * Status: `open` (nobody acknowledged it) → `acknowledged` → `confirmed` | `dismissed`. An escalation is a mark on
 * the view (it stays open until someone acknowledges it), counted apart from the alarms.
 */
import type {
  AlarmDecision,
  AlarmEscalated,
  AlarmRaised,
  AlarmResolved,
} from '../protocol/alarm.ts';
import { epochMsOf } from '../protocol/time.ts';
import type { NeedsHumanSummary } from './ports.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

export type AlarmStatus = 'open' | 'acknowledged' | 'confirmed' | 'dismissed';

/** Who decided, and when (ISO UTC). */
export interface DecisionMark {
  readonly by: string;
  readonly at: string;
}

/** One alarm as the console shows it (JSON: the SSE stream and `GET /api/alarms` send it as is). */
export interface AlarmView {
  readonly id: string;
  readonly droneId: string;
  readonly violationCode: number;
  /** The code's definition from the violation-code table, if it lists the code. */
  readonly description?: string;
  readonly violationImageId: string;
  readonly location: { readonly lat: number; readonly lon: number };
  readonly borough?: string;
  readonly address?: string;
  /**
   * When the drone saw it, and when the alert system raised it (ISO UTC). Lists order by `raisedAt`: the drone's
   * time is whatever its clock said (years 0000-9999 decode).
   */
  readonly time: string;
  readonly raisedAt: string;
  /** Set when the drone's time was far from the message's arrival on the stream: how far (ms, negative: behind). */
  readonly clockOffMs?: number;
  readonly status: AlarmStatus;
  readonly acknowledged?: DecisionMark;
  readonly resolved?: DecisionMark & { readonly decision: 'confirmed' | 'dismissed' };
  readonly escalated?: { readonly at: string; readonly level: number; readonly afterMs: number };
  /** Copies of this alarm received from the queue (0 when only the store had it; 2+ = duplicate deliveries). */
  readonly deliveries: number;
  /**
   * Set on a conflict alarm: the id of the message whose id an earlier message with other content holds (that one
   * is shown as its own alarm). The description then starts with "ID CONFLICT".
   */
  readonly conflictOf?: string;
}

/** The console's totals (`GET /api/alarms`). */
export interface ConsoleCounts {
  /** Distinct alarm ids shown. */
  readonly alarms: number;
  /** Not yet confirmed or dismissed. */
  readonly open: number;
  /** Of those, not yet acknowledged. */
  readonly unacknowledged: number;
  readonly acknowledged: number;
  readonly confirmed: number;
  readonly dismissed: number;
  /** Alarms escalated (distinct), counted apart from the alarms themselves. */
  readonly escalated: number;
  /** Alarms read from the store at start. */
  readonly loaded: number;
  /** `alarm.raised` envelopes received from the queue, duplicates included. */
  readonly received: number;
  /** Of those, copies of an alarm id already shown (from the store or an earlier copy). */
  readonly duplicates: number;
  /** `alarm.escalated` envelopes received, and those for an escalation already known. */
  readonly escalationsReceived: number;
  readonly escalationDuplicates: number;
  /** Queue bodies that were not an alarm event (dropped after counting and logging). */
  readonly undecodable: number;
  /**
   * Dead letters the alert system noted as possibly needing a person, and where they are (added by the service
   * from its `NeedsHumanSource`; absent until read, or without one).
   */
  readonly needsHuman?: NeedsHumanSummary;
  /**
   * Drones the watchdog reports silent (`drone.silent` not yet cleared by `drone.back`), oldest silence first: shown
   * apart from the alarms (added by the service; absent when none).
   */
  readonly silentDrones?: ReadonlyArray<SilentDroneView>;
}

/** A silent drone as the page shows it. */
export interface SilentDroneView {
  readonly id: string;
  readonly droneId: string;
  readonly lastSeenAt: string;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

/** The view's mutable working copy. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What a conflict alarm says first: the page shows the description on the card. */
const conflictNote = (a: AlarmRaised): string =>
  `ID CONFLICT: another message with other content already holds id ${a.messageId} (shown apart); this one may ` +
  `be a reused or forged id.`;

/** A fresh view of a raised alarm. */
const viewOf = (a: AlarmRaised, description: string | undefined): Mutable<AlarmView> => ({
  id: a.id,
  droneId: a.droneId,
  violationCode: a.violationCode,
  ...(a.conflict
    ? { description: `${conflictNote(a)}${description === undefined ? '' : ` ${description}`}` }
    : description === undefined
      ? {}
      : { description }),
  ...(a.conflict ? { conflictOf: a.messageId } : {}),
  violationImageId: a.violationImageId,
  location: { lat: a.location.lat, lon: a.location.lon },
  ...(a.borough === undefined ? {} : { borough: a.borough }),
  ...(a.address === undefined ? {} : { address: a.address }),
  time: a.time,
  raisedAt: a.raisedAt,
  ...(a.clockOffMs === undefined ? {} : { clockOffMs: a.clockOffMs }),
  status: 'open',
  deliveries: 0,
});

/** Whether an operator still has to act on it: open or acknowledged (escalated ones included). */
export const isUndecided = (v: AlarmView): boolean =>
  v.status === 'open' || v.status === 'acknowledged';

/** Undecided first, then newest raised first, then by id: the order of {@link ConsoleState.list}. */
const byUrgency = (a: AlarmView, b: AlarmView): number => {
  const u = Number(isUndecided(b)) - Number(isUndecided(a));
  if (u !== 0) return u;
  const ra = epochMsOf(a.raisedAt);
  const rb = epochMsOf(b.raisedAt);
  if (ra !== rb) return rb - ra;
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1;
};

/** The console state. */
export interface ConsoleState {
  /** Adds an alarm; `isNew` is false for a copy of one already shown (then only its delivery count changes). */
  readonly raised: (
    a: AlarmRaised,
    via: 'store' | 'queue',
  ) => { readonly view: AlarmView; readonly isNew: boolean };
  /** Applies a decision; undefined when it changed nothing or the alarm is not shown (kept for when it is). */
  readonly resolved: (r: AlarmResolved) => AlarmView | undefined;
  /** Applies an escalation (from the store, this process or the queue); undefined when it changed nothing. */
  readonly escalated: (e: AlarmEscalated, via: 'store' | 'self' | 'queue') => AlarmView | undefined;
  readonly undecodable: () => void;
  readonly get: (id: string) => AlarmView | undefined;
  /**
   * Undecided alarms (open, acknowledged, escalated) first, then decided ones; each part newest raised first (then
   * by id). Never by drone time: a drone whose clock is a year behind must not sink its open alarm.
   */
  readonly list: () => ReadonlyArray<AlarmView>;
  readonly counts: () => ConsoleCounts;
}

/**
 * Creates an empty state.
 * @example const state = createConsoleState((code) => table.get(code)?.definition);
 */
export const createConsoleState = (
  describe: (code: number) => string | undefined,
): ConsoleState => {
  const views = new Map<string, Mutable<AlarmView>>();
  // Events of alarms not shown yet (older than the history loaded, or arriving before their alarm).
  const pendingResolutions = new Map<string, AlarmResolved[]>();
  const pendingEscalations = new Map<string, AlarmEscalated>();
  const escalationIds = new Set<string>();
  // What came in, as ConsoleCounts names it (the alarms' statuses are counted from the views).
  const tally = {
    loaded: 0,
    received: 0,
    duplicates: 0,
    escalationsReceived: 0,
    escalationDuplicates: 0,
    undecodable: 0,
  };

  // The shown alarms by status, and how many are escalated, kept as they change: every change is broadcast with the
  // counts, and counting the views each time made a broadcast cost as much as the history held.
  const byStatus: Record<AlarmStatus, number> = {
    open: 0,
    acknowledged: 0,
    confirmed: 0,
    dismissed: 0,
  };
  let escalatedViews = 0;
  const setStatus = (v: Mutable<AlarmView>, status: AlarmStatus) => {
    byStatus[v.status]--;
    byStatus[status]++;
    v.status = status;
  };

  const applyResolution = (v: Mutable<AlarmView>, r: AlarmResolved): boolean => {
    const mark = { by: r.by, at: r.at };
    if (r.decision === 'acknowledged') {
      if (v.acknowledged) return false;
      v.acknowledged = mark;
      if (v.status === 'open') setStatus(v, 'acknowledged');
      return true;
    }
    if (v.resolved) return false;
    v.resolved = { ...mark, decision: r.decision };
    setStatus(v, r.decision);
    return true;
  };

  const applyEscalation = (v: Mutable<AlarmView>, e: AlarmEscalated): boolean => {
    if (v.escalated && v.escalated.level >= e.level) return false;
    if (!v.escalated) escalatedViews++;
    v.escalated = { at: e.escalatedAt, level: e.level, afterMs: e.afterMs };
    return true;
  };

  const state: ConsoleState = {
    raised: (a, via) => {
      if (via === 'queue') tally.received++;
      const known = views.get(a.id);
      if (known) {
        if (via === 'queue') {
          known.deliveries++;
          tally.duplicates++;
        }
        return { view: known, isNew: false };
      }
      const v = viewOf(a, describe(a.violationCode));
      if (via === 'queue') v.deliveries = 1;
      else tally.loaded++;
      views.set(a.id, v);
      byStatus[v.status]++;
      if (v.escalated) escalatedViews++;
      for (const r of pendingResolutions.get(a.id) ?? []) applyResolution(v, r);
      pendingResolutions.delete(a.id);
      const e = pendingEscalations.get(a.id);
      if (e) applyEscalation(v, e);
      pendingEscalations.delete(a.id);
      return { view: v, isNew: true };
    },
    resolved: (r) => {
      const v = views.get(r.alarmId);
      if (!v) {
        const list = pendingResolutions.get(r.alarmId) ?? [];
        if (!list.some((x) => x.id === r.id)) list.push(r);
        pendingResolutions.set(r.alarmId, list);
        return undefined;
      }
      return applyResolution(v, r) ? v : undefined;
    },
    escalated: (e, via) => {
      // Only queue copies count as deliveries: the echo of this console's own escalation is its first copy.
      if (via === 'queue') {
        tally.escalationsReceived++;
        if (escalationIds.has(e.id)) tally.escalationDuplicates++;
        escalationIds.add(e.id);
      }
      const v = views.get(e.alarmId);
      if (!v) {
        const known = pendingEscalations.get(e.alarmId);
        if (!known || known.level < e.level) pendingEscalations.set(e.alarmId, e);
        return undefined;
      }
      return applyEscalation(v, e) ? v : undefined;
    },
    undecodable: () => {
      tally.undecodable++;
    },
    get: (id) => views.get(id),
    list: () => [...views.values()].sort(byUrgency),
    counts: () => ({
      alarms: views.size,
      open: byStatus.open + byStatus.acknowledged,
      unacknowledged: byStatus.open,
      acknowledged: byStatus.acknowledged,
      confirmed: byStatus.confirmed,
      dismissed: byStatus.dismissed,
      escalated: escalatedViews,
      ...tally,
    }),
  };
  return state;
};

/** The decision a button asks for, by its path segment (`POST /api/alarms/:id/:action`). */
export const ACTIONS: Readonly<Record<string, AlarmDecision>> = {
  acknowledge: 'acknowledged',
  confirm: 'confirmed',
  dismiss: 'dismissed',
};
