/** Fixed samples of fast-check arbitraries, for specs that want varied data but the same data on every run. */
import fc from 'fast-check';

/**
 * `count` values of `arb` with distinct ids (`idOf`), the same ones on every run of the same `seed`.
 * @example const messages = sampleDistinct(arbSequencedDroneMessage, (m) => m.id, 60, 18);
 */
export const sampleDistinct = <A>(
  arb: fc.Arbitrary<A>,
  idOf: (a: A) => string,
  count: number,
  seed: number,
): A[] =>
  fc.sample(fc.uniqueArray(arb, { selector: idOf, minLength: count, maxLength: count }), {
    numRuns: 1,
    seed,
  })[0]!;
