import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/** `npm run bench -- ARGS` as the user types it, without npm: the same entry point, the same Node. */
const bench = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });

describe('Scripts > npm run bench', () => {
  it('lists the benchmarks (not the helpers they share) and prints one’s usage with --help', () => {
    const list = bench('--help');
    assert.equal(list.status, 0);
    assert.match(list.stdout, /benchmarks: alarms, analysis, archive, bus, csv, swarm, writer\n/);
    const writer = bench('writer', '--help');
    assert.equal(writer.status, 0, writer.stderr);
    assert.match(writer.stdout, /^`npm run bench -- writer \[--messages 60000\]/);
    assert.doesNotMatch(writer.stdout, /^ \*/m);
  });

  it('answers a mistyped option with its name and exit 64, not a stack trace', () => {
    const out = bench('writer', '--mesages', '10');
    assert.equal(out.status, 64);
    assert.match(out.stderr, /^bench writer: Unknown option '--mesages'/);
    assert.doesNotMatch(out.stderr, /at parseArgs/);
  });
});
