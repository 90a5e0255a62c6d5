/**
 * A thread's own CPU priority. On Linux a thread is a task with its own nice value, and `setpriority` on its
 * thread id changes that thread alone: a worker thread doing background work (the swarm's simulated fleet) can
 * yield the cores to the main thread without a process of its own.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The calling thread's id (`/proc/thread-self` → `<pid>/task/<tid>`); undefined off Linux. */
export const threadId = (): number | undefined => {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Sets the calling thread's nice value (0-19; raising it needs no privilege). Says why not where it cannot
 * (not Linux, or refused), so the caller can report it rather than believe it.
 */
export const niceThisThread = (
  nice: number,
): { readonly applied: true } | { readonly applied: false; readonly why: string } => {
  const tid = threadId();
  if (tid === undefined) return { applied: false, why: 'no /proc/thread-self (not Linux)' };
  try {
    setPriority(tid, nice);
    return { applied: true };
  } catch (e) {
    return { applied: false, why: e instanceof Error ? e.message : String(e) };
  }
};

/** A thread's nice value as the kernel reports it (field 19 of `/proc/self/task/<tid>/stat`). */
export const niceOf = (tid: number): number => {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[16]);
};
