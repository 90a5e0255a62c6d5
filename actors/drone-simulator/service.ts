/**
 * Wires the fleet to the bus: every message the fleet makes is published to the drone stream (the producer
 * batches and applies backpressure), and counted. Used by `main.ts` and by the swarm.
 */
import { mergeMap, Subject, type Subscription, takeUntil, tap } from 'rxjs';

import { type Bus, topic } from '../../runtime/bus/bus.ts';
import type { EventHub } from '../../runtime/events.ts';
import { DroneMessage, hasViolation } from '../protocol/drone-message.ts';
import { type Clock, droneFleet, type FleetConfig } from './behaviour.ts';
import { type ImageStore, violationImageSvg } from './violation-image.ts';

export const ACTOR = 'drone-simulator';

/** What the fleet has done so far. `alarms` counts messages whose code needs a human (alarms expected). */
export interface FleetCounts {
  sent: number;
  violations: number;
  alarms: number;
  failed: number;
  /** Images stored for alarms (only messages that need a human get one, to keep S3 writes at ~1 %). */
  images: number;
  /** Image writes that failed (the message is sent anyway: the alarm matters more than its picture). */
  imagesFailed: number;
  /** Messages made by the fleet (each took a sequence number): sent + failed, once stopped. */
  made: number;
}

/** A fleet's counts before it has made anything. */
export const noCounts = (): FleetCounts => ({
  sent: 0,
  violations: 0,
  alarms: 0,
  failed: 0,
  images: 0,
  imagesFailed: 0,
  made: 0,
});

/** The exit code of a run that dropped messages (what and why on stderr). */
export const DROPPED_EXIT = 3;

/**
 * The simulator's exit code once stopped: {@link DROPPED_EXIT} when it dropped anything, after writing what and
 * why (`write`: stderr in `main.ts`); 0 otherwise. A fleet killed on purpose never gets here (no exit code).
 * @example exitCode: () => exitCodeOf(fleet.counts, (s) => process.stderr.write(s))
 */
export const exitCodeOf = (c: Readonly<FleetCounts>, write: (line: string) => void): number => {
  const dropped = droppedReport(c);
  if (dropped === undefined) return 0;
  write(`${dropped}\n`);
  return DROPPED_EXIT;
};

/**
 * What a run dropped, for the exit code: messages the stream refused after the producer's retries (`failed`), and
 * messages made but never handed to the stream (`made - sent - failed`, e.g. a stop that could not drain). Each
 * took a sequence number, so a drop at the end of a run leaves a hole no sequence check can see: the process must
 * say so and exit non-zero. `undefined` when nothing was dropped.
 *
 * @example const dropped = droppedReport(fleet.counts); if (dropped) (process.stderr.write(dropped), (code = 3));
 */
export const droppedReport = (c: Readonly<FleetCounts>): string | undefined => {
  const unsent = Math.max(0, c.made - c.sent - c.failed);
  if (c.failed === 0 && unsent === 0) return undefined;
  const parts = [
    ...(c.failed > 0
      ? [
          `${c.failed} refused by the drone stream after the producer's retries (see the port.failed log lines)`,
        ]
      : []),
    ...(unsent > 0
      ? [`${unsent} made but never published (stopped before they could be sent)`]
      : []),
  ];
  return `${ACTOR}: dropped ${c.failed + unsent} of ${c.made} messages: ${parts.join('; ')}`;
};

/** See `startDroneFleet`'s `observer`. */
export interface FleetObserver {
  readonly tried: (id: string) => void;
  readonly sent: (id: string, needsHuman: boolean) => void;
}

export interface RunningFleet {
  readonly counts: Readonly<FleetCounts>;
  /** Ids of the messages that need a human, accepted by the stream (what the alert system must raise). */
  readonly alarmIds: ReadonlySet<string>;
  /**
   * Ids of every message that needs a human handed to the bus, accepted or not: added before the publish, since
   * its alarm may reach a subscriber before the publish call returns (what the swarm's console is scoped to).
   */
  readonly alarmIdsTried: ReadonlySet<string>;
  /** Ids of every accepted message (kept only with `trackIds`, for summaries and tests). */
  readonly sentIds: ReadonlySet<string>;
  /** Stops making messages and waits for the ones in flight. */
  readonly stop: () => Promise<void>;
}

/**
 * Starts the fleet.
 * @example const fleet = startDroneFleet({ bus, events, stream: 'prestacop-drones', fleet: cfg, clock: { now: Date.now } });
 */
export const startDroneFleet = (deps: {
  readonly bus: Bus;
  readonly events: EventHub;
  readonly stream: string;
  readonly fleet: FleetConfig;
  readonly clock: Clock;
  readonly trackIds?: boolean;
  /** Publishes waiting for the stream at once, before the fleet is held back (backpressure). */
  readonly maxPending?: number;
  /**
   * Where the camera's pictures go. Only messages whose code needs a human get one (the operator looks at it);
   * the other violations keep their image id without a stored picture, which keeps S3 writes at about 1 %.
   */
  readonly images?: ImageStore;
  /**
   * Told of each message as it goes, for a fleet flown in another thread (`scripts/swarm/fleet-thread.ts`), whose
   * owner keeps the ids: `tried` before the publish of one that needs a human, `sent` once the stream took it.
   */
  readonly observer?: FleetObserver;
}): RunningFleet => {
  const drones = topic(deps.stream, DroneMessage, (m) => m.droneId);
  const human = new Set(deps.fleet.humanCodes);
  const counts = noCounts();
  const storeImage = async (imageId: string): Promise<void> => {
    try {
      await deps.images?.put(imageId, violationImageSvg(imageId));
      counts.images++;
    } catch (e) {
      counts.imagesFailed++;
      deps.events.emit('port.failed', ACTOR, { port: 's3', retriable: false, error: String(e) });
    }
  };
  const alarmIds = new Set<string>();
  const alarmIdsTried = new Set<string>();
  const sentIds = new Set<string>();
  const pending = new Set<Promise<void>>();

  const send = async (m: DroneMessage): Promise<void> => {
    // The picture is written beside the publish, not before it: an alarm is never delayed by S3.
    const needsHuman = hasViolation(m) && human.has(m.violationCode);
    if (needsHuman) {
      alarmIdsTried.add(m.id);
      deps.observer?.tried(m.id);
    }
    const image = deps.images && needsHuman ? storeImage(m.violationImageId) : undefined;
    try {
      await deps.bus.publish(drones, [m]);
    } catch (e) {
      // The producer retried already: this message is lost to the stream, and said so.
      counts.failed++;
      deps.events.emit('port.failed', ACTOR, {
        port: 'kinesis',
        retriable: false,
        error: String(e),
      });
      await image;
      return;
    }
    await image;
    counts.sent++;
    if (deps.trackIds) sentIds.add(m.id);
    deps.observer?.sent(m.id, needsHuman);
    if (hasViolation(m)) {
      counts.violations++;
      if (human.has(m.violationCode)) {
        counts.alarms++;
        alarmIds.add(m.id);
      }
    }
  };

  // A stop ends the fleet, then lets every message already made reach the stream (or fail): none is cut off.
  const stopping = new Subject<void>();
  let drained!: () => void;
  const done = new Promise<void>((r) => (drained = r));
  const sub: Subscription = droneFleet(deps.fleet, deps.clock)
    .pipe(
      takeUntil(stopping),
      tap(() => counts.made++),
      mergeMap((m) => {
        const p = send(m).finally(() => pending.delete(p));
        pending.add(p);
        return p;
      }, deps.maxPending ?? 2_000),
    )
    .subscribe({ complete: () => drained(), error: () => drained() });
  deps.events.emit('actor.started', ACTOR, { instance: `${process.pid}` });

  return {
    counts,
    alarmIds,
    alarmIdsTried,
    sentIds,
    stop: async () => {
      stopping.next();
      await done;
      sub.unsubscribe();
      await Promise.all([...pending]);
      deps.events.emit('actor.stopped', ACTOR, { reason: 'stop requested' });
    },
  };
};
