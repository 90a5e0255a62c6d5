/**
 * What the page lists and what its notes say. Pure: the page runs them, the specs test them, and `page.ts` states
 * the cap in the page's text.
 */
import type { AlarmView, SilentDroneView } from '../model.ts';
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

/**
 * What the page says of the drones the watchdog reports silent (`counts.silentDrones`), apart from the alarms:
 * which and since when; '' when none.
 */
export const silentDronesNote = (drones: ReadonlyArray<SilentDroneView> | undefined): string => {
  const list: ReadonlyArray<SilentDroneView> = Array.isArray(drones) ? drones : [];
  if (list.length === 0) return '';
  const shown = list.slice(0, 10).map((d) => `${d.droneId} (since ${d.lastSeenAt})`);
  const more = list.length > shown.length ? ` and ${list.length - shown.length} more` : '';
  return `${list.length} drone${list.length === 1 ? '' : 's'} silent: ${shown.join(', ')}${more}.`;
};

/**
 * What one alarm's card shows, part by part, as plain data: the page builds a card from it once, then on every
 * change of the alarm updates only the parts that differ (`changedParts`), so the card and its buttons stay the
 * same elements under the operator's pointer (a button replaced between pointer-down and pointer-up loses the
 * click). `fmt` formats an ISO time (the page's: New York time).
 */
export interface CardParts {
  /** The card's classes (without `selected`, which the page toggles). */
  readonly className: string;
  readonly status: string;
  /** The image's URL, on the console's origin. */
  readonly image: string;
  /** The badges' texts (each also its class): the status, then `escalated` if it was. */
  readonly badges: ReadonlyArray<string>;
  readonly code: string;
  readonly description: string;
  /** The meta line: `[class, label, value]` per field. */
  readonly meta: ReadonlyArray<readonly [string, string, string]>;
  /** The decisions line; '' when there is none. */
  readonly decision: string;
  /** The buttons: `[label, action, class]` each. */
  readonly actions: ReadonlyArray<readonly [string, string, string]>;
}

/**
 * The parts of `a`'s card.
 * @example cardParts(alarm, fmt).actions // [['Acknowledge', 'acknowledge', 'ack']] for an open alarm
 */
export const cardParts = (a: AlarmView, fmt: (iso: string) => string): CardParts => {
  const meta: Array<readonly [string, string, string]> = [['time', 'Time', fmt(a.time)]];
  if (typeof a.clockOffMs === 'number')
    meta.push(['clock-off', 'Clock', `${clockNote(a.clockOffMs)} (raised ${fmt(a.raisedAt)})`]);
  meta.push(['drone', 'Drone', a.droneId], ['borough', 'Borough', a.borough || 'unknown']);
  meta.push(['position', 'Position', `${a.location.lat.toFixed(5)}, ${a.location.lon.toFixed(5)}`]);
  if (a.address) meta.push(['address', 'Location', a.address]);
  const decisions: string[] = [];
  if (a.acknowledged)
    decisions.push(`acknowledged by ${a.acknowledged.by} at ${fmt(a.acknowledged.at)}`);
  if (a.resolved)
    decisions.push(`${a.resolved.decision} by ${a.resolved.by} at ${fmt(a.resolved.at)}`);
  if (a.escalated)
    decisions.push(
      `escalated at ${fmt(a.escalated.at)} (${Math.round(a.escalated.afterMs / 1_000)} s unacknowledged)`,
    );
  const actions: Array<readonly [string, string, string]> =
    a.status === 'open'
      ? [['Acknowledge', 'acknowledge', 'ack']]
      : a.status === 'acknowledged'
        ? [
            ['Confirm', 'confirm', 'confirm'],
            ['Dismiss', 'dismiss', 'dismiss'],
          ]
        : [];
  return {
    className: `alarm ${a.status}${a.escalated ? ' escalated' : ''}`,
    status: a.status,
    image: `/images/${encodeURIComponent(a.violationImageId)}`,
    badges: a.escalated ? [a.status, 'escalated'] : [a.status],
    code: `Code ${a.violationCode}`,
    description: a.description || '',
    meta,
    decision: decisions.join(' · '),
    actions,
  };
};

/**
 * The parts of a card that differ between two renderings (compared as JSON), in `CardParts`' order.
 * @example changedParts(before, after) // ['className', 'badges', 'decision'] once an open alarm is escalated
 */
export const changedParts = (before: CardParts, after: CardParts): Array<keyof CardParts> =>
  (Object.keys(after) as Array<keyof CardParts>).filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );

/**
 * Which of the cards already listed stay where they are when the list becomes `wanted`: the longest run of them
 * already in `wanted`'s order. The page moves only the others (and inserts the new ones), so a card an operator is
 * clicking is not taken out of the list just because another card came, went or moved.
 * @example unmoved(['a', 'b', 'c'], ['b', 'c', 'a']) // Set { 'b', 'c' }: only 'a' moves
 */
export const unmoved = (
  current: ReadonlyArray<string>,
  wanted: ReadonlyArray<string>,
): Set<string> => {
  const at = new Map(current.map((id, i) => [id, i] as const));
  const seq = wanted.filter((id) => at.has(id));
  // Longest increasing subsequence of the current positions, O(n log n): tails[k] ends the best run of length k+1.
  const tails: number[] = [];
  const prev: number[] = [];
  seq.forEach((id, i) => {
    const p = at.get(id)!;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at.get(seq[tails[mid]!]!)! < p) lo = mid + 1;
      else hi = mid;
    }
    prev[i] = lo > 0 ? tails[lo - 1]! : -1;
    tails[lo] = i;
  });
  const kept = new Set<string>();
  for (let i = tails.length ? tails[tails.length - 1]! : -1; i >= 0; i = prev[i]!)
    kept.add(seq[i]!);
  return kept;
};
