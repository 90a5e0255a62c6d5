/**
 * The stack's pid file, `<dataDir>/pids.json`. It is three things: a lock (one stack per data folder: two
 * kinesalites on one LevelDB would corrupt it), the list of children `npm run stack -- --stop` stops from another
 * process, and the trace a crashed run leaves so the next start can clean up after it.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { LocalEndpoints } from '../aws/target.ts';
import { isAlive, procStartTime, stopGroup } from './processes.ts';

/** Name of the pid file inside the data folder. */
export const PID_FILE = 'pids.json';

/** One recorded process: pid plus /proc start time, so a recycled pid is never mistaken for ours. */
export interface ProcessRecord {
  readonly pid: number;
  readonly startTime: string;
}

/** Contents of the pid file. */
export interface StackRecord {
  readonly owner: ProcessRecord;
  readonly startedAt: string;
  readonly dataDir: string;
  readonly children: ReadonlyArray<
    ProcessRecord & { readonly name: string; readonly logFile: string }
  >;
  /** Set once every emulator answered. */
  readonly endpoints?: LocalEndpoints;
}

/** The held lock: rewrite the record as the stack comes up, release it when stopped. */
export interface StackLock {
  readonly path: string;
  readonly update: (record: Omit<StackRecord, 'owner' | 'startedAt' | 'dataDir'>) => void;
  readonly release: () => void;
}

/** Reads the pid file of a data folder; undefined when absent or unreadable. */
export const readStackRecord = (dataDir: string): StackRecord | undefined => {
  try {
    return JSON.parse(readFileSync(join(dataDir, PID_FILE), 'utf8')) as StackRecord;
  } catch {
    return undefined;
  }
};

/**
 * Takes the data folder's lock. If a pid file is there: a live owner means another stack runs on this folder
 * (an error that says how to stop it); a dead owner means a crashed run, whose surviving children are stopped.
 */
export const acquireStackLock = async (
  dataDir: string,
  log: (line: string) => void,
  stopTimeoutMs: number,
): Promise<StackLock> => {
  const path = join(dataDir, PID_FILE);
  const owner: ProcessRecord = { pid: process.pid, startTime: procStartTime(process.pid) ?? '' };
  const head = { owner, startedAt: new Date().toISOString(), dataDir };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // 'wx' fails if the file exists: creating it is the atomic "take the lock".
      writeFileSync(path, JSON.stringify({ ...head, children: [] }, null, 2), { flag: 'wx' });
      return lockAt(path, head);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const record = readStackRecord(dataDir);
    if (record === undefined && ageMs(path) < 5_000)
      throw new Error(
        `local stack: another stack is starting on ${dataDir} (${path} is being written)`,
      );
    if (record !== undefined && isAlive(record.owner.pid, record.owner.startTime)) {
      const urls = record.endpoints ? [...new Set(Object.values(record.endpoints))] : [];
      const where = urls.length ? ` at ${urls.join(', ')}` : '';
      throw new Error(
        `local stack: a stack is already running on ${dataDir} (owner pid ${record.owner.pid}, ` +
          `started ${record.startedAt}${where}). Use it, stop it with \`npm run stack -- --stop\`` +
          ` (with --data ${dataDir} if not the default), or choose another data folder.`,
      );
    }
    const survivors = (record?.children ?? []).filter((c) => isAlive(c.pid, c.startTime));
    if (survivors.length > 0) {
      log(
        `stopping ${survivors.length} emulator(s) left by a stack whose owner (pid ` +
          `${record?.owner.pid}) is gone: ${survivors.map((c) => `${c.name} pid ${c.pid}`).join(', ')}`,
      );
      await Promise.all(survivors.map((c) => stopGroup(c.pid, c.startTime, stopTimeoutMs)));
    }
    rmSync(path, { force: true });
  }
  throw new Error(`local stack: could not take the lock ${path}`);
};

const lockAt = (path: string, head: Omit<StackRecord, 'children' | 'endpoints'>): StackLock => ({
  path,
  update: (record) => {
    // Write then rename: a reader (`--stop`, a second starter) never sees half a file.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ ...head, ...record }, null, 2));
    renameSync(tmp, path);
  },
  release: () => {
    const current = readStackRecord(head.dataDir);
    if (current?.owner.pid === head.owner.pid) rmSync(path, { force: true });
  },
});

const ageMs = (path: string): number => {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Infinity;
  }
};

/** What {@link stopRecordedStack} found. */
export interface StopResult {
  /** A pid file was there. */
  readonly found: boolean;
  /** Emulators that were running and were stopped. */
  readonly stopped: ReadonlyArray<string>;
}

/**
 * Stops the stack recorded in a data folder, whoever started it (`npm run stack -- --stop`): each live child
 * group gets SIGTERM, then SIGKILL after `timeoutMs`; the pid file is removed. A stack owner still running
 * notices its children exiting and shuts down.
 * @example const { stopped } = await stopRecordedStack('.stack/data');
 */
export const stopRecordedStack = async (
  dataDir: string,
  timeoutMs = 5_000,
): Promise<StopResult> => {
  const record = readStackRecord(dataDir);
  if (record === undefined) return { found: false, stopped: [] };
  const live = record.children.filter((c) => isAlive(c.pid, c.startTime));
  await Promise.all(live.map((c) => stopGroup(c.pid, c.startTime, timeoutMs)));
  rmSync(join(dataDir, PID_FILE), { force: true });
  return { found: true, stopped: live.map((c) => `${c.name} (pid ${c.pid})`) };
};
