/**
 * A console limited to some alarms: the swarm's console, on a stack others use too, loads, shows and escalates
 * only the alarms of its own run. The ports are narrowed, not the console: the alarm store's history, the recorded
 * decisions and escalations, and the live feed all drop what `accept` refuses (undecodable bodies still pass, to
 * be counted and dead-lettered as ever), so an alarm of another run is never shown, timed or escalated here.
 */
import type { AlarmEvent } from '../protocol/alarm.ts';
import type { AlarmFeed, AlarmSource, DecisionStore } from './ports.ts';

/** Which alarms a console is for, by alarm id. */
export type AlarmScope = (alarmId: string) => boolean;

const alarmIdOf = (e: AlarmEvent): string => (e.type === 'alarm.raised' ? e.id : e.alarmId);

/**
 * The three ports, narrowed to `accept`. `accept` is asked at each delivery, so it may grow while the console runs
 * (the ids a fleet sends).
 * @example const scoped = scopeAlarms((id) => fleet.alarmIds.has(id), { alarms, store, feed });
 */
export const scopeAlarms = (
  accept: AlarmScope,
  ports: { readonly alarms: AlarmSource; readonly store: DecisionStore; readonly feed: AlarmFeed },
): { readonly alarms: AlarmSource; readonly store: DecisionStore; readonly feed: AlarmFeed } => ({
  alarms: {
    load: async (sinceMs) => (await ports.alarms.load(sinceMs)).filter((a) => accept(a.id)),
  },
  store: {
    ...ports.store,
    load: async () => {
      const r = await ports.store.load();
      return {
        resolutions: r.resolutions.filter((e) => accept(e.alarmId)),
        escalations: r.escalations.filter((e) => accept(e.event.alarmId)),
      };
    },
  },
  feed: {
    start: (onItem) =>
      ports.feed.start((item) => {
        // Drone events name no alarm: they pass (the watchdog's silences are every run's concern).
        if (item._tag !== 'event' || accept(alarmIdOf(item.event))) onItem(item);
      }),
  },
});
