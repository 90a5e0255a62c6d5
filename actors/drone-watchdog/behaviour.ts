/**
 * What the drone watchdog does, as a pure transition (runtime/transition.ts): it remembers when it last heard each
 * drone; on a tick, a drone silent for `silentAfterMs` or more is reported once (`drone.silent`); its next message
 * clears it (`drone.back`). Time is the runner's (the `at` of each input), never the drone's clock: a drone whose
 * clock is off is still heard. At most `maxDrones` are tracked (hostile input could name millions): a message of
 * one more is reported as `untracked`, counted by the runner, never silently dropped.
 */
import type { Input, Transition } from '../../runtime/transition.ts';
import type { DroneMessage } from '../protocol/drone-message.ts';
import {
  type DroneSilent,
  type DroneWatchEvent,
  toDroneBack,
  toDroneSilent,
} from '../protocol/drone-watch.ts';
import type { DroneId } from '../protocol/primitives.ts';
import { utcTimeOf } from '../protocol/time.ts';
import { type DroneTable, emptyTable, entries, lookup, set, setAll } from './drone-table.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

export interface WatchConfig {
  /** Silence after which a drone is reported. */
  readonly silentAfterMs: number;
  /** Drones tracked at most. */
  readonly maxDrones: number;
}

/** What the watchdog knows of one drone: when it last spoke, and its current silence if reported. */
export interface Heard {
  readonly lastSeenAt: number;
  readonly silent?: DroneSilent;
}

export interface WatchState {
  /** Each drone heard (O(√maxDrones) per update: `drone-table.ts`). */
  readonly drones: DroneTable<Heard>;
}

/** Publish an event on the alarm topic, or count a message of a drone beyond `maxDrones`. */
export type WatchCommand =
  | { readonly kind: 'publish'; readonly event: DroneWatchEvent }
  | { readonly kind: 'untracked'; readonly droneId: DroneId };

/**
 * The state before any message, sized for the `maxDrones` of the watchdog's config.
 * @example transitions(initialWatch(cfg.maxDrones), watchdog(cfg), { tickMs: 1_000 })
 */
export const initialWatch = (maxDrones: number): WatchState => ({
  drones: emptyTable(maxDrones),
});

// ---------------------------------------------------------------------------------------------------------------
// behaviour

const heard = (cfg: WatchConfig, s: WatchState, m: DroneMessage, at: number) => {
  const before = lookup(s.drones, m.droneId);
  if (before === undefined && s.drones.size >= cfg.maxDrones)
    return [s, [{ kind: 'untracked', droneId: m.droneId }]] as const;
  const drones = set(s.drones, m.droneId, { lastSeenAt: at });
  const back: WatchCommand[] = before?.silent
    ? [
        {
          kind: 'publish',
          event: toDroneBack(before.silent, utcTimeOf(at), at - before.lastSeenAt),
        },
      ]
    : [];
  return [{ drones }, back] as const;
};

const tick = (cfg: WatchConfig, s: WatchState, at: number) => {
  const gone = [...entries(s.drones)].filter(
    ([, h]) => h.silent === undefined && at - h.lastSeenAt >= cfg.silentAfterMs,
  );
  if (gone.length === 0) return [s, []] as const;
  const reported = gone.map(([droneId, h]) => {
    const silent = toDroneSilent({
      droneId: droneId as DroneId,
      lastSeenAt: utcTimeOf(h.lastSeenAt),
      silentAfterMs: cfg.silentAfterMs,
      raisedAt: utcTimeOf(at),
    });
    return [droneId, { ...h, silent }] as const;
  });
  const commands = reported.map(([, h]): WatchCommand => ({ kind: 'publish', event: h.silent }));
  return [{ drones: setAll(s.drones, reported) }, commands] as const;
};

/**
 * The transition.
 * @example messages$.pipe(transitions(initialWatch(10_000), watchdog({ silentAfterMs: 30_000, maxDrones: 10_000 }), { tickMs: 1_000 }))
 */
export const watchdog =
  (cfg: WatchConfig): Transition<WatchState, DroneMessage, WatchCommand> =>
  (s: WatchState, input: Input<DroneMessage>) =>
    input.kind === 'message' ? heard(cfg, s, input.message, input.at) : tick(cfg, s, input.at);
