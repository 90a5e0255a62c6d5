/**
 * New York City's five boroughs, and the mapping from the NYPD's "Violation County" codes to them.
 */
import { t } from '../../runtime/codec.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/**
 * One of the five boroughs, by its common name.
 *
 * @example
 * Borough.is('Staten Island'); // true
 */
export const Borough = t.keyof(
  { Manhattan: null, Brooklyn: null, Queens: null, Bronx: null, 'Staten Island': null },
  'Borough',
);
export type Borough = t.TypeOf<typeof Borough>;

/** Every borough, in the order the city lists them. */
export const BOROUGHS: ReadonlyArray<Borough> = [
  'Manhattan',
  'Brooklyn',
  'Queens',
  'Bronx',
  'Staten Island',
];

/**
 * County codes as they appear in NYPD tickets (trimmed, upper-cased) and the borough each names. Two code sets are
 * in use: the county letters `NY, K, Q, BX, R` (New York, Kings, Queens, Bronx, Richmond counties; FY2014 files)
 * and the borough letters `MN, BK, QN, BX, ST` (mixed in from FY2017); both are in the fixtures. Spelled-out and
 * truncated names (`KINGS`, `QUEEN`, `RICH`, ...), reported in other fiscal years, are unambiguous and accepted
 * too. Left out on purpose: `NYC` (the whole city, not a county) and anything else, which maps to `undefined`.
 */
const COUNTY_TO_BOROUGH: ReadonlyMap<string, Borough> = new Map<string, Borough>([
  ...(['NY', 'MN', 'MAN', 'MANH', 'NEWY', 'NEW Y', 'NEW YORK', 'MANHATTAN'] as const).map(
    (k) => [k, 'Manhattan'] as const,
  ),
  ...(['K', 'BK', 'KING', 'KINGS', 'BKLYN', 'BROOKLYN'] as const).map(
    (k) => [k, 'Brooklyn'] as const,
  ),
  ...(['Q', 'QN', 'QNS', 'QUEEN', 'QUEENS'] as const).map((k) => [k, 'Queens'] as const),
  ...(['BX', 'BRONX'] as const).map((k) => [k, 'Bronx'] as const),
  ...(['R', 'ST', 'SI', 'RICH', 'RICHM', 'RICHMOND', 'STATEN ISLAND'] as const).map(
    (k) => [k, 'Staten Island'] as const,
  ),
]);

// ---------------------------------------------------------------------------------------------------------------
// utils

/**
 * The borough a ticket's "Violation County" names, or `undefined` when it is empty, ambiguous or unknown.
 * Case and surrounding spaces are ignored.
 *
 * Use when normalising a ticket (keep the raw county too) and when grouping tickets by borough.
 *
 * @example
 * boroughOf('K'); // 'Brooklyn'
 * boroughOf('qn '); // 'Queens'
 * boroughOf(''); // undefined
 */
export const boroughOf = (county: string | undefined): Borough | undefined =>
  county === undefined ? undefined : COUNTY_TO_BOROUGH.get(county.trim().toUpperCase());
