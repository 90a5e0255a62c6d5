import assert from 'node:assert/strict';

import { bench, FULL_IMPORT_COMMAND } from './bench-alarms.ts';

describe('Scripts > bench alarms', () => {
  it('--help names the import option and the full measurement with an NYPD import beside', async () => {
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (s: string) => (written.push(s), true);
    try {
      await bench(['--help']);
    } finally {
      process.stdout.write = write;
    }
    const help = written.join('');
    for (const option of ['--with-import', '--import-rows', '--import-file', '--import-nice'])
      assert.match(help, new RegExp(`^  ${option} `, 'm'));
    assert.equal(
      FULL_IMPORT_COMMAND,
      'npm run bench -- alarms --drones 1000 --with-import --import-rows 1000000',
    );
    assert.ok(help.includes(FULL_IMPORT_COMMAND));
  });
});
