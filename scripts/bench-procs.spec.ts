import assert from 'node:assert/strict';

import { cpuProfile } from './bench-procs.ts';

describe('bench processes', () => {
  it("profiles a service's CPU into the given folder under the given name, and only when asked", () => {
    assert.deepEqual(cpuProfile('/tmp/prof', 'writer-1000'), [
      '--cpu-prof',
      '--cpu-prof-dir',
      '/tmp/prof',
      '--cpu-prof-name',
      'writer-1000.cpuprofile',
    ]);
    assert.deepEqual(cpuProfile(undefined, 'writer-1000'), []);
  });
});
