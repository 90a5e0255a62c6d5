/**
 * One CSV record → one NYPD ticket, or the reason it cannot be one. This is the single place that decides which
 * rows are accepted: csv-to-stream publishes with it, and the analysis reuses it so both count the same rows.
 *
 * The policy: reject only what cannot be a ticket (a record whose field count differs from the header's, never
 * re-split; a missing or malformed summons number; a missing or unreadable Issue Date; a missing or non-numeric
 * Violation Code). Everything else is accepted as written, and what looks wrong but is well-formed (a date years
 * away, state `99`, an empty county, a time without A/P) is reported as a data-quality finding.
 */
import { boroughOf } from '../protocol/borough.ts';
import { NYPD_COLUMNS, type NypdColumn, type NypdLayout } from '../protocol/index.ts';
import { type NypdTicket, nypdTicketId } from '../protocol/nypd-ticket.ts';
import { issuedAtOf, parseIssueDate, parseViolationTime } from './ny-time.ts';
import { fromRNumber } from './r-style.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** Why a record is not a ticket, with the rule behind each reason. Stable names: they key summaries and rejects. */
export const REJECT_REASONS = {
  field_count:
    'more or fewer fields than the header (e.g. a whole line wrapped in quotes); never re-split',
  csv_syntax:
    'the CSV parser could not finish the record: a quote still open at the end of the file, or a record over 64 KiB',
  summons_number_missing: 'Summons Number is empty',
  summons_number_malformed: 'Summons Number is not 1-20 digits',
  issue_date_missing: 'Issue Date is empty',
  issue_date_unparseable: 'Issue Date is not a real MM/DD/YYYY (or YYYY-MM-DD) day',
  violation_code_missing: 'Violation Code is empty',
  violation_code_not_numeric: 'Violation Code is not digits',
} as const;
export type RejectReason = keyof typeof REJECT_REASONS;

/** Well-formed but doubtful values: the row is accepted and the finding counted. */
export const FINDING_KINDS = {
  issue_date_implausible: 'Issue Date outside the plausible window (see plausibleIssueDates)',
  violation_time_missing: 'Violation Time empty: issuedAt is the start of the issue day',
  violation_time_unreadable: 'Violation Time not HHMM[A|P]: issuedAt is the start of the issue day',
  violation_time_no_meridiem: 'Violation Time without A/P: read as a 24-hour clock',
  violation_time_hour_over_12: 'Violation Time with A/P and an hour 13-23: read as a 24-hour clock',
  issue_time_in_dst_gap:
    'the time did not exist (spring forward): read with standard time, an hour later',
  county_missing: 'Violation County empty: no borough',
  county_unknown: 'Violation County not a known code: no borough',
  registration_state_99: 'Registration State 99 (unknown)',
  plate_type_999: 'Plate Type 999 (unknown)',
  violation_code_out_of_range: 'Violation Code is digits but not 1-99: violationCode left out',
  vehicle_year_implausible: 'Vehicle Year not 0 and not 1900..issue year + 2 (kept if four digits)',
  number_unreadable: 'a precinct or law section that is not digits: left out',
  non_ascii_text:
    'a text field with characters outside printable ASCII (NBSP, mangled house numbers)',
} as const;
export type FindingKind = keyof typeof FINDING_KINDS;

/** Issue dates outside `[from, to]` (ISO days, inclusive) are findings. */
export interface DateWindow {
  readonly from: string;
  readonly to: string;
}

/** What the row itself does not say. */
export interface RowContext {
  /** File name kept on the ticket (`sourceFile`); a base name, not a local path. */
  readonly sourceFile?: string;
  /** The 1-based physical line where the record starts (`sourceLine`). */
  readonly sourceLine?: number;
  /** Without it, no date is implausible. */
  readonly plausibleIssueDates?: DateWindow;
}

/** The decision on one record. */
export type RowVerdict =
  | {
      readonly ok: true;
      readonly ticket: NypdTicket;
      readonly findings: ReadonlyArray<FindingKind>;
    }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

// ---------------------------------------------------------------------------------------------------------------
// the decision

const SUMMONS = /^\d{1,20}$/;
const DIGITS = /^\d+$/;
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;

type Draft = { -readonly [K in keyof NypdTicket]: NypdTicket[K] };

/** Column indexes of a layout (-1: absent), worked out once per layout rather than looked up per row. */
type Plan = Readonly<Record<NypdColumn, number>>;
const plans = new WeakMap<NypdLayout, Plan>();
const planOf = (layout: NypdLayout): Plan => {
  let plan = plans.get(layout);
  if (plan === undefined) {
    const keys = Object.keys(NYPD_COLUMNS) as NypdColumn[];
    plan = Object.fromEntries(keys.map((k) => [k, layout.at[k] ?? -1])) as Plan;
    plans.set(layout, plan);
  }
  return plan;
};

/** A trimmed cell, or `undefined` when absent or blank. */
const cellOf = (fields: ReadonlyArray<string>, i: number): string | undefined => {
  if (i < 0) return undefined;
  const v = fields[i]!.trim();
  return v === '' ? undefined : v;
};

/** A count (precinct, law section): digits as a number; anything else is left out and noted. */
const countOf = (v: string | undefined, unreadable: { seen: boolean }): number | undefined => {
  if (v === undefined) return undefined;
  if (v.length <= 9 && DIGITS.test(v)) return Number(v);
  unreadable.seen = true;
  return undefined;
};

const reject = (reason: RejectReason, detail: string): RowVerdict => ({
  ok: false,
  reason,
  detail,
});

/**
 * Decides one record (the fields csv-parse produced, in header order): a typed, normalised {@link NypdTicket}
 * with its findings, or a reject reason. Pure and deterministic: the same record and context always give the same
 * verdict, so a re-import publishes the same ticket under the same id (`nypd:<summons>`).
 *
 * Normalising: cells are trimmed and empty ones are absent; codes, precincts, law section and year are numbers
 * (`0033` → 33; Vehicle Year `0` → absent); `issuedAt` is Issue Date + Violation Time in New York
 * ({@link issuedAtOf}); `violationCounty` and `violationTime` are kept as written beside `borough` and `issuedAt`.
 * An absent optional field is an `undefined` property (every ticket has one shape, which keeps this and
 * JSON.stringify fast); JSON has no key for it.
 *
 * @example
 * const layout = E.getOrElseW(() => { throw new Error('bad header'); })(nypdLayoutOf(header));
 * const verdict = normaliseRow(fields, layout, { sourceFile: 'fy2017.csv', sourceLine: 2 });
 * if (verdict.ok) publish(verdict.ticket); else writeReject(verdict.reason, verdict.detail);
 */
export const normaliseRow = (
  fields: ReadonlyArray<string>,
  layout: NypdLayout,
  context: RowContext = {},
): RowVerdict => {
  if (fields.length !== layout.width)
    return reject('field_count', `expected ${layout.width} fields, got ${fields.length}`);
  const at = planOf(layout);

  let summons = cellOf(fields, at.summonsNumber);
  if (summons === undefined) return reject('summons_number_missing', 'Summons Number is empty');
  // R writes a summons number ending in zeros as `1.4e+09` (r-style.ts).
  if (!SUMMONS.test(summons) && layout.rStyle === true) summons = fromRNumber(summons) ?? summons;
  if (!SUMMONS.test(summons))
    return reject('summons_number_malformed', `Summons Number ${JSON.stringify(summons)}`);
  const dateText = cellOf(fields, at.issueDate);
  if (dateText === undefined) return reject('issue_date_missing', 'Issue Date is empty');
  const date = parseIssueDate(dateText);
  if (date === undefined)
    return reject('issue_date_unparseable', `Issue Date ${JSON.stringify(dateText)}`);
  const codeText = cellOf(fields, at.violationCode);
  if (codeText === undefined) return reject('violation_code_missing', 'Violation Code is empty');
  if (!DIGITS.test(codeText))
    return reject('violation_code_not_numeric', `Violation Code ${JSON.stringify(codeText)}`);

  const findings: FindingKind[] = [];
  const timeText = cellOf(fields, at.violationTime);
  const time = parseViolationTime(timeText ?? '');
  if (time.kind !== 'time') findings.push(`violation_time_${time.kind}`);
  else if (time.irregular !== undefined) findings.push(`violation_time_${time.irregular}`);
  const issued = issuedAtOf(date, time.kind === 'time' ? time : undefined);
  if (issued.inGap) findings.push('issue_time_in_dst_gap');
  const issueDate = date.iso;
  const window = context.plausibleIssueDates;
  if (window && (issueDate < window.from || issueDate > window.to))
    findings.push('issue_date_implausible');
  const code = Number(codeText);
  if (code < 1 || code > 99) findings.push('violation_code_out_of_range');

  const county = cellOf(fields, at.violationCounty);
  const borough = county === undefined ? undefined : boroughOf(county);
  if (county === undefined) findings.push('county_missing');
  else if (borough === undefined) findings.push('county_unknown');

  const unreadable = { seen: false };
  const yearText = cellOf(fields, at.vehicleYear);
  const year = yearText !== undefined && /^\d{4}$/.test(yearText) ? Number(yearText) : 0;
  if (yearText !== undefined && yearText !== '0' && (year < 1900 || year > date.year + 2))
    findings.push('vehicle_year_implausible');

  const ticket: Draft = {
    type: 'nypd.ticket',
    v: 1,
    id: nypdTicketId(summons),
    summonsNumber: summons,
    issuedAt: issued.iso,
    issueDate,
    violationCode: code >= 1 && code <= 99 ? code : undefined,
    violationDescription: cellOf(fields, at.violationDescription),
    plateId: cellOf(fields, at.plateId),
    registrationState: cellOf(fields, at.registrationState),
    plateType: cellOf(fields, at.plateType),
    vehicleMake: cellOf(fields, at.vehicleMake),
    vehicleBodyType: cellOf(fields, at.vehicleBodyType),
    vehicleColor: cellOf(fields, at.vehicleColor),
    vehicleYear: year >= 1000 ? year : undefined,
    violationCounty: county,
    borough,
    violationPrecinct: countOf(cellOf(fields, at.violationPrecinct), unreadable),
    issuerPrecinct: countOf(cellOf(fields, at.issuerPrecinct), unreadable),
    streetName: cellOf(fields, at.streetName),
    houseNumber: cellOf(fields, at.houseNumber),
    intersectingStreet: cellOf(fields, at.intersectingStreet),
    issuingAgency: cellOf(fields, at.issuingAgency),
    lawSection: countOf(cellOf(fields, at.lawSection), unreadable),
    subDivision: cellOf(fields, at.subDivision),
    violationTime: timeText,
    sourceFile: context.sourceFile === '' ? undefined : context.sourceFile,
    sourceLine: context.sourceLine,
  };
  if (unreadable.seen) findings.push('number_unreadable');
  if (ticket.registrationState === '99') findings.push('registration_state_99');
  if (ticket.plateType === '999') findings.push('plate_type_999');
  if (TEXT_FIELDS.some((k) => ticket[k] !== undefined && NOT_PRINTABLE_ASCII.test(ticket[k])))
    findings.push('non_ascii_text');
  return { ok: true, ticket, findings };
};

/** The text fields checked for characters outside printable ASCII. */
const TEXT_FIELDS = [
  'plateId',
  'registrationState',
  'plateType',
  'vehicleBodyType',
  'vehicleMake',
  'issuingAgency',
  'houseNumber',
  'streetName',
  'intersectingStreet',
  'subDivision',
  'vehicleColor',
  'violationDescription',
] as const satisfies ReadonlyArray<keyof NypdTicket>;

// ---------------------------------------------------------------------------------------------------------------
// plausible dates

/**
 * The window outside which an Issue Date is a finding: the fiscal year (July 1 of the year before to June 30)
 * widened by a year on each side when the file's fiscal year is known ("years away" means more than that), else
 * 1990-01-01 to a year after `today` (an ISO day from the caller's clock).
 *
 * @example
 * plausibleIssueDates(2014, '2026-01-01'); // { from: '2012-07-01', to: '2015-06-30' }
 * plausibleIssueDates(undefined, '2026-01-01'); // { from: '1990-01-01', to: '2027-01-01' }
 */
export const plausibleIssueDates = (fiscalYear: number | undefined, today: string): DateWindow =>
  fiscalYear === undefined
    ? { from: '1990-01-01', to: `${Number(today.slice(0, 4)) + 1}${today.slice(4, 10)}` }
    : { from: `${fiscalYear - 2}-07-01`, to: `${fiscalYear + 1}-06-30` };

/**
 * The fiscal year a file name announces, as the city names its exports (`fy2014`, `Fiscal_Year_2017`), or
 * `undefined`.
 *
 * @example
 * fiscalYearOf('Parking_Violations_Issued_-_Fiscal_Year_2017.csv'); // 2017
 * fiscalYearOf('fy2014-sample.csv'); // 2014
 */
export const fiscalYearOf = (fileName: string): number | undefined => {
  const m = /(?:^|[^a-z])(?:fy|fiscal[ _-]?year)[ _-]?((?:19|20)\d\d)(?!\d)/i.exec(fileName);
  return m ? Number(m[1]) : undefined;
};
