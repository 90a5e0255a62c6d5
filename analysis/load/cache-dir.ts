/**
 * Where the archive cache lives by default: a folder of the user's own, never one shared by every user of the
 * machine (a shared `/tmp` folder lets another user read the archive's copy, or plant batches the report would
 * count). Created `0700` by the archive cache (`archive-cache.ts`).
 */
import { isAbsolute, join } from 'node:path';

/**
 * `$XDG_CACHE_HOME/prestacop/analysis`, or `<home>/.cache/prestacop/analysis` when it is unset or not absolute
 * (the XDG rule: a relative path is ignored).
 *
 * @example
 * defaultCacheDir({}, '/home/ana'); // '/home/ana/.cache/prestacop/analysis'
 */
export const defaultCacheDir = (
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): string => {
  const xdg = env.XDG_CACHE_HOME;
  return join(
    xdg !== undefined && isAbsolute(xdg) ? xdg : join(home, '.cache'),
    'prestacop',
    'analysis',
  );
};
