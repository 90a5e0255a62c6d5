/**
 * What the benchmarks that run services as processes share: free ports, a service process, its CPU and RSS from
 * /proc, and a metric read from its ops server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const TICK = 100; // clock ticks per second (USER_HZ on Linux)

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** CPU seconds (user + system, and system alone) and RSS in MiB of a process, from /proc. */
export const usage = (pid: number): { cpu: number; sys: number; rssMiB: number } => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const sys = Number(fields[12]) / TICK;
    const cpu = Number(fields[11]) / TICK + sys;
    const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return { cpu, sys, rssMiB: Math.round(Number(rss ?? 0) / 1024) };
  } catch {
    return { cpu: 0, sys: 0, rssMiB: 0 };
  }
};

export const metric = async (
  port: number,
  name: string,
  reduce: 'sum' | 'max' = 'sum',
): Promise<number> => {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const values = text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
    return values.length === 0
      ? 0
      : reduce === 'sum'
        ? values.reduce((a, b) => a + b, 0)
        : Math.max(...values);
  } catch {
    return 0;
  }
};

/**
 * Node's flags for a CPU profile named `<name>.cpuprofile` in `dir`, or none without a `dir` (the bench's `--profile`).
 * @example service('actors/stream-to-storage/main.ts', args, env, cpuProfile(profileDir, 'writer-1000'))
 */
export const cpuProfile = (dir: string | undefined, name: string): string[] =>
  dir ? ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `${name}.cpuprofile`] : [];

/** Starts a service's entry point (relative to `cwd`, default this checkout) with the stack's environment. */
export const service = (
  script: string,
  args: string[],
  env: Record<string, string>,
  nodeArgs: string[] = [],
  cwd?: string,
): ChildProcess =>
  spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], {
    cwd,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
