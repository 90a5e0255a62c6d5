/**
 * The per-user list of running stacks, so `npm run swarm` (`--stack auto`) finds the stack `npm run stack` runs
 * whatever its data folder and checkout. One small file per stack, `<dir>/<hash of the data folder>.json`, written
 * once every emulator answered and removed on stop; an entry whose owner is dead (a SIGKILL) is ignored and
 * removed by the next reader. The folder: `PRESTACOP_STACK_REGISTRY`, else `$XDG_RUNTIME_DIR/prestacop/stacks`,
 * else `<tmpdir>/prestacop-<uid>/stacks` (mode 0700: only its user lists or writes it).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { LocalEndpoints } from '../aws/target.ts';
import type { ProcessRecord } from './pid-file.ts';
import { isAlive, procStartTime } from './processes.ts';

/** One registered stack. */
export interface StackEntry {
  readonly dataDir: string;
  readonly owner: ProcessRecord;
  readonly startedAt: string;
  readonly endpoints: LocalEndpoints;
}

/** Where the entries live, from the environment (see the module comment). */
export const registryDir = (env: NodeJS.ProcessEnv = process.env): string =>
  env.PRESTACOP_STACK_REGISTRY ||
  (env.XDG_RUNTIME_DIR
    ? join(env.XDG_RUNTIME_DIR, 'prestacop', 'stacks')
    : join(tmpdir(), `prestacop-${process.getuid?.() ?? 'user'}`, 'stacks'));

const entryPath = (dir: string, dataDir: string): string =>
  join(dir, `${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16)}.json`);

/**
 * Records this process as the owner of the stack on `dataDir`; returns the function that removes the entry
 * (only if it is still ours).
 * @example const unregister = registerStack(registryDir(), { dataDir, endpoints }); ... unregister();
 */
export const registerStack = (
  dir: string,
  stack: { readonly dataDir: string; readonly endpoints: LocalEndpoints },
): (() => void) => {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = entryPath(dir, stack.dataDir);
  const entry: StackEntry = {
    dataDir: resolve(stack.dataDir),
    owner: { pid: process.pid, startTime: procStartTime(process.pid) ?? '' },
    startedAt: new Date().toISOString(),
    endpoints: stack.endpoints,
  };
  // Write then rename: a reader never sees half a file.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(entry, null, 2), { mode: 0o600 });
  renameSync(tmp, path);
  return () => {
    if (readEntry(path)?.owner.pid === process.pid) rmSync(path, { force: true });
  };
};

const readEntry = (path: string): StackEntry | undefined => {
  try {
    const e = JSON.parse(readFileSync(path, 'utf8')) as Partial<StackEntry>;
    return typeof e.dataDir === 'string' &&
      typeof e.owner?.pid === 'number' &&
      typeof e.endpoints === 'object'
      ? (e as StackEntry)
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The stacks whose owner still runs, oldest first. Entries of a dead owner, and files that are not an entry, are
 * removed (a stale entry never hides or misleads).
 */
export const liveStacks = (
  dir: string,
  alive: (owner: ProcessRecord) => boolean = (o) => isAlive(o.pid, o.startTime),
): ReadonlyArray<StackEntry> => {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const live: StackEntry[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const entry = readEntry(path);
    if (entry !== undefined && alive(entry.owner)) live.push(entry);
    else rmSync(path, { force: true });
  }
  return live.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
};

/** What `--stack auto` does: use a running stack, start one, or refuse with the reason. */
export type AutoStack =
  | { readonly _tag: 'use'; readonly entry: StackEntry }
  | { readonly _tag: 'start' }
  | { readonly _tag: 'ambiguous'; readonly message: string };

/**
 * The rule of `--stack auto`: with `chosenDataDir`, the stack running on that folder (or start one there); else
 * the one running stack, none (start one), or, when several run, a refusal listing them and how to choose.
 * @example chooseStack(liveStacks(registryDir()), undefined) // { _tag: 'use', entry }
 */
export const chooseStack = (
  live: ReadonlyArray<StackEntry>,
  chosenDataDir: string | undefined,
): AutoStack => {
  if (chosenDataDir !== undefined) {
    const entry = live.find((e) => e.dataDir === resolve(chosenDataDir));
    return entry ? { _tag: 'use', entry } : { _tag: 'start' };
  }
  const [only, ...others] = live;
  if (only === undefined) return { _tag: 'start' };
  if (others.length === 0) return { _tag: 'use', entry: only };
  return {
    _tag: 'ambiguous',
    message: [
      `${live.length} local stacks are running; choose one with --stack-data DIR (env PRESTACOP_STACK_DATA):`,
      ...live.map(
        (e) =>
          `  ${e.dataDir}  (pid ${e.owner.pid}, started ${e.startedAt}, kinesis ${e.endpoints.kinesis})`,
      ),
    ].join('\n'),
  };
};
