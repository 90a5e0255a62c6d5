/**
 * The fault suite's report: one row per scenario, as JSON (`reports/faults.json`) and as a Markdown table
 * (`reports/faults.md`), with the failed assertions of each scenario listed under the table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One scenario's outcome, counted from the emulators. */
export interface FaultRow {
  readonly scenario: string;
  /** Distinct accepted message ids: drone messages plus NYPD tickets on the streams (poison excluded). */
  readonly accepted: number;
  /** Accepted drone messages found in the hot table (tickets go to the archive only). */
  readonly storedDynamo: number;
  readonly archivedDistinct: number;
  readonly archivedRawCopies: number;
  /** Accepted ids missing from DynamoDB (drone messages) or from the archive. */
  readonly lost: number;
  /** Poison records dead-lettered by the storage writer. */
  readonly deadLettered: number;
  readonly alarmsExpected: number;
  /** Alarms the console would show: distinct alarm ids in the alarm store (or the console's API, when wired). */
  readonly alarmsShown: number;
  /** Copies of an alarm received by the console queue beyond the first (same alarm id). */
  readonly duplicatePublishes: number;
  /** Seconds from the end of the faults until every consumer was past what the streams held then. */
  readonly recoverySeconds: number | null;
}

const COLUMNS: ReadonlyArray<keyof FaultRow> = [
  'scenario',
  'accepted',
  'storedDynamo',
  'archivedDistinct',
  'archivedRawCopies',
  'lost',
  'deadLettered',
  'alarmsExpected',
  'alarmsShown',
  'duplicatePublishes',
  'recoverySeconds',
];

/** The rows as a Markdown table. */
export const toMarkdown = (rows: ReadonlyArray<FaultRow>): string =>
  [
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map((c) => (c === 'scenario' ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${COLUMNS.map((c) => String(r[c] ?? '-')).join(' | ')} |`),
  ].join('\n');

/** Writes `<base>.json` and `<base>.md`. */
export const writeReport = (
  base: string,
  rows: ReadonlyArray<FaultRow>,
  failures: ReadonlyArray<{ readonly scenario: string; readonly failures: ReadonlyArray<string> }>,
  header: string,
): void => {
  mkdirSync(dirname(base), { recursive: true });
  writeFileSync(`${base}.json`, `${JSON.stringify(rows, null, 2)}\n`);
  const failed = failures.filter((f) => f.failures.length > 0);
  const md = [
    '# Fault-injection suite',
    '',
    header,
    '',
    toMarkdown(rows),
    '',
    failed.length === 0
      ? 'Every assertion passed.'
      : [
          '## Failed assertions',
          '',
          ...failed.flatMap((f) => f.failures.map((x) => `- **${f.scenario}**: ${x}`)),
        ].join('\n'),
    '',
  ].join('\n');
  writeFileSync(`${base}.md`, md);
};
