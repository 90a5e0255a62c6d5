/**
 * Group keys as written → the values statistics count, applied once per distinct key after DuckDB grouped the
 * raw cells (so per-row work stays in C++). Where csv-to-stream decides the same thing (a Violation Time's hour,
 * a county's borough, an empty cell), the rule is the same as its normaliser's.
 */
import { type Borough, boroughOf } from '../../actors/protocol/index.ts';

// ---------------------------------------------------------------------------------------------------------------
// cells

/**
 * A cell trimmed like JS `trim()` and upper-cased; `undefined` when empty (csv-to-stream leaves empty cells out).
 *
 * @example
 * cellKey(' toyot '); // 'TOYOT'
 */
export const cellKey = (raw: string | null): string | undefined => {
  const s = raw?.trim().toUpperCase();
  return s === undefined || s === '' ? undefined : s;
};

/** The borough a raw Violation County names (`boroughOf`), or `undefined`. A drone's key is already a borough. */
export const boroughKey = (raw: string | null): Borough | undefined =>
  raw === null ? undefined : boroughOf(raw);

/**
 * A precinct number: digits (`0033` → 33, at most 9 as csv-to-stream reads them); 0 and anything else unknown.
 *
 * @example
 * precinctKey('0033'); // 33
 */
export const precinctKey = (raw: string | null): number | undefined => {
  const s = raw?.trim() ?? '';
  const n = /^\d{1,9}$/.test(s) ? Number(s) : 0;
  return n > 0 ? n : undefined;
};

/**
 * A Vehicle Year: four digits from 1000 (csv-to-stream keeps those); `0`, empty or malformed is unknown.
 *
 * @example
 * vehicleYearKey('2013'); // 2013
 * vehicleYearKey('0'); // undefined
 */
export const vehicleYearKey = (raw: string | null): number | undefined => {
  const s = raw?.trim() ?? '';
  const n = /^\d{4}$/.test(s) ? Number(s) : 0;
  return n >= 1000 ? n : undefined;
};

// ---------------------------------------------------------------------------------------------------------------
// time of day

/** How a Violation Time reads (csv-to-stream's `parseViolationTime`, minus the minutes). */
export type TimeReading =
  | {
      readonly kind: 'time';
      readonly hour: number;
      readonly irregular?: 'no_meridiem' | 'hour_over_12';
    }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable' };

/**
 * Reads a Violation Time as csv-to-stream does: `HHMM` + `A`/`P` on a 12-hour clock (`0015A` and `1215A` are
 * both just after midnight); without A/P, or with an hour 13–23, a 24-hour clock; empty is missing; anything else
 * unreadable. Drone times are written `HHMM` in New York time and read the same way.
 *
 * @example
 * readTime('0752A'); // { kind: 'time', hour: 7 }
 * readTime('1215A'); // { kind: 'time', hour: 0 }
 * readTime('1930'); // { kind: 'time', hour: 19, irregular: 'no_meridiem' }
 */
export const readTime = (raw: string | null): TimeReading => {
  const s = (raw ?? '').trim().toUpperCase();
  if (s === '') return { kind: 'missing' };
  const m = /^(\d{2})(\d{2})([AP]?)$/.exec(s);
  if (m === null) return { kind: 'unreadable' };
  const [hh, minute, meridiem] = [Number(m[1]), Number(m[2]), m[3]];
  if (minute > 59 || hh > 23) return { kind: 'unreadable' };
  if (meridiem === '') return { kind: 'time', hour: hh, irregular: 'no_meridiem' };
  if (hh > 12) return { kind: 'time', hour: hh, irregular: 'hour_over_12' };
  return { kind: 'time', hour: (hh % 12) + (meridiem === 'P' ? 12 : 0) };
};

// ---------------------------------------------------------------------------------------------------------------
// colours

/**
 * Colour names by the prefixes NYPD officers write them with (`WH`, `WHT`, `WHITE`; `GY`, `GRY`, `GREY`; `SILVE`,
 * `SIL`, `SL`...), checked in order: black before blue (`BLK` vs `BL`), gray before green (`GRY` vs `GR`).
 */
const COLOURS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(WH|WT|W$)/, 'White'],
  [/^(BLK|BK|BLAC|BLCK)/, 'Black'],
  [/^(GY|GRAY|GREY|GRY|G\/Y)/, 'Gray'],
  [/^(SIL|SL|SIV)/, 'Silver'],
  [/^(BLU|BL|BLE)/, 'Blue'],
  [/^(RD|RED)/, 'Red'],
  [/^(GR|GN)/, 'Green'],
  [/^(BR|BN)/, 'Brown'],
  [/^(TN|TAN)/, 'Tan'],
  [/^(GOLD|GL|GD)/, 'Gold'],
  [/^(YEL|YW|YL)/, 'Yellow'],
  [/^(OR)/, 'Orange'],
  [/^(PUR|PR)/, 'Purple'],
  [/^(MAR|MR)/, 'Maroon'],
  [/^(BURG|BIRG)/, 'Burgundy'],
  [/^(BEIGE|BG|CREAM|CHAMP)/, 'Beige'],
  [/^(PINK|PK)/, 'Pink'],
];

/**
 * A Vehicle Color code normalised to a colour name; `Other` for codes no rule knows, `undefined` when empty.
 * Light/dark prefixes are dropped (`LTGY` → Gray, `DKBL` → Blue); two-tone codes take the first (`WH/BL` → White).
 *
 * @example
 * colourName('GRY'); // 'Gray'
 * colourName('SILVE'); // 'Silver'
 */
export const colourName = (raw: string | null): string | undefined => {
  const code = cellKey(raw);
  if (code === undefined) return undefined;
  const bare = code.replace(/^(LT|DK)/, '');
  return COLOURS.find(([re]) => re.test(bare))?.[1] ?? 'Other';
};
