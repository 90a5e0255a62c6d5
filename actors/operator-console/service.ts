/**
 * Wires the operator console: at start, the alarms of the last `historyMs` from the alarm store and every
 * recorded decision and escalation; then the live feed (its own queue on the alarm topic). Each alarm id is
 * shown once (`model.ts` counts the duplicate deliveries). Decisions from the page are recorded first, shown
 * after. Alarms left unacknowledged `escalateAfterMs` after their raise are escalated once (conditional write),
 * re-published on the topic and marked; a restart re-computes the timers from `raisedAt` and republishes an
 * escalation recorded but never confirmed published.
 */
import { mergeMap, type SchedulerLike, Subject, type Subscription } from 'rxjs';

import { isRetriablePortFailure } from '../../runtime/errors.ts';
import type { Logger } from '../../runtime/log.ts';
import type { MetricsRegistry } from '../../runtime/metrics.ts';
import { type BackoffPolicy, withRetry } from '../../runtime/retry.ts';
import {
  type AlarmDecision,
  type AlarmEscalated,
  type AlarmRaised,
  type AlarmResolved,
  toAlarmEscalated,
  toAlarmResolved,
} from '../protocol/alarm.ts';
import type { MessageId } from '../protocol/primitives.ts';
import { epochMsOf, utcTimeOf } from '../protocol/time.ts';
import { type EscalationInput, escalations } from './escalation.ts';
import {
  ACTIONS,
  type AlarmView,
  type ConsoleCounts,
  createConsoleState,
  type SilentDroneView,
} from './model.ts';
import { watchNeedsHuman } from './needs-human-watch.ts';
import type {
  AlarmFeed,
  AlarmSource,
  Clock,
  DeadLetters,
  DecisionStore,
  EscalationPublisher,
  FeedItem,
  ImageSource,
  NeedsHumanSource,
} from './ports.ts';
import {
  type ConsoleServer,
  type ConsoleServerOptions,
  type Reply,
  startConsoleServer,
} from './server.ts';

/** The server's access and capacity options, passed through as given. */
export type ConsoleAccess = Pick<
  ConsoleServerOptions,
  'token' | 'operators' | 'publicOrigin' | 'sessionTtlMs' | 'maxStreams' | 'retryAfterSeconds'
>;

/** Retries of an operator's decision: under a second in all, since someone is waiting for the answer. */
const DECISION_RETRY: BackoffPolicy = {
  initialMs: 50,
  factor: 2,
  jitter: 0.2,
  maxMs: 400,
  retries: 4,
};
export const ACTOR = 'operator-console';

/** Escalations recorded at once. */
const ESCALATION_CONCURRENCY = 8;

/** What {@link startOperatorConsole} needs. */
export interface OperatorConsoleDeps {
  readonly alarms: AlarmSource;
  readonly store: DecisionStore;
  readonly feed: AlarmFeed;
  readonly publisher: EscalationPublisher;
  readonly images: ImageSource;
  /** Undecodable queue bodies are written here (after being counted and logged), when given. */
  readonly deadLetters?: DeadLetters;
  /** The alert system's notes on dead letters that may need a person: counted and shown, when given. */
  readonly needsHuman?: NeedsHumanSource;
  /** How often those notes are counted again (default 30 s). */
  readonly needsHumanPollMs?: number;
  /** The violation code's definition (the page shows it beside the code). */
  readonly describe: (code: number) => string | undefined;
  /** Time without an acknowledgement after which an alarm is escalated. */
  readonly escalateAfterMs: number;
  /** How far back the alarm store is read at start (default 24 h). */
  readonly historyMs?: number;
  readonly host: string;
  readonly port: number;
  /** What the server needs to decide who may act, and as whom (see `server.ts`). */
  readonly access?: ConsoleAccess;
  readonly clock?: Clock;
  /**
   * Where the escalation timers run (default rxjs's async scheduler). A test passes a `VirtualTimeScheduler` and
   * flushes it, so "not escalated" is decided without waiting on the wall clock.
   */
  readonly scheduler?: SchedulerLike;
  readonly log?: Logger;
  readonly metrics?: MetricsRegistry;
  /** Pause between retries of a failing store or topic while escalating (default 2 s). */
  readonly retryMs?: number;
}

/** A running console. */
export interface OperatorConsole {
  /** The address to open (loopback: as is; with a token: add `?token=`). */
  readonly url: string;
  readonly port: number;
  readonly counts: () => ConsoleCounts;
  readonly alarms: () => ReadonlyArray<AlarmView>;
  readonly healthy: () => boolean;
  readonly stop: () => Promise<void>;
}

/**
 * Starts the console: loads, then serves. Rejects if the store cannot be read or the server cannot listen.
 * @example
 * const console = await startOperatorConsole({ alarms, store, feed, publisher, images, describe,
 *   escalateAfterMs: 60_000, host: '127.0.0.1', port: 0 });
 * say(`operator console: ${console.url}`);
 */
export const startOperatorConsole = async (deps: OperatorConsoleDeps): Promise<OperatorConsole> => {
  const clock = deps.clock ?? { now: Date.now };
  const log = deps.log;
  const retryMs = deps.retryMs ?? 2_000;
  const state = createConsoleState(deps.describe);
  const raisedById = new Map<string, AlarmRaised>();
  const listeners = new Set<(c: { alarm?: unknown; counts: ConsoleCounts }) => void>();
  const inputs = new Subject<EscalationInput>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const count = (name: string, help: string, labels: Record<string, string> = {}) =>
    deps.metrics?.inc(`prestacop_console_${name}_total`, help, labels);
  const notes =
    deps.needsHuman &&
    watchNeedsHuman(deps.needsHuman, {
      intervalMs: deps.needsHumanPollMs ?? 30_000,
      onChange: () => broadcast(),
      ...(log ? { log } : {}),
    });
  // Silent drones by drone id: a drone.back clears only the silence it names (an older one arriving late does not).
  const silentDrones = new Map<string, SilentDroneView>();
  // Sorted once per change, not once per broadcast (every alarm broadcasts the counts).
  let silentSorted: SilentDroneView[] | undefined;
  const counts = (): ConsoleCounts => {
    const needsHuman = notes?.current();
    const silent = (silentSorted ??= [...silentDrones.values()].sort((a, b) =>
      a.lastSeenAt.localeCompare(b.lastSeenAt),
    ));
    return {
      ...state.counts(),
      ...(needsHuman ? { needsHuman } : {}),
      ...(silent.length > 0 ? { silentDrones: silent } : {}),
    };
  };
  const broadcast = (alarm?: AlarmView) => {
    const change = { ...(alarm ? { alarm } : {}), counts: counts() };
    for (const l of listeners) l(change);
  };
  // Drone events come by the thousand when a whole fleet seems to fall silent at once (an overloaded stream): the
  // counts they change go to the pages at most every 100 ms, not once per event (each a sort of the silent drones
  // and a message to every open page, on the thread the alert path shares in the swarm). Alarms still go at once.
  let countsTimer: NodeJS.Timeout | undefined;
  const countsSoon = () => {
    if (stopped || countsTimer) return;
    countsTimer = setTimeout(() => {
      countsTimer = undefined;
      if (!stopped) broadcast();
    }, 100);
  };
  const later = (f: () => void) => {
    if (stopped) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) f();
    }, retryMs);
    timers.add(t);
  };

  // ---- escalation ------------------------------------------------------------------------------------------
  const publishEscalation = (e: AlarmEscalated, alarm: AlarmRaised, attempt = 1): void => {
    deps.publisher
      .publish(e, alarm)
      .then(() => deps.store.markEscalationPublished(e.id, clock.now()))
      .then(() => count('escalations_published', 'Escalations published on the alarm topic'))
      .catch((err: unknown) => {
        log?.warn({ err, escalationId: e.id, attempt }, 'escalation publish failed, retrying');
        if (attempt < 30) later(() => publishEscalation(e, alarm, attempt + 1));
        else
          log?.error({ escalationId: e.id }, 'escalation not published: left for the next start');
      });
  };
  // A decision recorded goes on the topic too (the other consoles, the archive). The store holds it either way:
  // a decision never published (the console stopped, 30 failures) is in the table the analysis reads as well.
  const publishDecision = (r: AlarmResolved, attempt = 1): void => {
    const alarm = raisedById.get(r.alarmId);
    if (!alarm) return;
    deps.publisher
      .publishDecision(r, alarm)
      .then(() => count('decisions_published', 'Decisions published on the alarm topic'))
      .catch((err: unknown) => {
        log?.warn({ err, decisionId: r.id, attempt }, 'decision publish failed, retrying');
        if (attempt < 30) later(() => publishDecision(r, attempt + 1));
        else log?.error({ decisionId: r.id }, 'decision not published: it is in the store only');
      });
  };
  const escalate = (alarmId: string, afterMs: number, attempt = 1): Promise<void> => {
    const alarm = raisedById.get(alarmId);
    const view = state.get(alarmId);
    if (!alarm || !view || view.status !== 'open' || view.escalated) return Promise.resolve();
    const e = toAlarmEscalated({
      alarmId: alarmId as MessageId,
      level: 1,
      reason: 'unacknowledged',
      afterMs: Math.round(afterMs),
      escalatedAt: utcTimeOf(clock.now()),
    });
    return deps.store.escalate(e).then(
      (outcome) => {
        if (outcome !== 'escalated') {
          log?.debug({ alarmId, outcome }, 'escalation not needed');
          return;
        }
        log?.warn({ alarmId, afterMs: e.afterMs }, `ALARM ${alarmId} escalated: unacknowledged`);
        count('escalations', 'Alarms escalated by this console (unacknowledged in time)');
        const changed = state.escalated(e, 'self');
        if (changed) broadcast(changed);
        publishEscalation(e, alarm);
      },
      (err: unknown) => {
        log?.warn({ err, alarmId, attempt }, 'escalation could not be recorded, retrying');
        later(() => void escalate(alarmId, afterMs, attempt + 1));
      },
    );
  };
  // A few at a time: a start after a long pause may find hundreds overdue, and the store is shared.
  const escalating: Subscription = inputs
    .pipe(
      escalations({
        afterMs: deps.escalateAfterMs,
        clock,
        ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
      }),
      mergeMap((due) => escalate(due.alarmId, due.afterMs), ESCALATION_CONCURRENCY),
    )
    .subscribe();

  const shown = (a: AlarmRaised, view: AlarmView) => {
    raisedById.set(a.id, a);
    if (view.status === 'open' && !view.escalated)
      inputs.next({ type: 'shown', alarmId: a.id, raisedAtMs: epochMsOf(a.raisedAt) });
  };

  // ---- start: history, then the feed ------------------------------------------------------------------------
  const [loaded, recorded] = await Promise.all([
    deps.alarms.load(clock.now() - (deps.historyMs ?? 86_400_000)),
    deps.store.load(),
  ]);
  for (const r of recorded.resolutions) state.resolved(r);
  for (const e of recorded.escalations) state.escalated(e.event, 'store');
  for (const a of loaded) raisedById.set(a.id, a);
  for (const a of loaded) {
    const { view } = state.raised(a, 'store');
    shown(a, view);
  }
  // Escalations recorded but never confirmed published (a crash between the two): publish them now, same id.
  for (const e of recorded.escalations) {
    const alarm = raisedById.get(e.event.alarmId);
    if (e.publishedAt === undefined && alarm) publishEscalation(e.event, alarm);
  }
  log?.info(
    {
      alarms: loaded.length,
      resolutions: recorded.resolutions.length,
      escalations: recorded.escalations.length,
    },
    'operator console loaded the alarm store',
  );

  const onItem = (item: FeedItem) => {
    if (item._tag === 'undecodable') {
      state.undecodable();
      count('undecodable', 'Queue bodies that were not an alarm event');
      log?.warn(
        { reason: item.reason, body: item.body.slice(0, 500) },
        'undecodable queue message: counted, dead-lettered, not shown',
      );
      deps.deadLetters?.put(item.body, [item.reason]).then(
        () => count('dead_lettered', 'Undecodable queue bodies written to the dead letters'),
        (err: unknown) =>
          log?.error({ err }, 'dead letter not written (the body is in the log above)'),
      );
      broadcast();
      return;
    }
    if (item._tag === 'drone') {
      const d = item.event;
      count('drone_events', 'drone.silent and drone.back received from the queue', {
        type: d.type,
      });
      if (d.type === 'drone.silent')
        silentDrones.set(d.droneId, { id: d.id, droneId: d.droneId, lastSeenAt: d.lastSeenAt });
      else if (silentDrones.get(d.droneId)?.id === d.silentId) silentDrones.delete(d.droneId);
      else return;
      silentSorted = undefined;
      countsSoon();
      return;
    }
    const e = item.event;
    switch (e.type) {
      case 'alarm.raised': {
        const { view, isNew } = state.raised(e, 'queue');
        count('alarms_received', 'alarm.raised deliveries from the queue, duplicates included');
        if (isNew) {
          shown(e, view);
          log?.info({ alarmId: e.id }, 'alarm shown');
          broadcast(view);
        } else {
          count('duplicates', 'Deliveries of an alarm id already shown');
          log?.debug(
            { alarmId: e.id, deliveries: view.deliveries },
            'duplicate delivery, shown once',
          );
          broadcast(view);
        }
        return;
      }
      case 'alarm.escalated': {
        const changed = state.escalated(e, 'queue');
        if (changed) {
          inputs.next({ type: 'settled', alarmId: e.alarmId });
          broadcast(changed);
        } else broadcast();
        return;
      }
      case 'alarm.resolved': {
        const changed = state.resolved(e);
        if (changed) {
          inputs.next({ type: 'settled', alarmId: e.alarmId });
          broadcast(changed);
        }
        return;
      }
    }
  };
  const feed = deps.feed.start(onItem);

  // ---- decisions -------------------------------------------------------------------------------------------
  const act = async (alarmId: string, action: string, operator: string): Promise<Reply> => {
    const decision: AlarmDecision | undefined = ACTIONS[action];
    if (decision === undefined) return { status: 404, body: { error: `unknown action ${action}` } };
    const view = state.get(alarmId);
    if (!view) return { status: 404, body: { error: 'no such alarm' } };
    if (decision !== 'acknowledged' && view.status === 'open')
      return { status: 409, body: { reason: 'not-acknowledged', alarm: view } };
    if (decision !== 'acknowledged' && view.resolved)
      return { status: 409, body: { reason: 'already-resolved', alarm: view } };
    if (decision === 'acknowledged' && view.acknowledged)
      return { status: 409, body: { reason: 'duplicate', alarm: view } };
    const r = toAlarmResolved({
      alarmId: alarmId as MessageId,
      decision,
      by: operator,
      at: utcTimeOf(clock.now()),
    });
    let outcome;
    try {
      // A retriable failure is retried at once, briefly, while the operator waits: DynamoDB refuses a write to an
      // item a transaction is checking (TransactionConflictException), which is what an escalation of this very
      // alarm does at the moment it is acknowledged.
      outcome = await withRetry(() => deps.store.decide(r), {
        policy: DECISION_RETRY,
        isRetriable: isRetriablePortFailure,
      });
    } catch (err) {
      log?.error({ err, alarmId, decision }, 'decision not recorded: the store failed');
      return { status: 503, body: { error: 'the decision store failed: try again' } };
    }
    if (outcome._tag === 'rejected')
      return { status: 409, body: { reason: outcome.reason, alarm: view } };
    log?.info({ alarmId, decision, by: operator }, `alarm ${alarmId} ${decision} by ${operator}`);
    count('decisions', 'Operator decisions recorded', { decision });
    publishDecision(r);
    const changed = state.resolved(r);
    if (decision === 'acknowledged') inputs.next({ type: 'settled', alarmId });
    if (changed) broadcast(changed);
    return { status: 200, body: { alarm: state.get(alarmId) } };
  };

  let server: ConsoleServer;
  try {
    server = await startConsoleServer(
      {
        snapshot: () => ({ alarms: state.list(), counts: counts() }),
        listen: (l) => {
          listeners.add(l);
          return () => listeners.delete(l);
        },
        act,
        image: (id) => deps.images.get(id),
        healthy: () => !stopped,
        onBadRequest: (what) => {
          count('bad_requests', 'HTTP requests refused or failed', {
            status: what.split(' ')[0] ?? '',
          });
          log?.debug({ what }, 'bad request');
        },
      },
      { host: deps.host, port: deps.port, ...deps.access },
    );
  } catch (e) {
    escalating.unsubscribe();
    await feed.stop();
    throw e;
  }

  return {
    url: server.url,
    port: server.port,
    counts,
    alarms: state.list,
    healthy: () => !stopped,
    stop: async () => {
      stopped = true;
      notes?.stop();
      for (const t of timers) clearTimeout(t);
      clearTimeout(countsTimer);
      escalating.unsubscribe();
      inputs.complete();
      await Promise.all([feed.stop(), server.close()]);
    },
  };
};
