/**
 * Seeded randomness, so simulations and tests repeat exactly. Behaviours take a `Random` port instead of reading
 * `Math.random()` (STYLE §2).
 */

/** A source of uniform numbers in [0, 1). */
export interface Random {
  readonly next: () => number;
}

/** 32-bit string hash (FNV-1a), to derive independent seeds from names. */
export const hash32 = (s: string): number => {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
};

/**
 * mulberry32: tiny, fast, and good enough for simulation (not for secrets).
 * @example const r = seededRandom(42); r.next(); // the same first value for every run with seed 42
 */
export const seededRandom = (seed: number): Random => {
  let a = seed >>> 0;
  return {
    next: () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
};

/** A float in [min, max). */
export const between = (r: Random, min: number, max: number): number =>
  min + (max - min) * r.next();

/** An integer in [0, n). */
export const below = (r: Random, n: number): number => Math.floor(r.next() * n);

/**
 * A sampler over weighted items: O(log n) per draw, via cumulative weights.
 * @example const draw = weighted([{ value: 21, weight: 17 }, { value: 14, weight: 9 }]); draw(r);
 */
export const weighted = <A>(
  items: ReadonlyArray<{ readonly value: A; readonly weight: number }>,
) => {
  const kept = items.filter((i) => i.weight > 0);
  if (kept.length === 0) throw new RangeError('weighted: no item with a positive weight');
  const cumulative: number[] = [];
  let sum = 0;
  for (const i of kept) cumulative.push((sum += i.weight));
  return (r: Random): A => {
    const x = r.next() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return kept[lo]!.value;
  };
};
