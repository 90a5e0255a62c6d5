import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { optionsTable } from '../../runtime/options.ts';
import { csvToStreamOptions } from './config.ts';

describe('CsvToStream > README', () => {
  it('lists the options as the declaration gives them', () => {
    const readme = readFileSync(new URL('README.md', import.meta.url), 'utf8');
    assert.ok(readme.includes(optionsTable(csvToStreamOptions.specs)), 'README table out of date');
  });
});
