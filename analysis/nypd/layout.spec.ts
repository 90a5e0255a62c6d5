import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { E } from '../../runtime/codec.ts';
import { readLayout } from './layout.ts';

describe('Analysis > NYPD header: the protocol column table, as csv-to-stream reads it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layout-spec-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const layoutOfHeader = async (header: string) => {
    const file = join(dir, 'f.csv');
    writeFileSync(file, `${header}\n`);
    return readLayout(file);
  };

  it('refuses a file with a known column twice, even one no statistic reads (csv-to-stream does)', async () => {
    const layout = await layoutOfHeader(
      'Summons Number,Issue Date,Violation Code,Issuing Agency,issuing agency',
    );
    assert.deepEqual(layout, E.left(['column "Issuing Agency" appears twice (4 and 5)']));
  });

  it("takes a file for R's only when every known name is R's (csv-to-stream's rule, over the same columns)", async () => {
    const mixed = await layoutOfHeader('Summons.Number,Issue.Date,Violation.Code,Issuing Agency');
    assert.ok(E.isRight(mixed));
    assert.equal(mixed.right.rStyle, undefined);
    assert.equal(mixed.right.at.issuingAgency, 3);
  });
});
