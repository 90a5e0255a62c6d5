import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { readCsv } from '../actors/csv-to-stream/csv-records.ts';
import { prepareInputs } from '../actors/csv-to-stream/inputs.ts';
import { normaliseRow } from '../actors/csv-to-stream/normalise.ts';
import { generateNypd } from './nypd-generator.ts';

describe('Scripts > NYPD file generator', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'gen-nypd-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Reads a generated file the way csv-to-stream does. */
  const importDry = async (path: string) => {
    const [input] = await prepareInputs([path]);
    const reasons: string[] = [];
    const findings = new Set<string>();
    let rows = 0;
    for await (const batch of readCsv(path, input!.afterHeader))
      for (const item of batch.items) {
        rows++;
        const v = item.kind === 'record' ? normaliseRow(item.fields, input!.layout) : undefined;
        if (v?.ok) v.findings.forEach((f) => findings.add(f));
        else reasons.push(v ? v.reason : 'csv_syntax');
      }
    return { layout: input!.layout.kind, rows, reasons, findings };
  };

  it('writes the rows asked for, with real dirt that csv-to-stream rejects or reports', async () => {
    const out = join(dir, 'g43.csv');
    const result = await generateNypd({ rows: 3_000, out, layout: 43, dirty: 0.05, seed: 7 });
    const read = await importDry(out);
    assert.equal(read.layout, '43');
    assert.equal(read.rows, 3_000);
    assert.deepEqual(read.reasons, Array<string>(result.dirt.wrapped).fill('field_count'));
    for (const f of [
      'county_missing',
      'violation_time_no_meridiem',
      'registration_state_99',
      'non_ascii_text',
    ])
      assert.ok(read.findings.has(f), f);
    assert.ok(readFileSync(out, 'latin1').includes('\r\n'));
  });

  it('writes the 51-column layout with LF, a BOM and no final newline on request; the same seed, the same file', async () => {
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    const options = {
      rows: 500,
      layout: 51,
      dirty: 0.02,
      seed: 3,
      bom: true,
      finalNewline: false,
    } as const;
    await generateNypd({ ...options, out: a });
    await generateNypd({ ...options, out: b });
    const bytes = readFileSync(a);
    assert.deepEqual(bytes, readFileSync(b));
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.notEqual(bytes.at(-1), 0x0a);
    const read = await importDry(a);
    assert.deepEqual([read.layout, read.rows], ['51', 500]);
  });
});
