/**
 * Wires the alert system: the drone stream (its own consumer application, so its own checkpoints and leases) →
 * the step (`behaviour.ts`, a pure transition run by the runtime's transition runner, many deliveries at once) →
 * record, publish, mark (`delivery.ts`, the delivery step's interpreter) → ack. Used by its declaration
 * (`actor.ts`), which `main.ts` launches and the swarm starts (in one process, beside the storage writer). Logs
 * each alarm plainly, counts everything, and exposes its own event stream, `alerts$`.
 */
import { hostname } from 'node:os';

import { map, type Observable, Subject } from 'rxjs';

import type { DeadLetterPort } from '../../runtime/actor.ts';
import { type Bus, topic } from '../../runtime/bus/bus.ts';
import type { ConsumerOptions } from '../../runtime/bus/kinesis.ts';
import { E } from '../../runtime/codec.ts';
import type { EventHub } from '../../runtime/events.ts';
import type { Logger } from '../../runtime/log.ts';
import type { MetricsRegistry } from '../../runtime/metrics.ts';
import type { BackoffPolicy } from '../../runtime/retry.ts';
import { runTransitions } from '../../runtime/transition.ts';
import type { AlarmRaised } from '../protocol/alarm.ts';
import type { DroneMessage } from '../protocol/drone-message.ts';
import { DroneMessageIn } from '../protocol/drone-message-in.ts';
import type { ClockWindow } from '../protocol/time.ts';
import { alertStep, initialAlert, type RaiseAlarm } from './behaviour.ts';
import { createAlarmDelivery } from './delivery.ts';
import type { AlertEvent, DeliveryCounts } from './delivery-step.ts';
import { type NeedsHumanNotes, withNeedsHumanNotes } from './needs-human.ts';
import type { AlarmPublisher, AlarmStore, Clock } from './ports.ts';

/** The consumer application: checkpoints and leases of its own, apart from the storage writer's. */
export const APPLICATION = 'alert-system';

/**
 * Consumer settings for the alert system's bus: most of each shard's read budget, since latency matters here.
 * On AWS a shard serves 5 GetRecords/s to all applications together: 4 for alarms (250 ms) and 1 for the storage
 * writer (its default 1 s). Locally the emulator does not throttle, but each poll costs CPU: about 2 ms in this
 * process and 1.3 ms in kinesalite (measured, empty shard), so 4 shards polled every 10 ms would want 1.3 cores
 * of a 2-core machine before any alarm is handled. 50 ms (idle shards at most every 100 ms) costs about a quarter
 * of a core and adds at most 50 ms to an alarm; the storage writer once a second, as on AWS (`storageConsumerOptions`).
 * Checkpoints every second locally too (the local default is 200 ms): they do not delay alarms, and DynamoDB
 * Local, which also holds the leases, the hot table and the alarm store, is the stack's narrowest part; a
 * redelivery after a crash costs one store lookup.
 * @example createKinesisBus({ clients, leaseTable, events, target, consumer: alertConsumerOptions(target) })
 */
export const alertConsumerOptions = (target: 'aws' | 'local'): ConsumerOptions =>
  target === 'local'
    ? { pollIntervalMs: 50, idlePollMaxMs: 100, checkpointIntervalMs: 1_000 }
    : { pollIntervalMs: 250, idlePollMaxMs: 250 };

/**
 * Retries of a failing topic or store: fast at first (an alarm is urgent), then every 5 s for about 5 minutes
 * before the delivery is dead-lettered. A failing store does not hold the publish back (see `delivery.ts`): these
 * retries finish recording it. Meanwhile the delivery's checkpoint waits, and the other deliveries keep flowing.
 */
export const ALARM_RETRY: BackoffPolicy = {
  initialMs: 50,
  factor: 2,
  jitter: 0.2,
  maxMs: 5_000,
  retries: 60,
};

/** What {@link startAlertSystem} needs. */
export interface AlertSystemDeps {
  /** A bus whose consumer options suit alarms: see {@link alertConsumerOptions}. */
  readonly bus: Bus;
  readonly events: EventHub;
  readonly store: AlarmStore;
  readonly publisher: AlarmPublisher;
  /** Where undecodable input and undeliverable alarms go. */
  readonly deadLetter: DeadLetterPort;
  /**
   * Where a dead letter that may need a person is noted (its bytes carried a code in `humanCodes`, or could not be
   * read within the message size limit: `needs-human.ts`), for the operator console to count. Without it they are
   * still counted (`counts`, `/metrics`) and logged at warn.
   */
  readonly needsHuman?: NeedsHumanNotes;
  /** The drone stream. */
  readonly stream: string;
  readonly humanCodes: ReadonlyArray<number>;
  /**
   * The delivery's clock (when the topic accepted a publish, for the latency), default `Date.now`. An alarm's
   * `raisedAt` is the transition runner's time.
   */
  readonly clock?: Clock;
  /** Claimant id written into the records this process creates, unique per process. Default `<host>-<pid>-<random>`. */
  readonly instance?: string;
  /**
   * Longest wait for the alarm store before publishing anyway (default 100 ms): a slow or failing store must not
   * hold alarms back. `Infinity` always records first (no uncountable duplicate even across a crash).
   */
  readonly recordWaitMs?: number;
  /** Counters and the latency histogram go here when given (the service's `/metrics`). */
  readonly metrics?: MetricsRegistry;
  /** Each alarm is logged here (info), duplicates at warn. */
  readonly log?: Logger;
  /** Where a first start reads from (default `trim_horizon`: no alarm in the retained stream is missed). */
  readonly initialPosition?: 'trim_horizon' | 'latest';
  /** Unacknowledged deliveries per shard (default 1,000). */
  readonly maxInFlightPerShard?: number;
  /** Default {@link ALARM_RETRY}. */
  readonly retry?: BackoffPolicy;
  /**
   * How far a drone's time may stray from the stream's arrival time before the alarm says its clock is off
   * (default `DEFAULT_CLOCK_WINDOW`: 24 h back, 5 min ahead). The alarm is raised either way.
   */
  readonly clockWindow?: ClockWindow;
}

/** Running totals. */
export interface AlertCounts extends DeliveryCounts {
  /** Alarm deliveries (human-required messages as delivered, redeliveries included). */
  readonly raised: number;
  /** Dead letters of this actor: undecodable input, and alarms whose delivery kept failing. */
  readonly deadLettered: number;
  /** Of those, the ones whose bytes carried a code that needs a human. */
  readonly deadLetteredNeedingHuman: number;
  /** Of those, the ones that could not be read within bounds (they may have carried one). */
  readonly deadLetteredUnreadable: number;
}

/** A running alert system. */
export interface AlertSystem {
  /** Stops reading, lets in-flight alarms finish (published and acknowledged), then unsubscribes. */
  readonly stop: () => Promise<void>;
  readonly healthy: () => boolean;
  /** Live totals (getters: read them at any time). */
  readonly counts: AlertCounts;
  /** Every alarm published, republished or skipped. */
  readonly alerts$: Observable<AlertEvent>;
}

const describeAlarm = (a: AlarmRaised): string =>
  `ALARM ${a.id}: drone ${a.droneId}, code ${a.violationCode}, ${a.borough ?? 'unknown borough'} ` +
  `(${a.location.lat}, ${a.location.lon}${a.address ? `, ${a.address}` : ''}), image ${a.violationImageId}, ` +
  `seen ${a.time}`;

const BEFORE_RECORD = 'prestacop_alarms_published_before_record_total';
const BEFORE_RECORD_HELP =
  'Publishes made before the alarm store answered (it was slower than the record wait, or failing)';

/** Logs and counts one alert event. */
const report = (e: AlertEvent, log?: Logger, metrics?: MetricsRegistry): void => {
  switch (e.type) {
    case 'alert.published': {
      const a = e.alarm;
      log?.info(
        { alarmId: a.id, snsMessageId: e.messageId, beforeRecord: e.beforeRecord },
        describeAlarm(a),
      );
      if (e.beforeRecord) metrics?.inc(BEFORE_RECORD, BEFORE_RECORD_HELP);
      metrics?.inc(
        'prestacop_alarms_published_total',
        'Alarms published (first publish of an id)',
        {
          code: String(a.violationCode),
          borough: a.borough ?? 'unknown',
        },
      );
      // From the message's arrival on the stream, never from the drone's own clock (a drone a year behind would
      // read as a year of latency).
      if (e.arrivedAt !== undefined)
        metrics?.observe(
          'prestacop_alarm_publish_latency_ms',
          'From the message arriving on the stream to the alarm accepted by the topic',
          {},
          e.at - e.arrivedAt,
        );
      break;
    }
    case 'alert.republished':
      log?.warn(
        {
          alarmId: e.alarm.id,
          snsMessageId: e.messageId,
          recordedBy: e.recordedBy,
          beforeRecord: e.beforeRecord,
          certainty: e.certainty,
        },
        `${describeAlarm(e.alarm)} -- published again, same alarm id (${
          e.certainty === 'duplicate'
            ? `a duplicate: already published, the store answered too late`
            : `a possible duplicate: recorded by ${e.recordedBy} without a confirmed publish`
        })`,
      );
      if (e.beforeRecord) metrics?.inc(BEFORE_RECORD, BEFORE_RECORD_HELP);
      metrics?.inc(
        'prestacop_alarms_republished_total',
        'Publishes of an alarm id recorded before without a confirmed publish (possible duplicates, same id)',
      );
      break;
    case 'alert.conflict':
      log?.warn(
        {
          alarmId: e.alarm.id,
          storedHash: e.storedHash,
          messageHash: e.alarm.messageHash,
          conflictAlarmId: e.conflictAlarmId,
        },
        `${describeAlarm(e.alarm)} -- ID CONFLICT: the store holds this id with other content; raised as ` +
          `${e.conflictAlarmId ?? '(no id left to raise it under)'}, the message dead-lettered with both versions`,
      );
      metrics?.inc(
        'prestacop_alarm_conflicts_total',
        'Alarms whose id the store held with other content (raised as conflict alarms, dead-lettered)',
      );
      break;
    case 'alert.redelivery_skipped':
      log?.debug({ alarmId: e.alarmId, publishedAt: e.publishedAt }, 'alarm redelivered, skipped');
      metrics?.inc(
        'prestacop_alarm_redeliveries_skipped_total',
        'Redeliveries of an alarm already published, not published again',
      );
      break;
  }
};

/**
 * Starts the alert system.
 * @example
 * const bus = createKinesisBus({ clients, leaseTable, events, target, consumer: alertConsumerOptions(target) });
 * const alerts = startAlertSystem({
 *   bus, events, stream: 'prestacop-drones', humanCodes: DEFAULT_HUMAN_CODES, deadLetter,
 *   store: createDynamoAlarmStore(clients.doc, 'prestacop-alarms'),
 *   publisher: createSnsAlarmPublisher(clients.sns, await topicArnOf(clients.sns, 'prestacop-alarms')),
 * });
 * ...
 * await alerts.stop(); await bus.close();
 */
export const startAlertSystem = (deps: AlertSystemDeps): AlertSystem => {
  const clock = deps.clock ?? { now: Date.now };
  // A multicast point outside the actor, like the runtime's EventHub (STYLE §10 allows it there).
  const alerts = new Subject<AlertEvent>();
  const reporting = alerts.subscribe((e) => report(e, deps.log, deps.metrics));
  const delivery = createAlarmDelivery({
    store: deps.store,
    publisher: deps.publisher,
    clock,
    instance:
      deps.instance ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    emit: (e) => alerts.next(e),
    ...(deps.recordWaitMs === undefined ? {} : { recordWaitMs: deps.recordWaitMs }),
  });
  let raised = 0;
  let deadLettered = 0;
  const noted = { code: 0, unreadable: 0 };
  const deadLetter = withNeedsHumanNotes(deps.deadLetter, {
    humanCodes: deps.humanCodes,
    notes: deps.needsHuman ?? { put: () => Promise.resolve() },
    now: clock.now,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.log ? { log: deps.log } : {}),
    onNoted: (verdict) => noted[verdict]++,
  });
  const deadLetters = deps.events.events$.subscribe((e) => {
    if (e.type === 'bus.dead_lettered' && e.actor === APPLICATION) deadLettered++;
  });
  /** Each command counted once, at its first attempt (the runner retries the same command). */
  const counted = new WeakSet<RaiseAlarm>();

  const actor = runTransitions({
    name: APPLICATION,
    events: deps.events,
    // The step sees each message with its arrival on the stream (for the clock check and the publish latency).
    input: () =>
      deps.bus
        .subscribe(
          topic(deps.stream, DroneMessageIn, (m) => m.droneId),
          {
            application: APPLICATION,
            initialPosition: deps.initialPosition ?? 'trim_horizon',
            maxInFlightPerShard: deps.maxInFlightPerShard ?? 1_000,
          },
        )
        .pipe(
          map((d) => ({
            ...d,
            payload: E.map((message: DroneMessage) => ({ message, arrivedAt: d.arrivedAt }))(
              d.payload,
            ),
          })),
        ),
    initial: initialAlert,
    step: alertStep({
      humanCodes: deps.humanCodes,
      ...(deps.clockWindow ? { clockWindow: deps.clockWindow } : {}),
    }),
    // It has nothing to do on a tick.
    tickMs: 60_000,
    effect: (c: RaiseAlarm) => {
      if (!counted.has(c)) {
        counted.add(c);
        raised++;
      }
      return delivery.deliver(c.alarm, c.arrivedAt);
    },
    encodeCommand: (c) => Buffer.from(JSON.stringify(c)),
    deadLetter,
    // Ordinary messages (about 99 %) finish at once; many in flight keeps a slow alarm from holding them up.
    concurrency: 1_000,
    retry: deps.retry ?? ALARM_RETRY,
  });

  const dc = delivery.counts;
  return {
    stop: async () => {
      await actor.stop();
      deadLetters.unsubscribe();
      reporting.unsubscribe();
      alerts.complete();
    },
    healthy: actor.healthy,
    counts: {
      get raised() {
        return raised;
      },
      get published() {
        return dc.published;
      },
      get republished() {
        return dc.republished;
      },
      get redeliveriesSkipped() {
        return dc.redeliveriesSkipped;
      },
      get publishedBeforeRecord() {
        return dc.publishedBeforeRecord;
      },
      get conflicts() {
        return dc.conflicts;
      },
      get deadLettered() {
        return deadLettered;
      },
      get deadLetteredNeedingHuman() {
        return noted.code;
      },
      get deadLetteredUnreadable() {
        return noted.unreadable;
      },
    },
    alerts$: alerts.asObservable(),
  };
};
