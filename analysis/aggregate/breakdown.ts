/**
 * Turning groups (pass 2's raw keys and counts) into breakdown tables: re-key every group with a normaliser,
 * sum what lands on the same key, split by source (NYPD tickets, drone violations), and lay the result out as a
 * table whose counts sum to its population. Empty and unreadable keys are kept as a row of their own, so nothing
 * drops out of a total.
 */
import { type Group, GROUP_SETS, type GroupSet } from '../engine/pass.ts';
import { columnOf, columnsOf } from './columns.ts';
import { type Column, type Section, share, type Table, type TableRow } from './model.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** Counts by source. */
export interface Split {
  nypd: number;
  drone: number;
}

/** A normalised key and its counts; `undefined` key = unknown (empty or unreadable). */
export type Tallied<K> = ReadonlyMap<K | undefined, Split>;

// ---------------------------------------------------------------------------------------------------------------
// fields

/** A field of a set (pass.ts `GROUP_SETS`): the name a breakdown reads a group's key by. */
export type Field = {
  [S in GroupSet]: keyof (typeof GROUP_SETS)[S];
}[GroupSet];

/** Where each field is: its set and its key's position, derived from `GROUP_SETS` (the order of a set's fields). */
export const FIELDS: Readonly<Record<Field, readonly [GroupSet, number]>> = Object.fromEntries(
  (Object.keys(GROUP_SETS) as GroupSet[]).flatMap((set) =>
    Object.keys(GROUP_SETS[set]).map((field, i) => [field, [set, i] as const]),
  ),
) as Record<Field, readonly [GroupSet, number]>;

/** A field's raw value in a group of its set. @example valueOf(g, 'county') // 'NY' */
export const valueOf = (g: Group, field: Field): string | null =>
  [g.key, g.key2, g.key3, g.key4][FIELDS[field][1]] ?? null;

// ---------------------------------------------------------------------------------------------------------------
// tallying

/**
 * Sums the groups of `set` by `keyOf(group)`; `undefined` keys are unknowns.
 *
 * @example
 * const byCode = tally(groups, 'code', (g) => g.key2);
 */
export const tally = <K>(
  groups: ReadonlyArray<Group>,
  set: GroupSet,
  keyOf: (g: Group) => K | undefined,
): Tallied<K> => {
  const out = new Map<K | undefined, Split>();
  for (const g of groups) {
    if (g.set !== set) continue;
    const key = keyOf(g);
    const split = out.get(key) ?? { nypd: 0, drone: 0 };
    split[g.kind] += g.n;
    out.set(key, split);
  }
  return out;
};

/**
 * Sums the groups of a field's set by `keyOf(raw value)`; `undefined` keys are unknowns.
 *
 * @example
 * const byBorough = tallyField(groups, 'county', boroughKey);
 */
export const tallyField = <K>(
  groups: ReadonlyArray<Group>,
  field: Field,
  keyOf: (raw: string | null, g: Group) => K | undefined,
): Tallied<K> => tally(groups, FIELDS[field][0], (g) => keyOf(valueOf(g, field), g));

/** The population: every violation counted once (the `code` set holds them all), by source. */
export const totalOf = (groups: ReadonlyArray<Group>): Split =>
  [...tally(groups, 'code', () => 0).values()].reduce(
    (a, b) => ({ nypd: a.nypd + b.nypd, drone: a.drone + b.drone }),
    { nypd: 0, drone: 0 },
  );

// ---------------------------------------------------------------------------------------------------------------
// tables

/** How to lay out a breakdown. */
export interface BreakdownSpec<K extends string | number> {
  readonly file: string;
  readonly section: Section;
  readonly title: string;
  readonly caption: string;
  /** The key column. */
  readonly key: Column;
  /** A key's cell value; the key itself when not given. */
  readonly label?: (key: K) => string | number;
  /** Label of the unknown row. */
  readonly unknown?: string;
  /** Order of rows: by key (`keys`, the order to use) or by count, largest first. */
  readonly order: { readonly keys: ReadonlyArray<K> } | 'count';
  /** `both`: tickets + NYPD + drone columns; `nypd`: NYPD tickets only. */
  readonly sources: 'both' | 'nypd';
  /** The population the rows must add up to, from the `total` set (not from the rows themselves). */
  readonly population: Split;
  readonly chartTop?: number;
}

/**
 * A breakdown table: key, counts (and their split by source), share of the population. Keys listed in
 * `order.keys` always appear (zero rows included), so an hour or a weekday never silently disappears.
 *
 * @example
 * breakdown(byBorough, { file: 'violations_by_borough.csv', key: columnOf('borough'), ... });
 */
export const breakdown = <K extends string | number>(
  tallied: Tallied<K>,
  spec: BreakdownSpec<K>,
): Table => {
  const count = (s: Split): number => (spec.sources === 'nypd' ? s.nypd : s.nypd + s.drone);
  const zero = { nypd: 0, drone: 0 };
  const known = [...tallied.keys()].filter((k): k is K => k !== undefined);
  const fixed = spec.order === 'count' ? undefined : spec.order.keys;
  const keys =
    fixed === undefined
      ? known.sort((a, b) => count(tallied.get(b)!) - count(tallied.get(a)!) || compare(a, b))
      : [...fixed, ...known.filter((k) => !fixed.includes(k)).sort(compare)];
  const entries: Array<[string | number, Split]> = keys.map((k) => [
    spec.label === undefined ? k : spec.label(k),
    tallied.get(k) ?? zero,
  ]);
  const unknown = tallied.get(undefined);
  if (unknown !== undefined && count(unknown) > 0)
    entries.push([spec.unknown ?? 'unknown', unknown]);
  const population = count(spec.population);
  const rows = entries
    .filter(([, s]) => spec.order !== 'count' || count(s) > 0)
    .map(([label, s]): TableRow => ({
      [spec.key.key]: label,
      tickets: count(s),
      ...(spec.sources === 'both' ? { nypd_tickets: s.nypd, drone_violations: s.drone } : {}),
      share: share(count(s), population),
    }));
  return {
    file: spec.file,
    section: spec.section,
    title: spec.title,
    caption: spec.caption,
    columns: [
      spec.key,
      ...(spec.sources === 'both'
        ? columnsOf(['tickets', 'Violations'], 'nypd_tickets', 'drone_violations')
        : columnsOf('tickets')),
      columnOf('share'),
    ],
    rows,
    charts: [{ label: spec.key.key, value: 'tickets', top: spec.chartTop ?? 24 }],
    pageRows: 30,
    total: { column: 'tickets', value: population },
  };
};

const compare = (a: unknown, b: unknown): number =>
  typeof a === 'number' && typeof b === 'number'
    ? a - b
    : String(a) < String(b)
      ? -1
      : String(a) > String(b)
        ? 1
        : 0;
