import assert from 'node:assert/strict';

import fc from 'fast-check';

import type { Report, Table } from '../aggregate/model.ts';
import { renderCsv } from './csv.ts';
import { escapeHtml } from './escape.ts';
import { renderHtml } from './html.ts';

const table = (rows: Table['rows']): Table => ({
  file: 'violations_by_street.csv',
  section: 'Where',
  title: 'Top <streets>',
  caption: 'Streets & "quotes"',
  columns: [
    { key: 'street', label: 'Street', kind: 'text' },
    { key: 'tickets', label: 'Tickets', kind: 'count' },
    { key: 'share', label: 'Share', kind: 'share' },
  ],
  rows,
  charts: [{ label: 'street', value: 'tickets' }],
  total: { column: 'tickets', value: 3 },
});
const report = (t: Table): Report => ({
  title: 'Report',
  sources: ['NYPD file a.csv'],
  headlines: [{ label: 'Tickets', value: 1234567, kind: 'count' }],
  tables: [t],
  notes: ['note'],
});

describe('Analysis > rendering', () => {
  it('escapes the five HTML characters', () => {
    assert.equal(
      escapeHtml(`<a href="x" onclick='y'>&</a>`),
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('writes RFC 4180 CSV: header of keys, quoted fields, fixed decimals, empty for null', () => {
    const csv = renderCsv(
      table([
        { street: 'BROADWAY, N.Y.', tickets: 2, share: 2 / 3 },
        { street: 'say "hi"', tickets: 1, share: null },
      ]),
    );
    assert.equal(csv, 'street,tickets,share\n"BROADWAY, N.Y.",2,0.666667\n"say ""hi""",1,\n');
  });

  it('never lets data become markup: any street name is escaped in tables and charts (property)', () =>
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (street) => {
        const html = renderHtml(
          report(table([{ street: `<script>${street}`, tickets: 3, share: 1 }])),
        );
        assert.ok(!html.includes('<script>'), 'a raw <script> tag');
        assert.ok(html.includes('&lt;script&gt;'));
      }),
      { numRuns: 50 },
    ));

  it('is self-contained: no script, no external resource, numbers formatted for people', () => {
    const html = renderHtml(report(table([{ street: 'BROADWAY', tickets: 3, share: 1 }])));
    assert.ok(!/<script|<link|<img|@import|url\(/i.test(html));
    assert.deepEqual(html.match(/https?:\/\/[^"]+/g), ['http://www.w3.org/2000/svg']); // the SVG namespace only
    assert.match(html, /1,234,567/);
    assert.match(html, /100%/);
    assert.match(html, /<svg class="chart"/);
    assert.match(html, /<a href="violations_by_street.csv">/);
  });
});
