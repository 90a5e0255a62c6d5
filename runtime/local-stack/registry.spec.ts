import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  chooseStack,
  liveStacks,
  registerStack,
  registryDir,
  type StackEntry,
} from './registry.ts';

const endpoints = (port: number) => {
  const url = `http://127.0.0.1:${port}`;
  return { kinesis: url, dynamodb: url, s3: url, sns: url, sqs: url };
};
const entry = (dataDir: string, pid: number, startedAt: string): StackEntry => ({
  dataDir,
  owner: { pid, startTime: '1' },
  startedAt,
  endpoints: endpoints(4567),
});

describe('LocalStack > registry of running stacks', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'prestacop-registry-')), 'stacks');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('lives in PRESTACOP_STACK_REGISTRY, else under XDG_RUNTIME_DIR, else in a per-user temp folder', () => {
    assert.equal(registryDir({ PRESTACOP_STACK_REGISTRY: '/x/r' }), '/x/r');
    assert.equal(registryDir({ XDG_RUNTIME_DIR: '/run/user/7' }), '/run/user/7/prestacop/stacks');
    assert.equal(registryDir({}), join(tmpdir(), `prestacop-${process.getuid?.()}`, 'stacks'));
  });

  it('lists a registered stack while its owner runs, and forgets it once unregistered', () => {
    const unregister = registerStack(dir, { dataDir: '/data/a', endpoints: endpoints(1) });
    const [only, ...rest] = liveStacks(dir);
    assert.equal(rest.length, 0);
    assert.equal(only?.dataDir, '/data/a');
    assert.equal(only?.owner.pid, process.pid);
    assert.deepEqual(only?.endpoints, endpoints(1));
    unregister();
    assert.deepEqual(liveStacks(dir), []);
  });

  it('ignores and removes the entry of a dead owner, and a file that is not an entry', () => {
    registerStack(dir, { dataDir: '/data/a', endpoints: endpoints(1) });
    writeFileSync(join(dir, 'junk.json'), '{"not":"an entry"');
    assert.deepEqual(
      liveStacks(dir, () => false),
      [],
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  it('an empty or missing folder lists nothing', () => {
    assert.deepEqual(liveStacks(dir), []);
    assert.equal(existsSync(dir), false);
  });

  it('auto: uses the one running stack, starts one when none runs', () => {
    const a = entry('/data/a', 1, '2026-01-01T00:00:00Z');
    assert.deepEqual(chooseStack([a], undefined), { _tag: 'use', entry: a });
    assert.deepEqual(chooseStack([], undefined), { _tag: 'start' });
  });

  it('auto: refuses to guess among several, listing them and the flag to choose', () => {
    const a = entry('/data/a', 1, '2026-01-01T00:00:00Z');
    const b = entry('/data/b', 2, '2026-01-02T00:00:00Z');
    const r = chooseStack([a, b], undefined);
    assert.equal(r._tag, 'ambiguous');
    if (r._tag !== 'ambiguous') return;
    assert.match(r.message, /2 local stacks are running/);
    assert.match(r.message, /--stack-data DIR/);
    assert.match(r.message, /\/data\/a {2}\(pid 1/);
    assert.match(r.message, /\/data\/b {2}\(pid 2/);
  });

  it('auto with a chosen data folder: the stack on it, else a new one there', () => {
    const a = entry('/data/a', 1, '2026-01-01T00:00:00Z');
    const b = entry('/data/b', 2, '2026-01-02T00:00:00Z');
    assert.deepEqual(chooseStack([a, b], '/data/b'), { _tag: 'use', entry: b });
    assert.deepEqual(chooseStack([a, b], '/data/c/../b'), { _tag: 'use', entry: b });
    assert.deepEqual(chooseStack([a], '/data/c'), { _tag: 'start' });
  });
});
