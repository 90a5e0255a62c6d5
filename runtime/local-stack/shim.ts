/**
 * Builds bind-loopback.so (see bind-loopback.c) once per source version into the cache folder, and checks the
 * host tools the stack needs. Compiling on first start keeps a binary out of git and works on any glibc.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SOURCE = fileURLToPath(new URL('./bind-loopback.c', import.meta.url));

/** How to install each host tool on Debian (scripts/ci-deps.sh does it for CI). */
const INSTALL_HINT: Readonly<Record<string, string>> = {
  gcc: 'gcc builds the loopback shim that keeps DynamoDB Local on 127.0.0.1: apt-get install gcc',
  java: 'DynamoDB Local needs Java 17: apt-get install openjdk-17-jre-headless',
};

/** The absolute path of `command` on PATH, or undefined. */
export const findOnPath = (command: string): string | undefined =>
  (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, command))
    .find((p) => existsSync(p));

/**
 * The path of `command`, or an Error saying what needs it and how to install it.
 * @example const java = requireTool('java');
 */
export const requireTool = (command: 'gcc' | 'java'): string => {
  const found = findOnPath(command);
  if (found === undefined)
    throw new Error(
      `local stack: \`${command}\` not found on PATH. ${INSTALL_HINT[command]} ` +
        '(or run scripts/ci-deps.sh)',
    );
  return found;
};

/**
 * Returns the path of the compiled shim, compiling it first if this source version is not cached. The file
 * name carries the source hash, and the build goes to a temporary name then is renamed, so concurrent starts
 * and source edits never see a half-written or stale library.
 * @example env.LD_PRELOAD = await buildShim('.stack/cache');
 */
export const buildShim = async (cacheDir: string): Promise<string> => {
  const source = readFileSync(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const target = join(cacheDir, `bind-loopback-${hash}.so`);
  if (existsSync(target)) return target;
  const gcc = requireTool('gcc');
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    await promisify(execFile)(gcc, ['-shared', '-fPIC', '-O2', '-o', tmp, SOURCE, '-ldl']);
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(
      `local stack: gcc failed to build ${SOURCE}: ${(err as Error).message}\n${stderr}`,
    );
  }
  return target;
};
