/**
 * The fleet: N drones, each sending a message every `intervalMs` with its stable id and its own sequence number.
 * One shared timer drives the whole fleet (thousands of drones per process): the interval is cut into phases
 * and each tick speaks for the drones of one phase, so messages spread evenly instead of bursting once a second.
 *
 * A message carries a violation with probability `violationRate`; within that, with probability `alarmRate`
 * overall, the code is one that needs a human. Codes follow the real NYPD distribution within each group.
 * Seeded: the same seed gives the same messages, whatever the timing.
 */
import { defer, map, mergeMap, type Observable, range, timer } from 'rxjs';

import { type Random, weighted } from '../../runtime/random.ts';
import { type DroneMessage, droneMessageId } from '../protocol/drone-message.ts';
import { type DroneId, droneIdOf } from '../protocol/primitives.ts';
import { utcTimeOf } from '../protocol/time.ts';
import { advance, type Flight, startFlight } from './flight.ts';

/** What the fleet behaviour needs to know; validated by the service's config codec. */
export interface FleetConfig {
  readonly drones: number;
  /** Each drone speaks every `intervalMs`. */
  readonly intervalMs: number;
  /** Share of all messages whose code needs a human (the alarms). */
  readonly alarmRate: number;
  /** Share of all messages that carry any violation; at least `alarmRate`. */
  readonly violationRate: number;
  readonly humanCodes: ReadonlyArray<number>;
  /** Real-world frequency of each code (any scale). */
  readonly codeWeights: ReadonlyArray<{ readonly code: number; readonly weight: number }>;
  readonly seed: number;
  /** Flying speed in metres per second. */
  readonly speedMps: number;
  /** First drone number (so several processes can run disjoint parts of one fleet). */
  readonly firstDrone?: number;
  /**
   * Each drone's first sequence number. A real drone never reuses one; the service starts at the number of
   * intervals since the epoch, so a second run never repeats the ids of the first. Default 0.
   */
  readonly firstSeq?: number;
}

/** The clock port: behaviours never read `Date.now()` (STYLE §2). */
export interface Clock {
  readonly now: () => number;
}

interface Drone {
  readonly id: DroneId;
  readonly flight: Flight;
  seq: number;
}

/** Draws codes: human-required ones for alarms, the others for ordinary violations. */
const codeSamplers = (cfg: FleetConfig) => {
  const human = new Set(cfg.humanCodes);
  const pick = (wantHuman: boolean) => {
    const items = cfg.codeWeights
      .filter((w) => human.has(w.code) === wantHuman)
      .map((w) => ({ value: w.code, weight: w.weight }));
    // A human code with no recorded frequency still gets drawn: alarms must be possible for every human code.
    const known = new Set(items.map((i) => i.value));
    if (wantHuman) for (const c of human) if (!known.has(c)) items.push({ value: c, weight: 1 });
    return items.length > 0 ? weighted(items) : undefined;
  };
  return { human: pick(true), other: pick(false) };
};

/** The message drone `d` sends now. Advances its flight and its sequence number. */
const speak = (
  d: Drone,
  cfg: FleetConfig,
  draw: ReturnType<typeof codeSamplers>,
  now: number,
): DroneMessage => {
  advance(d.flight, (cfg.speedMps * cfg.intervalMs) / 1_000);
  const seq = d.seq++;
  const r: Random = d.flight.random;
  const x = r.next();
  const code =
    x < cfg.alarmRate && draw.human
      ? draw.human(r)
      : x < cfg.violationRate && draw.other
        ? draw.other(r)
        : undefined;
  return {
    type: 'drone.message',
    v: 1,
    id: droneMessageId(d.id, seq),
    droneId: d.id,
    seq,
    time: utcTimeOf(now),
    // Six decimals is ~10 cm: what a GPS gives, and it keeps messages short.
    location: {
      lat: Math.round(d.flight.lat * 1e6) / 1e6,
      lon: Math.round(d.flight.lon * 1e6) / 1e6,
    },
    ...(code === undefined ? {} : { violationCode: code, violationImageId: `img-${d.id}-${seq}` }),
  };
};

/**
 * The fleet as an Observable: subscribe to start it, unsubscribe (or `takeUntil`) to stop.
 * @example droneFleet(cfg, { now: Date.now }).pipe(take(100)).subscribe(send);
 */
export const droneFleet = (cfg: FleetConfig, clock: Clock): Observable<DroneMessage> =>
  defer(() => {
    const first = cfg.firstDrone ?? 1;
    const drones: Drone[] = Array.from({ length: cfg.drones }, (_, i) => ({
      id: droneIdOf(first + i),
      flight: startFlight(first + i, cfg.seed),
      seq: cfg.firstSeq ?? 0,
    }));
    const draw = codeSamplers(cfg);
    const phases = Math.max(1, Math.min(cfg.drones, Math.floor(cfg.intervalMs / 10), 100));
    const perPhase = Math.ceil(cfg.drones / phases);
    const phaseMs = cfg.intervalMs / phases;
    // The rate follows the clock, not the count of timer ticks: a tick that fires late (timers drift by a
    // millisecond or more each, and a busy event loop delays them further) speaks for every phase due since the
    // last one, so N drones send N messages per interval (at 1,000 drones, counting ticks gave ~630 msg/s). After a
    // longer stall (a suspended process) at most one interval is made up: each drone speaks once, not once per
    // interval missed.
    const started = clock.now();
    let spoken = 0; // phases spoken for since the start
    return timer(0, phaseMs).pipe(
      mergeMap(() => {
        const due = Math.floor((clock.now() - started) / phaseMs) + 1;
        const from = Math.max(spoken, due - phases);
        spoken = Math.max(spoken, due);
        return range(from, spoken - from);
      }),
      mergeMap((tick) => {
        const phase = tick % phases;
        const start = phase * perPhase;
        return range(start, Math.max(0, Math.min(perPhase, cfg.drones - start))).pipe(
          map((i) => speak(drones[i]!, cfg, draw, clock.now())),
        );
      }),
    );
  });
