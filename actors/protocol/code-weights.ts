/**
 * How often each violation code occurs in real NYPD tickets, so the drone simulator draws codes from the real
 * distribution. The numbers live in `config/violation-code-weights.json`, derived once from the NYPD samples by
 * `scripts/derive-code-weights.ts` (test fixtures are never read at run time).
 */
import { readFileSync } from 'node:fs';

import { E, pipe, reportErrors, t } from '../../runtime/codec.ts';
import { type ConfigError, configError } from '../../runtime/errors.ts';
import { NonNegativeInt, PositiveInt, ViolationCode } from './primitives.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/**
 * The JSON file: where the counts came from (`sources`: file → rows read), rows skipped (no valid code), the
 * `total` of `counts`, and `counts` keyed by code. Objects rather than arrays so that the file, written with
 * `JSON.stringify(x, null, 2)`, is already Prettier-formatted.
 */
export const CodeWeightsJson = t.strict(
  {
    description: t.string,
    sources: t.record(t.string, NonNegativeInt),
    skipped: NonNegativeInt,
    total: PositiveInt,
    counts: t.record(t.string, PositiveInt),
  },
  'CodeWeightsJson',
);
export type CodeWeightsJson = t.TypeOf<typeof CodeWeightsJson>;

/** One code and how many tickets carry it. */
export interface CodeWeight {
  readonly code: ViolationCode;
  readonly count: number;
}

/** Counts by code (ascending code), and their sum. */
export interface CodeWeights {
  readonly total: number;
  readonly entries: ReadonlyArray<CodeWeight>;
}

/** The shipped weights file, relative to this module. */
export const CODE_WEIGHTS_FILE = new URL(
  '../../config/violation-code-weights.json',
  import.meta.url,
);

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * Checks a parsed weights file: every key a code 1–99, every count ≥ 1, `total` their sum.
 *
 * @example
 * parseCodeWeights({ description: '', sources: {}, skipped: 0, total: 3, counts: { '21': 2, '40': 1 } });
 * // right({ total: 3, entries: [{ code: 21, count: 2 }, { code: 40, count: 1 }] })
 */
export const parseCodeWeights = (u: unknown): E.Either<ConfigError, CodeWeights> =>
  pipe(
    CodeWeightsJson.decode(u),
    E.mapLeft((errors) => configError(reportErrors(errors).map((i) => `code weights: ${i}`))),
    E.chain((json) => {
      const entries = Object.entries(json.counts)
        .map(([key, count]) => ({ key, code: Number(key), count }))
        .sort((a, b) => a.code - b.code);
      const bad = entries.filter((e) => !/^\d+$/.test(e.key) || !ViolationCode.is(e.code));
      if (bad.length > 0)
        return E.left(
          configError([`code weights: not violation codes: ${bad.map((e) => e.key).join(', ')}`]),
        );
      const sum = entries.reduce((s, e) => s + e.count, 0);
      if (sum !== json.total)
        return E.left(
          configError([`code weights: total is ${json.total} but the counts add up to ${sum}`]),
        );
      return E.right({ total: sum, entries: entries.map(({ code, count }) => ({ code, count })) });
    }),
  );

/**
 * Reads the weights file (by default the shipped `config/violation-code-weights.json`).
 *
 * @example
 * const weights = pipe(loadCodeWeights(), E.getOrElseW(exitWithConfigError));
 */
export const loadCodeWeights = (
  file: string | URL = CODE_WEIGHTS_FILE,
): E.Either<ConfigError, CodeWeights> => {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return E.left(
      configError([`code weights: cannot read ${String(file)}: ${(err as Error).message}`]),
    );
  }
  return parseCodeWeights(json);
};

// ---------------------------------------------------------------------------------------------------------------
// utils

/**
 * Draws a code with probability count / total, from a uniform `u` in [0, 1) given by the Random port (so it is
 * pure and a seeded simulator repeats itself). `u` outside [0, 1) is clamped.
 *
 * @example
 * drawCode(weights, random.next()); // 21 about 17% of the time
 */
export const drawCode = (weights: CodeWeights, u: number): ViolationCode => {
  const clamped = Number.isFinite(u) ? Math.min(Math.max(u, 0), 1 - Number.EPSILON) : 0;
  let left = Math.floor(clamped * weights.total);
  for (const { code, count } of weights.entries) {
    if (left < count) return code;
    left -= count;
  }
  const last = weights.entries[weights.entries.length - 1];
  if (last === undefined) throw new RangeError('drawCode: no weights');
  return last.code;
};
