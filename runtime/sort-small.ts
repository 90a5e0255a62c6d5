/**
 * Sorts an array in place, without the work copy `Array.prototype.sort` allocates on every call: for the few keys
 * of an object sorted once per message (metric labels, a message's canonical JSON). Up to {@link SORT_IN_PLACE_UP_TO}
 * items by insertion; beyond, `Array.prototype.sort` (insertion is quadratic, and a hostile input may be long).
 */

/** Items sorted by insertion at most; longer arrays go to `Array.prototype.sort`. */
export const SORT_IN_PLACE_UP_TO = 16;

/**
 * @example const keys = Object.keys(o); sortSmall(keys, (a, b) => (a < b ? -1 : a > b ? 1 : 0));
 */
export const sortSmall = <T>(items: T[], compare: (a: T, b: T) => number): void => {
  if (items.length > SORT_IN_PLACE_UP_TO) {
    items.sort(compare);
    return;
  }
  for (let i = 1; i < items.length; i++) {
    const item = items[i]!;
    let j = i;
    for (; j > 0 && compare(items[j - 1]!, item) > 0; j--) items[j] = items[j - 1]!;
    items[j] = item;
  }
};
