/**
 * What the page lists and what its notes say. Pure: the page runs them, the specs test them, and `page.ts` states
 * the cap in the page's text.
 */
import type { AlarmView } from '../model.ts';
import type { NeedsHumanSummary } from '../ports.ts';

/** Decided alarms the page lists at most (the newest raised); undecided ones are never capped. */
export const DECIDED_SHOWN = 300;

/**
 * Which alarms the page lists, in order: every undecided one (open, acknowledged, escalated: an operator must
 * act, so never capped), then the `cap` newest decided ones; each part newest raised first, then by id. Ordered by
 * `raisedAt`, never by the drone's time: a drone whose clock is a year behind must not sink its open alarm.
 * @example shownAlarms([...alarms.values()], DECIDED_SHOWN)
 */
export const shownAlarms = <A extends Pick<AlarmView, 'id' | 'status' | 'raisedAt'>>(
  list: ReadonlyArray<A>,
  cap: number,
): A[] => {
  const undecided = (a: A) => a.status === 'open' || a.status === 'acknowledged';
  const order = (x: A, y: A) => {
    const rx = Date.parse(x.raisedAt);
    const ry = Date.parse(y.raisedAt);
    if (rx !== ry) return (Number.isNaN(ry) ? 0 : ry) - (Number.isNaN(rx) ? 0 : rx);
    return x.id === y.id ? 0 : x.id < y.id ? 1 : -1;
  };
  const open = list.filter(undecided).sort(order);
  const decided = list
    .filter((a) => !undecided(a))
    .sort(order)
    .slice(0, cap);
  return open.concat(decided);
};

/**
 * What a card says of a drone clock found off (`clockOffMs`: the drone's time minus the arrival time on the
 * stream); '' when it was not.
 * @example clockNote(-365 * 86_400_000) // 'drone clock off by 1.0 years (behind)'
 */
export const clockNote = (offMs: number | undefined): string => {
  if (typeof offMs !== 'number' || !Number.isFinite(offMs)) return '';
  const ms = Math.abs(offMs);
  const s = Math.floor(ms / 1_000);
  const min = Math.floor(s / 60);
  const h = Math.floor(min / 60);
  const d = Math.floor(h / 24);
  const size =
    d >= 365
      ? `${(d / 365).toFixed(1)} years`
      : d >= 1
        ? `${d} d ${h % 24} h`
        : h >= 1
          ? `${h} h ${min % 60} min`
          : `${min} min ${s % 60} s`;
  return `drone clock off by ${size}${offMs < 0 ? ' (behind)' : ' (ahead)'}`;
};

/**
 * What the page says of the dead letters the alert system noted as possibly needing a person (`counts.needsHuman`,
 * see `ports.ts`): how many carried a code that needs a human, how many could not be read, and where to find
 * them; '' when there are none (or nothing was read yet).
 */
export const needsHumanNote = (n: NeedsHumanSummary | null | undefined): string => {
  if (!n || typeof n !== 'object' || (!(n.code > 0) && !(n.unreadable > 0))) return '';
  const more = n.truncated ? ' (at least)' : '';
  const parts: string[] = [];
  if (n.code > 0)
    parts.push(
      `${n.code}${more} dead-lettered message${n.code === 1 ? '' : 's'} carried a code that needs a human`,
    );
  if (n.unreadable > 0) parts.push(`${n.unreadable}${more} could not be read and may need one`);
  const listed: NeedsHumanSummary['examples'] = Array.isArray(n.examples) ? n.examples : [];
  const examples = listed.length > 0 ? ` (e.g. ${listed.map((e) => e.deadLetter).join(', ')})` : '';
  return `${parts.join('; ')}. Find them in ${n.letters}, named in ${n.notes}${examples}.`;
};
