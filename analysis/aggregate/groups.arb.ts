/**
 * Test arbitraries: random tickets and drone violations, grouped in plain TypeScript exactly as the engine's pass
 * groups them (engine/pass.ts `GROUP_SETS`), so aggregation properties run without DuckDB.
 */
import fc from 'fast-check';

import type { Group, GroupSet } from '../engine/pass.ts';
import { GROUP_SETS, keyColumns } from '../engine/pass.ts';

/** One accepted ticket or drone violation, as the pass's facts hold it (keys as written). */
export interface Fact {
  readonly kind: 'nypd' | 'drone';
  readonly src: string | null;
  readonly code: string | null;
  readonly county: string | null;
  readonly hint: string | null;
  readonly day: string | null;
  readonly tod: string | null;
  readonly precinct: string | null;
  readonly street: string | null;
  readonly state: string | null;
  readonly plate_type: string | null;
  readonly make: string | null;
  readonly body: string | null;
  readonly color: string | null;
  readonly vyear: string | null;
  readonly iyear: string | null;
  readonly plate: string | null;
}

const maybe = <A>(arb: fc.Arbitrary<A>): fc.Arbitrary<A | null> =>
  fc.option(arb, { nil: null, freq: 5 });

const arbNypd: fc.Arbitrary<Fact> = fc.record({
  kind: fc.constant('nypd' as const),
  src: fc.constantFrom('0', '1'),
  code: maybe(fc.integer({ min: 1, max: 99 }).map(String)),
  county: maybe(fc.constantFrom('NY', 'MN', 'K', 'BK', 'Q', 'BX', 'R', 'XX', ' ny ')),
  hint: maybe(fc.constantFrom('S', 'N', 'P')),
  day: fc
    .date({ min: new Date('2013-01-01'), max: new Date('2018-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  tod: maybe(fc.constantFrom('0752A', '1215A', '1240P', '0930', '1930P', '07:52', '')),
  precinct: maybe(fc.constantFrom('0', '14', '0033', '114', 'x')),
  street: maybe(fc.constantFrom('BROADWAY', 'W 42 ST', '<b>&"\'', 'E 125 ST')),
  state: maybe(fc.constantFrom('NY', 'NJ', '99', ' PA')),
  plate_type: maybe(fc.constantFrom('PAS', 'COM', '999')),
  make: maybe(fc.constantFrom('FORD', 'TOYOT', 'honda')),
  body: maybe(fc.constantFrom('SUBN', '4DSD', 'VAN')),
  color: maybe(fc.constantFrom('GY', 'GRY', 'WH', 'BLK', 'ZZZ', 'LTGY')),
  vyear: maybe(fc.constantFrom('0', '2013', '1899', '2031', '20')),
  iyear: fc.constantFrom('2014', '2017'),
  plate: maybe(fc.constantFrom('ABC1234', 'XYZ9', 'GEL 1234.00', '12345MC')),
});

const arbDrone: fc.Arbitrary<Fact> = fc.record({
  kind: fc.constant('drone' as const),
  src: fc.constant(null),
  code: fc.integer({ min: 1, max: 99 }).map(String),
  county: maybe(fc.constantFrom('Manhattan', 'Brooklyn', 'Queens', 'Bronx', 'Staten Island')),
  hint: maybe(fc.constant('D')),
  day: fc.constantFrom('2026-11-27', '2026-11-28', '2026-11-29'),
  tod: fc.integer({ min: 0, max: 23 }).map((h) => `${String(h).padStart(2, '0')}15`),
  precinct: fc.constant(null),
  street: fc.constant(null),
  state: fc.constant(null),
  plate_type: fc.constant(null),
  make: fc.constant(null),
  body: fc.constant(null),
  color: fc.constant(null),
  vyear: fc.constant(null),
  iyear: fc.constant('2026'),
  plate: fc.constant(null),
});

/** Up to `max` facts of both kinds. */
export const arbFacts = (max = 60): fc.Arbitrary<Fact[]> =>
  fc.array(fc.oneof({ weight: 3, arbitrary: arbNypd }, { weight: 1, arbitrary: arbDrone }), {
    maxLength: max,
  });

/**
 * The groups the engine's pass returns for these facts (accepted rows, no duplicates): every set, plates seen at
 * least twice (and the empty-plate groups), the plate histogram and the distinct counts.
 *
 * @example
 * const groups = groupsOf(facts);
 */
export const groupsOf = (facts: ReadonlyArray<Fact>): Group[] => {
  const out = new Map<string, Group>();
  const add = (set: GroupSet, f: Fact) => {
    const keys = (keyColumns(set) as ReadonlyArray<keyof Fact>).map((k) => f[k]);
    const id = JSON.stringify([set, f.kind, ...keys]);
    const g = out.get(id);
    const [key = null, key2 = null, key3 = null, key4 = null] = keys;
    out.set(id, {
      set,
      kind: f.kind,
      reason: null,
      key,
      key2,
      key3,
      key4,
      n: (g?.n ?? 0) + 1,
    });
  };
  for (const f of facts)
    for (const set of Object.keys(GROUP_SETS) as GroupSet[]) if (set !== 'dups') add(set, f);
  const all = [...out.values()];
  const plates = all.filter((g) => g.set === 'plate' && g.kind === 'nypd' && g.key !== null);
  const repeat = plates.filter((g) => g.n >= 2);
  const histogram = new Map<number, number>();
  for (const g of repeat) histogram.set(g.n, (histogram.get(g.n) ?? 0) + 1);
  const special = (set: Group['set'], key: string, n: number): Group => ({
    set,
    kind: 'nypd',
    reason: null,
    key,
    key2: null,
    key3: null,
    key4: null,
    n,
  });
  const streets = all.filter((g) => g.set === 'street' && g.kind === 'nypd' && g.key !== null);
  return [
    ...all.filter((g) => g.set !== 'plate' || g.key === null || g.n >= 2),
    ...[...histogram].map(([k, n]) => special('plate_histogram', String(k), n)),
    ...(streets.length > 0 ? [special('distinct', 'street', streets.length)] : []),
    ...(repeat.length > 0 ? [special('distinct', 'plate', repeat.length)] : []),
  ];
};
