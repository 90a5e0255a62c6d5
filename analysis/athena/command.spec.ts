import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

import { E } from '../../runtime/codec.ts';
import { athenaSettings } from './command.ts';

const ok = {
  workgroup: 'prestacop-analysis',
  database: 'prestacop',
  pricePerTb: 5,
  target: 'aws' as const,
  nypd: undefined,
  dynamo: false,
};

describe('Analysis > --engine athena options', function () {
  this.timeout(60_000);

  it('takes a workgroup, a database and a price on the aws target', () => {
    assert.deepEqual(
      athenaSettings(ok),
      E.right({ workgroup: 'prestacop-analysis', database: 'prestacop', pricePerTb: 5 }),
    );
  });

  it('names every missing or conflicting option', () => {
    const r = athenaSettings({
      ...ok,
      workgroup: undefined,
      database: undefined,
      target: 'local',
      dynamo: true,
    });
    assert.ok(E.isLeft(r));
    assert.deepEqual(
      r.left.map((l) => l.split(' ')[0]),
      ['--workgroup', '--database', '--engine', '--engine'],
    );
  });

  it('exits 78 with the reasons before touching AWS', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'analysis/main.ts', '--out', '/nonexistent', '--engine', 'athena'],
      { encoding: 'utf8', env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_PROFILE: 'none' } },
    );
    assert.equal(run.status, 78, run.stderr);
    assert.match(run.stderr, /--workgroup is required with --engine athena/);
    assert.match(run.stderr, /--engine athena needs --target aws/);
    const price = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'analysis/main.ts',
        '--out',
        '/nonexistent',
        '--engine',
        'athena',
        '--price-per-tb',
        'cheap',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(price.status, 78, price.stderr);
    assert.match(price.stderr, /price/i);
  });
});
