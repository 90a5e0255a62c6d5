/**
 * A bounded, immutable key → value memory for a pure transition's state (`delivery-step.ts`): it remembers the most
 * recent keys, at most `limit` of them, and every update returns a new value, leaving the old one untouched.
 *
 * Why generations: copying a 100,000-entry `Map` on every update would cost milliseconds per alarm. The keys live
 * in about √limit small maps of √limit keys (316 for 100,000), newest first; an update copies only the newest one
 * (or the one holding the key it replaces or deletes), a lookup asks each, and when the memory is over its limit
 * the oldest generation is forgotten whole. So it
 * always holds at most `limit` keys, and at least `limit - perGeneration` once that many were set (FIFO by the
 * last set, like a `Map` with its oldest key deleted, forgetting up to `perGeneration` keys at once).
 */

// ---------------------------------------------------------------------------------------------------------------
// model

export interface BoundedMemory<V> {
  readonly limit: number;
  /** Keys per generation: `ceil(√limit)`. */
  readonly perGeneration: number;
  /** Newest first; none is empty; each key in one of them. */
  readonly generations: ReadonlyArray<ReadonlyMap<string, V>>;
  /** Keys held, at most `limit`. */
  readonly size: number;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * An empty memory of at most `limit` keys (a positive integer).
 * @example const ids = emptyMemory<string>(100_000);
 */
export const emptyMemory = <V>(limit: number): BoundedMemory<V> => {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`a memory holds at least one key, not ${limit}`);
  return { limit, perGeneration: Math.ceil(Math.sqrt(limit)), generations: [], size: 0 };
};

// ---------------------------------------------------------------------------------------------------------------
// operations

/**
 * The value of `key`, if still remembered.
 * @example recall(remember(emptyMemory<number>(3), 'a', 1), 'a'); // 1
 */
export const recall = <V>(m: BoundedMemory<V>, key: string): V | undefined => {
  for (const g of m.generations) {
    const v = g.get(key);
    if (v !== undefined) return v;
  }
  return undefined;
};

/**
 * Forgets `key` (the memory itself when it did not hold it).
 * @example forget(remember(emptyMemory<number>(3), 'a', 1), 'a').size; // 0
 */
export const forget = <V>(m: BoundedMemory<V>, key: string): BoundedMemory<V> => {
  const i = m.generations.findIndex((g) => g.has(key));
  if (i < 0) return m;
  const without = new Map(m.generations[i]);
  without.delete(key);
  const generations = [...m.generations];
  if (without.size === 0) generations.splice(i, 1);
  else generations[i] = without;
  return { ...m, generations, size: m.size - 1 };
};

/**
 * Remembers `key` as the newest, with `value` (replacing what it held), then forgets the oldest generations while
 * over the limit.
 * @example remember(emptyMemory<string>(100_000), 'drone-0001:1', '2026-01-01T00:00:00.000Z');
 */
export const remember = <V>(m: BoundedMemory<V>, key: string, value: V): BoundedMemory<V> => {
  const { generations: held, size } = forget(m, key);
  const newest = held[0];
  const generations =
    newest === undefined || newest.size >= m.perGeneration
      ? [new Map([[key, value]]), ...held]
      : [new Map(newest).set(key, value), ...held.slice(1)];
  let total = size + 1;
  while (total > m.limit) total -= generations.pop()!.size;
  return { ...m, generations, size: total };
};
