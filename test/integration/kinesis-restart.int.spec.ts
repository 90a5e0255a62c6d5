/**
 * Crash and resume: 10,000 messages through a 4-shard stream, read by a consumer process that is SIGKILLed
 * mid-way and started again. Every message must be processed at least once, the restarted consumer must resume
 * from the checkpoints (not from the start), and the duplicates (processed twice) are counted.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createStream, deleteStream } from '../../runtime/aws/provision.ts';
import { topic } from '../../runtime/bus/bus.ts';
import { createKinesisBus } from '../../runtime/bus/kinesis.ts';
import { t } from '../../runtime/codec.ts';
import type { ChildConfig } from '../helpers/kinesis-consumer-child.ts';
import { type TestStack, uniqueName, useStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait-for.ts';

const CHILD = join(import.meta.dirname, '..', 'helpers', 'kinesis-consumer-child.ts');
const TOTAL = 10_000;
const Msg = t.type({ id: t.string, key: t.string });

const lines = (file: string): string[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('m-'))
    : [];

describe('Kinesis bus > crash and resume on the local stack', function () {
  this.timeout(90_000);
  let stack: TestStack;
  let dir: string;
  let stream: string;
  const children: ChildProcess[] = [];

  before(async () => {
    stack = await useStack();
    dir = mkdtempSync(join(tmpdir(), 'prestacop-restart-'));
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    if (stream) await deleteStream(stack.clients, stream);
  });

  const start = (
    cfg: ChildConfig,
  ): { child: ChildProcess; exited: Promise<unknown>; stderr: string[] } => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(cfg)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    const stderr: string[] = [];
    child.stderr?.on('data', (b: Buffer) => stderr.push(b.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    return { child, exited, stderr };
  };

  it('processes every message at least once across a SIGKILL, resuming from the checkpoints', async () => {
    stream = uniqueName('restart');
    await createStream(stack.clients, stream, 4);
    const publisher = createKinesisBus({
      clients: stack.clients,
      leaseTable: 'prestacop-leases',
      target: 'local',
    });
    const all = Array.from({ length: TOTAL }, (_, n) => ({
      id: `m-${n}`,
      key: `drone-${n % 100}`,
    }));
    await publisher.publish(
      topic(stream, Msg, (m) => m.key),
      all,
    );
    await publisher.close();

    const base = {
      target: stack.target,
      stream,
      application: 'restart-test',
      leaseTable: 'prestacop-leases',
      workerId: uniqueName('consumer'),
      ratePerSec: 4_000,
      leaseTimeoutMs: 2_000,
    };
    const out1 = join(dir, 'run1.txt');
    const first = start({ ...base, out: out1 });
    await waitFor('the first run to process 4,000', () => lines(out1).length >= 4_000, 30_000);
    first.child.kill('SIGKILL');
    await first.exited;
    const run1 = lines(out1);

    // The same worker id, as a restarted process on the same host: it takes its leases back at once.
    const out2 = join(dir, 'run2.txt');
    const second = start({ ...base, out: out2 });
    const union = () => new Set([...run1, ...lines(out2)]);
    try {
      await waitFor('every message', () => union().size === TOTAL, 30_000);
    } catch (e) {
      console.log(second.stderr.join(''));
      throw e;
    }
    second.child.kill('SIGTERM');
    await second.exited;

    const run2 = lines(out2);
    const once1 = new Set(run1);
    const overlap = run2.filter((id) => once1.has(id)).length;
    const duplicates = run1.length + run2.length - union().size;
    console.log(
      `      run 1 processed ${run1.length} before SIGKILL; run 2 processed ${run2.length}; ` +
        `${duplicates} duplicates (${overlap} redelivered after the crash, ${duplicates - overlap} within a run)`,
    );
    assert.equal(union().size, TOTAL, 'every message processed at least once');
    assert.ok(
      run2.length < TOTAL - run1.length + 2_000,
      'the restart resumed from the checkpoints',
    );
    // Started over, run 2 would process all TOTAL; lease expiries on a loaded machine add in-run redeliveries.
    assert.ok(run2.length < TOTAL - 1_000, 'far fewer than everything: not started over');
  });
});
