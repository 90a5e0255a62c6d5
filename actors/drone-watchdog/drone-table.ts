/**
 * The watchdog's memory of drones: an immutable drone id → value table whose update costs O(√capacity), not O(n).
 *
 * Why: the watchdog is a pure transition, so each message returns a new state and leaves the old one untouched.
 * Copying a `Map` of every drone for that made each message cost O(drones): at 5,000 drones, 5,000 messages a
 * second each copied 5,000 entries, the watchdog took 13 % of the swarm's main thread (profile of
 * `npm run swarm -- --drones 5000`), and the storage writer and the alert system beside it starved. Here the
 * drones live in about √capacity buckets by a hash of their id; an update copies the bucket array and one bucket
 * (about 100 + 100 entries at the default 10,000 drones). A hostile fleet choosing ids that share a bucket makes
 * that bucket long, bounded by the capacity as before (the watchdog tracks at most `maxDrones`).
 */

// ---------------------------------------------------------------------------------------------------------------
// model

export interface DroneTable<V> {
  /** Drones by id, spread over `ceil(√capacity)` buckets by `bucketOf`. */
  readonly buckets: ReadonlyArray<ReadonlyMap<string, V>>;
  readonly size: number;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

const NONE: ReadonlyMap<string, never> = new Map<string, never>();

/**
 * An empty table sized for up to `capacity` drones (more still fit; updates just cost more).
 * @example const seen = emptyTable<number>(10_000);
 */
export const emptyTable = <V>(capacity: number): DroneTable<V> => ({
  buckets: Array.from({ length: Math.max(1, Math.ceil(Math.sqrt(capacity))) }, () => NONE),
  size: 0,
});

// ---------------------------------------------------------------------------------------------------------------
// operations

const bucketOf = (t: DroneTable<unknown>, id: string): number => {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (Math.imul(h, 31) + id.charCodeAt(i)) | 0;
  return (h >>> 0) % t.buckets.length;
};

/**
 * The value held for `id`, if any.
 * @example lookup(set(emptyTable<number>(4), 'd1', 7), 'd1'); // 7
 */
export const lookup = <V>(t: DroneTable<V>, id: string): V | undefined =>
  t.buckets[bucketOf(t, id)]!.get(id);

/**
 * A table holding `updates` (id → value, later ones winning) over `t`, which is left untouched; each bucket touched
 * is copied once.
 * @example setAll(emptyTable<number>(4), [['d1', 1], ['d2', 2]]).size; // 2
 */
export const setAll = <V>(
  t: DroneTable<V>,
  updates: Iterable<readonly [string, V]>,
): DroneTable<V> => {
  const buckets = t.buckets.slice();
  const copied = new Set<number>();
  let size = t.size;
  for (const [id, v] of updates) {
    const i = bucketOf(t, id);
    if (!copied.has(i)) {
      buckets[i] = new Map(buckets[i]);
      copied.add(i);
    }
    const b = buckets[i] as Map<string, V>;
    if (!b.has(id)) size++;
    b.set(id, v);
  }
  return copied.size === 0 ? t : { buckets, size };
};

/**
 * `setAll` of one: a new table holding `id` → `value`.
 * @example set(emptyTable<number>(4), 'd1', 7).size; // 1
 */
export const set = <V>(t: DroneTable<V>, id: string, value: V): DroneTable<V> =>
  setAll(t, [[id, value]]);

/**
 * Every id and its value (bucket by bucket: no order to rely on).
 * @example [...entries(set(emptyTable<number>(4), 'd1', 7))]; // [['d1', 7]]
 */
export function* entries<V>(t: DroneTable<V>): Generator<readonly [string, V]> {
  for (const b of t.buckets) yield* b;
}
