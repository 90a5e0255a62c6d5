/**
 * The Department of Finance's violation-code table (`config/violation-codes.csv`: code, definition, fine in
 * Manhattan at or below 96th Street, fine elsewhere) and the default set of codes that need a human.
 */
import { readFileSync } from 'node:fs';

import { parse } from 'csv-parse/sync';

import { E, pipe, reportErrors, t } from '../../runtime/codec.ts';
import { type ConfigError, configError } from '../../runtime/errors.ts';
import { refine } from './codec-kit.ts';
import { type DroneMessage, hasViolation, type ViolationMessage } from './drone-message.ts';
import { NonBlankString, ViolationCode } from './primitives.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** One row of the table. Fines are whole US dollars; `0` means "no fixed fine" (code 99, code 4 outside Manhattan). */
export interface ViolationCodeEntry {
  readonly code: ViolationCode;
  readonly definition: string;
  readonly fineManhattan96AndBelow: number;
  readonly fineOtherAreas: number;
}

/** The loaded table: rows in file order and a lookup by code. */
export interface ViolationCodeTable {
  readonly entries: ReadonlyArray<ViolationCodeEntry>;
  /** The row of a code, or `undefined` for codes the table does not list (real tickets carry some, e.g. 95). */
  readonly get: (code: number) => ViolationCodeEntry | undefined;
}

/** Where a fine applies: Manhattan at or below 96th Street, or anywhere else. */
export type FineArea = 'manhattan96AndBelow' | 'otherAreas';

/** The file the table is read from by default, relative to this module (not to the working directory). */
export const VIOLATION_CODES_FILE = new URL('../../config/violation-codes.csv', import.meta.url);

/**
 * Codes that need a human by default: the ones where a parked vehicle endangers people or blocks emergency
 * services or traffic *now*, so an operator should look at the image and may call a tow or a patrol, rather
 * than a ticket being enough. Grouped:
 * - emergency access: 40 (within 15 ft of a fire hydrant);
 * - moving traffic and transit blocked: 9 (blocking the box), 18 (bus lane), 45 (in a traffic lane), 52 (within
 *   an intersection);
 * - pedestrians and cyclists put at risk: 48 (bike lane), 50 (crosswalk), 53 (safety zone), 67 (pedestrian ramp);
 * - accessibility, where a permit may excuse it and only a person can judge: 27 (disabled-parking zone);
 * - dangerous places: 55 (tunnel or controlled-access roadway), 96 (within 50 ft of a railroad crossing).
 *
 * Left out on purpose: 46 (double parking, ~10% of all tickets, usually a short delivery stop: it would drown
 * operators) and the meter, permit, sticker and street-cleaning codes (a ticket is the whole answer).
 * These 12 codes are about 10% of the 7,098 tickets in the FY2014 and FY2017 samples (40 alone: 5%), so about one
 * violation in ten raises an alarm. Deployments override this list in the alert system's config (`humanCodes`).
 */
export const DEFAULT_HUMAN_CODES: ReadonlyArray<ViolationCode> = [
  9, 18, 27, 40, 45, 48, 50, 52, 53, 55, 67, 96,
];

// ---------------------------------------------------------------------------------------------------------------
// constructors

const Fine = refine(t.number, (n) => Number.isInteger(n) && n >= 0, 'Fine');
const FromText = <A>(codec: t.Type<A, A, unknown>): t.Type<A, string, unknown> =>
  new t.Type<A, string, unknown>(
    codec.name,
    codec.is,
    (u, c) => codec.validate(typeof u === 'string' && /^\s*\d+\s*$/.test(u) ? Number(u) : u, c),
    String,
  );

const Row = t.type({
  CODE: FromText(ViolationCode),
  DEFINITION: NonBlankString,
  MANHATTAN_96_AND_BELOW: FromText(Fine),
  ALL_OTHER_AREAS: FromText(Fine),
});

/**
 * Parses the cleaned CSV (header `CODE,DEFINITION,MANHATTAN_96_AND_BELOW,ALL_OTHER_AREAS`). Fails with every bad
 * cell (`at .3.CODE: ...`, row numbers from 0) or a duplicated code; never throws.
 *
 * @example
 * parseViolationCodes('CODE,DEFINITION,MANHATTAN_96_AND_BELOW,ALL_OTHER_AREAS\n40,"Fire hydrant",115,115\n');
 */
export const parseViolationCodes = (csv: string): E.Either<ConfigError, ViolationCodeTable> => {
  let records: unknown;
  try {
    records = parse(csv, { columns: true, bom: true, skip_empty_lines: true, trim: true });
  } catch (err) {
    return E.left(configError([`violation codes: not CSV: ${(err as Error).message}`]));
  }
  return pipe(
    t.array(Row).decode(records),
    E.mapLeft((errors) => configError(reportErrors(errors).map((i) => `violation codes: ${i}`))),
    E.map((rows) =>
      rows.map((r): ViolationCodeEntry => ({
        code: r.CODE,
        definition: r.DEFINITION.trim(),
        fineManhattan96AndBelow: r.MANHATTAN_96_AND_BELOW,
        fineOtherAreas: r.ALL_OTHER_AREAS,
      })),
    ),
    E.chain(toTable),
  );
};

/**
 * Reads and parses the table, by default from `config/violation-codes.csv`. A missing or bad file is a
 * ConfigError: report it and exit 78 at start-up.
 *
 * @example
 * const table = pipe(loadViolationCodes(), E.getOrElseW((e) => exitWithConfigError(e)));
 * table.get(40)?.fineOtherAreas; // 115
 */
export const loadViolationCodes = (
  file: string | URL = VIOLATION_CODES_FILE,
): E.Either<ConfigError, ViolationCodeTable> => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return E.left(
      configError([`violation codes: cannot read ${String(file)}: ${(err as Error).message}`]),
    );
  }
  return parseViolationCodes(text);
};

// ---------------------------------------------------------------------------------------------------------------
// utils

/**
 * The fine for a code in an area, or `undefined` for a code the table does not list.
 *
 * @example
 * fineFor(table, 21, 'otherAreas'); // 45
 */
export const fineFor = (
  table: ViolationCodeTable,
  code: number,
  area: FineArea,
): number | undefined => {
  const entry = table.get(code);
  if (entry === undefined) return undefined;
  return area === 'manhattan96AndBelow' ? entry.fineManhattan96AndBelow : entry.fineOtherAreas;
};

/**
 * Whether a drone message needs a human: it reports a violation whose code is in `humanCodes`. Narrows the message.
 *
 * @example
 * messages$.pipe(filter((m) => needsHuman(cfg.humanCodes, m)));
 */
export const needsHuman = (
  humanCodes: ReadonlyArray<number> | ReadonlySet<number>,
  m: DroneMessage,
): m is ViolationMessage =>
  hasViolation(m) &&
  ('has' in humanCodes ? humanCodes.has(m.violationCode) : humanCodes.includes(m.violationCode));

const toTable = (
  entries: ReadonlyArray<ViolationCodeEntry>,
): E.Either<ConfigError, ViolationCodeTable> => {
  const byCode = new Map(entries.map((e) => [e.code, e] as const));
  if (byCode.size !== entries.length) {
    const seen = new Set<number>();
    const dups = entries.filter((e) => seen.has(e.code) || !seen.add(e.code)).map((e) => e.code);
    return E.left(configError([`violation codes: duplicated code(s) ${dups.join(', ')}`]));
  }
  return E.right({ entries, get: (code) => byCode.get(code) });
};
