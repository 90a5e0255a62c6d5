import assert from 'node:assert/strict';

import fc from 'fast-check';

import { loadViolationCodes } from '../../actors/protocol/index.ts';
import { E } from '../../runtime/codec.ts';
import { breakdown } from './breakdown.ts';
import { arbFacts, groupsOf } from './groups.arb.ts';
import { col, SHARE_OF_COLUMNS, shareOf, type Table } from './model.ts';
import { buildReport } from './report.ts';

const codes = (() => {
  const t = loadViolationCodes();
  if (E.isLeft(t)) throw new Error(t.left.issues.join('\n'));
  return t.right;
})();
const noDedup = { duplicatedIds: 0, droppedCopies: 0, conflictingIds: 0 };
const report = (facts: Parameters<typeof groupsOf>[0]) =>
  buildReport({ sources: [], dedup: noDedup, groups: groupsOf(facts), drones: undefined }, codes, {
    today: '2026-11-27',
    sources: [],
  });
const sum = (t: Table, column: string) =>
  t.rows.reduce((s, r) => s + (typeof r[column] === 'number' ? r[column] : 0), 0);
const table = (tables: ReadonlyArray<Table>, file: string): Table => {
  const t = tables.find((x) => x.file === file);
  assert.ok(t, file);
  return t;
};

describe('Analysis > aggregation', () => {
  it('every breakdown sums to its total, for any tickets and drone violations (property)', () =>
    fc.assert(
      fc.property(arbFacts(), (facts) => {
        const r = report(facts);
        const breakdowns = r.tables.filter((t) => t.total !== undefined);
        assert.ok(breakdowns.length >= 17, `${breakdowns.length} breakdowns`);
        for (const t of breakdowns) assert.equal(sum(t, t.total!.column), t.total!.value, t.file);
        const nypd = facts.filter((f) => f.kind === 'nypd').length;
        assert.equal(
          table(r.tables, 'violations_by_code.csv').total!.value,
          facts.length - nypd + nypd,
        );
        assert.equal(table(r.tables, 'violations_by_state.csv').total!.value, nypd);
      }),
      { numRuns: 200 },
    ));

  it('counts by code equal a plain count of the same rows (property)', () =>
    fc.assert(
      fc.property(arbFacts(), (facts) => {
        const plain = new Map<string, number>();
        for (const f of facts) plain.set(f.code ?? '', (plain.get(f.code ?? '') ?? 0) + 1);
        const byCode = table(report(facts).tables, 'violations_by_code.csv');
        assert.deepEqual(
          new Map(byCode.rows.map((row) => [String(row.violation_code ?? ''), row.tickets])),
          plain,
        );
      }),
      { numRuns: 100 },
    ));

  it('splits every code between the two fines, and prices them from the code table', () => {
    const f = {
      kind: 'nypd' as const,
      src: '0',
      day: '2017-01-02',
      tod: '0800A',
      iyear: '2017',
      ...{ precinct: null, street: null, state: null, plate_type: null, make: null, body: null },
      ...{ color: null, vyear: null, plate: null },
    };
    const r = report([
      { ...f, code: '38', county: 'NY', hint: 'S' }, // Manhattan, W 42 ST: 65
      { ...f, code: '38', county: 'NY', hint: 'N' }, // Manhattan, above 96th: 35
      { ...f, code: '38', county: 'NY', hint: null }, // Manhattan, place unknown: 35
      { ...f, code: '38', county: 'K', hint: 'S' }, // Brooklyn: 35
    ]);
    const row = table(r.tables, 'violations_by_code.csv').rows[0]!;
    assert.equal(row.tickets_manhattan_96_and_below, 1);
    assert.equal(row.tickets_other_areas, 3);
    assert.equal(row.estimated_revenue, 65 + 3 * 35);
  });

  it('volumes hold together: records = messages + tickets, violations = drone + NYPD (property)', () =>
    fc.assert(
      fc.property(arbFacts(), (facts) => {
        const v = table(report(facts).tables, 'volumes.csv');
        const get = (m: string) => v.rows.find((r) => r.metric === m)?.count as number;
        assert.equal(get('records'), get('drone_messages') + get('nypd_tickets'));
        assert.equal(get('violations'), get('drone_violations') + get('nypd_violations'));
      }),
      { numRuns: 50 },
    ));

  it('a share names its base: share_of is a metric or count of the same table, and share is the ratio (property)', () =>
    fc.assert(
      fc.property(arbFacts(), (facts) => {
        const tables = report(facts).tables.filter((t) =>
          SHARE_OF_COLUMNS.every((c) =>
            t.columns.some((x) => x.key === c.key && x.kind === c.kind),
          ),
        );
        assert.deepEqual(
          tables.map((t) => t.file),
          ['volumes.csv', 'data_quality.csv'],
        );
        for (const t of tables)
          for (const r of t.rows) assert.equal(r.share === null, r.share_of === null, t.file);
        const v = table(tables, 'volumes.csv');
        for (const r of v.rows.filter((x) => x.share_of !== null)) {
          const base = v.rows.find((x) => x.metric === r.share_of)?.count as number;
          assert.equal(r.share, base === 0 ? 0 : (r.count as number) / base, String(r.metric));
        }
      }),
      { numRuns: 30 },
    ));

  it('shareOf: a share of the named base, zero of an empty base, two empty cells without a base', () => {
    assert.deepEqual(shareOf(3, ['rows_read', 12]), { share: 0.25, share_of: 'rows_read' });
    assert.deepEqual(shareOf(3, ['rows_read', 0]), { share: 0, share_of: 'rows_read' });
    assert.deepEqual(shareOf(3, null), { share: null, share_of: null });
    assert.deepEqual(shareOf(3, undefined), { share: null, share_of: null });
  });

  it('a breakdown without a label shows each key itself, the unknown row last', () => {
    const t = breakdown(
      new Map([
        ['PM', { nypd: 2, drone: 1 }],
        [undefined, { nypd: 1, drone: 0 }],
      ]),
      {
        file: 'x.csv',
        section: 'When',
        title: 'x',
        caption: 'x',
        key: col('period', 'Period', 'text'),
        order: { keys: ['AM', 'PM'] },
        sources: 'both',
        population: { nypd: 3, drone: 1 },
      },
    );
    assert.deepEqual(
      t.rows.map((r) => [r.period, r.tickets]),
      [
        ['AM', 0],
        ['PM', 3],
        ['unknown', 1],
      ],
    );
  });
});
