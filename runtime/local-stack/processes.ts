/**
 * Emulator processes: spawn each in its own process group with its output in a log file, tell a live process
 * from a dead or recycled pid, and stop a whole group (SIGTERM, then SIGKILL). Linux only: identity comes from
 * /proc/<pid>/stat, so a pid file written by a crashed run can never make us signal an unrelated process.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** How to start one emulator. */
export interface ChildSpec {
  /** Short id (`kinesis`, `dynamodb`, `s3`, `sns`). */
  readonly name: string;
  /** Human name for messages (`DynamoDB Local`). */
  readonly label: string;
  readonly command: string;
  readonly args: ReadonlyArray<string>;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly logFile: string;
}

/** How a child ended. */
export interface ChildExit {
  readonly name: string;
  readonly label: string;
  readonly code: number | null;
  readonly signal: string | null;
  readonly logFile: string;
  /** Set when the process could not be started at all (ENOENT, EACCES). */
  readonly error?: Error;
}

/** A started child. `exited` settles once it has ended and been reaped. */
export interface RunningChild {
  readonly name: string;
  readonly label: string;
  readonly pid: number;
  /** /proc start time (clock ticks since boot): with the pid, the process's identity. */
  readonly startTime: string;
  readonly logFile: string;
  readonly exited: Promise<ChildExit>;
  /** The exit, once it happened. */
  readonly exit: () => ChildExit | undefined;
}

/**
 * Starts a child as the leader of a new process group (`detached`), so stopping it signals the group, and so a
 * Ctrl-C in the terminal reaches only the stack's owner, which then stops the children in order.
 */
export const spawnChild = (spec: ChildSpec): RunningChild => {
  const fd = openSync(spec.logFile, 'a');
  writeSync(
    fd,
    `\n--- ${new Date().toISOString()} starting ${spec.label}: ${spec.command} ${spec.args.join(' ')}\n`,
  );
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd); // the child holds its own copy
  let exit: ChildExit | undefined;
  const base = { name: spec.name, label: spec.label, logFile: spec.logFile };
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => resolve((exit = { ...base, code, signal })));
    child.once('error', (error) => resolve((exit = { ...base, code: null, signal: null, error })));
  });
  return {
    ...base,
    pid: child.pid ?? -1,
    startTime: child.pid === undefined ? '' : (procStartTime(child.pid) ?? ''),
    exited,
    exit: () => exit,
  };
};

/** Field 22 of /proc/<pid>/stat, or undefined if there is no such process. */
export const procStartTime = (pid: number): string | undefined => procStat(pid)?.[19];

/** Fields 3.. of /proc/<pid>/stat (after the `(comm)`, which may itself contain spaces). */
const procStat = (pid: number): ReadonlyArray<string> | undefined => {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
};

/**
 * Whether `pid` is running and, when `startTime` is given, is still the process we started (not a recycled pid).
 * A zombie counts as dead: it holds no sockets or files, its parent just has not reaped it yet.
 */
export const isAlive = (pid: number, startTime?: string): boolean => {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  const stat = procStat(pid);
  if (stat === undefined) return false;
  if (stat[0] === 'Z' || stat[0] === 'X') return false;
  return startTime === undefined || startTime === '' || stat[19] === startTime;
};

/** Signals a process group, ignoring "no such process". */
export const signalGroup = (pid: number, signal: NodeJS.Signals): void => {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
};

/**
 * Stops the group led by `pid`: SIGTERM, then SIGKILL if the leader is still alive after `timeoutMs`. Does
 * nothing when the pid is dead or no longer ours. Resolves once the leader is gone.
 */
export const stopGroup = async (
  pid: number,
  startTime: string,
  timeoutMs: number,
  exited?: Promise<unknown>,
): Promise<void> => {
  if (!isAlive(pid, startTime)) return;
  signalGroup(pid, 'SIGTERM');
  if (await gone(pid, startTime, timeoutMs, exited)) return;
  signalGroup(pid, 'SIGKILL');
  if (!(await gone(pid, startTime, 5_000, exited)))
    throw new Error(`process ${pid} survived SIGKILL for 5 s`);
};

/** Waits until the process is dead (and, for our own children, reaped, so `exited` has settled). */
const gone = async (
  pid: number,
  startTime: string,
  timeoutMs: number,
  exited: Promise<unknown> | undefined,
): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid, startTime)) {
      if (exited) await Promise.race([exited, sleep(Math.max(0, deadline - Date.now()))]);
      return true;
    }
    await sleep(25);
  }
  return false;
};

/** The last `lines` lines of a log file, indented, for error messages. */
export const tailFile = (path: string, lines = 15): string => {
  try {
    const all = readFileSync(path, 'utf8').trimEnd().split('\n');
    return all
      .slice(-lines)
      .map((l) => `    | ${l}`)
      .join('\n');
  } catch {
    return '    | (no log)';
  }
};
