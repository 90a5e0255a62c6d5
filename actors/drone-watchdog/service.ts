/**
 * Wires the watchdog: the drone stream (its own consumer application, read from `latest`: it watches the living)
 * → the transition (behaviour.ts) in the runtime's transition runner → publish / count. Used by the declaration
 * (`actor.ts`) and its spec.
 */
import type { ActorHandle, DeadLetterPort } from '../../runtime/actor.ts';
import { type Bus, topic } from '../../runtime/bus/bus.ts';
import type { EventHub } from '../../runtime/events.ts';
import type { Logger } from '../../runtime/log.ts';
import type { MetricsRegistry } from '../../runtime/metrics.ts';
import type { BackoffPolicy } from '../../runtime/retry.ts';
import { runTransitions } from '../../runtime/transition.ts';
import { DroneMessageIn } from '../protocol/drone-message-in.ts';
import { initialWatch, type WatchCommand, watchdog } from './behaviour.ts';
import type { WatchPublisher } from './sns-publisher.ts';

export const APPLICATION = 'drone-watchdog';

export interface WatchdogDeps {
  readonly bus: Bus;
  readonly events: EventHub;
  readonly publisher: WatchPublisher;
  readonly deadLetter: DeadLetterPort;
  readonly stream: string;
  readonly silentAfterMs: number;
  readonly maxDrones: number;
  /** How often silences are looked for (default 1 s). */
  readonly tickMs?: number;
  /** Retries of a failing topic before the event is dead-lettered (default kafkajs': 5 from 300 ms). */
  readonly retry?: BackoffPolicy;
  readonly metrics?: MetricsRegistry;
  readonly log?: Logger;
}

/**
 * Starts the watchdog.
 * @example const running = startWatchdog({ bus, events, publisher, deadLetter, stream, silentAfterMs: 30_000, maxDrones: 10_000 });
 */
export const startWatchdog = (deps: WatchdogDeps): ActorHandle =>
  runTransitions({
    name: APPLICATION,
    events: deps.events,
    input: () =>
      deps.bus.subscribe(
        topic(deps.stream, DroneMessageIn, (m) => m.droneId),
        { application: APPLICATION, initialPosition: 'latest', maxInFlightPerShard: 1_000 },
      ),
    initial: initialWatch(deps.maxDrones),
    step: watchdog({ silentAfterMs: deps.silentAfterMs, maxDrones: deps.maxDrones }),
    tickMs: deps.tickMs ?? 1_000,
    effect: async (c: WatchCommand) => {
      if (c.kind === 'untracked') {
        deps.metrics?.inc(
          'prestacop_watchdog_untracked_messages_total',
          'Messages of drones beyond --max-drones, not watched',
        );
        deps.log?.debug({ droneId: c.droneId }, 'drone beyond --max-drones: not watched');
        return;
      }
      await deps.publisher.publish(c.event);
      deps.metrics?.inc(
        'prestacop_watchdog_events_total',
        'drone.silent and drone.back published',
        {
          type: c.event.type,
        },
      );
      deps.log?.info({ eventId: c.event.id, droneId: c.event.droneId }, c.event.type);
    },
    deadLetter: deps.deadLetter,
    encodeCommand: (c) => Buffer.from(JSON.stringify(c)),
    ...(deps.retry ? { retry: deps.retry } : {}),
  });
