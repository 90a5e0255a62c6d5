import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { acquireStackLock, PID_FILE, readStackRecord, stopRecordedStack } from './pid-file.ts';
import { isAlive, procStartTime, spawnChild } from './processes.ts';

/** A harmless stand-in for an emulator: `sleep`, in its own process group like the real ones. */
const startSleeper = (dir: string) =>
  spawnChild({
    name: 'kinesis',
    label: 'sleeper',
    command: 'sleep',
    args: ['30'],
    env: process.env,
    cwd: dir,
    logFile: join(dir, 'sleeper.log'),
  });

describe('LocalStack > pid file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'prestacop-pidfile-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is a lock: a second taker is told who holds it and how to stop it', async () => {
    const lock = await acquireStackLock(dir, () => undefined, 1_000);
    await assert.rejects(
      acquireStackLock(dir, () => undefined, 1_000),
      (err: Error) => {
        assert.match(
          err.message,
          new RegExp(`already running on ${dir} \\(owner pid ${process.pid}`),
        );
        assert.match(err.message, /npm run stack -- --stop/);
        return true;
      },
    );
    lock.release();
    (await acquireStackLock(dir, () => undefined, 1_000)).release();
  });

  it('stops what a crashed owner left running, then takes the lock', async () => {
    const orphan = startSleeper(dir);
    const deadOwner = { pid: 2 ** 22 + 1, startTime: '1' }; // above pid_max: never alive
    writeFileSync(
      join(dir, PID_FILE),
      JSON.stringify({
        owner: deadOwner,
        startedAt: '2026-01-01T00:00:00Z',
        dataDir: dir,
        children: [{ name: 'kinesis', pid: orphan.pid, startTime: orphan.startTime, logFile: '' }],
      }),
    );
    const lines: string[] = [];
    const lock = await acquireStackLock(dir, (l) => lines.push(l), 2_000);
    await orphan.exited;
    assert.ok(!isAlive(orphan.pid));
    assert.match(
      lines.join('\n'),
      /stopping 1 emulator\(s\) left by a stack whose owner .* is gone/,
    );
    assert.equal(readStackRecord(dir)?.owner.pid, process.pid);
    lock.release();
  });

  it('never signals a recycled pid', async () => {
    const stranger = startSleeper(dir);
    writeFileSync(
      join(dir, PID_FILE),
      JSON.stringify({
        owner: { pid: process.pid, startTime: procStartTime(process.pid) },
        startedAt: '2026-01-01T00:00:00Z',
        dataDir: dir,
        children: [{ name: 'kinesis', pid: stranger.pid, startTime: 'not-its-start', logFile: '' }],
      }),
    );
    const result = await stopRecordedStack(dir, 1_000);
    assert.deepEqual(result, { found: true, stopped: [] });
    assert.ok(isAlive(stranger.pid, stranger.startTime));
    process.kill(stranger.pid, 'SIGTERM');
    await stranger.exited;
    assert.throws(() => readFileSync(join(dir, PID_FILE)), /ENOENT/);
  });
});
