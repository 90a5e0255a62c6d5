/**
 * `tsx scripts/bundle.ts <actor>`: bundles `actors/<actor>/main.ts` and everything it imports (AWS SDK included)
 * into one plain ES module, `dist/<actor>/main.mjs`, that `node` runs without tsx. For batch jobs on small
 * machines: tsx's loader runs in a worker thread of its own and keeps every module's source, about 35-40 MB of RSS
 * that a bundle does not need (csv-to-stream: `--help` 120 MB under tsx, 80 MB bundled). The bundle sits two
 * folders below the repository like the sources, so paths built from `import.meta.url` (`../../config/...`) still
 * resolve. Rebuilt on every call (about a second); `dist/` is not committed.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { build } from 'esbuild';

const REPO = join(import.meta.dirname, '..');

/** Bundles one actor; returns the path of its `main.mjs`. */
export const bundleActor = async (actor: string): Promise<string> => {
  const outfile = join(REPO, 'dist', actor, 'main.mjs');
  const result = await build({
    entryPoints: [join(REPO, 'actors', actor, 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // CommonJS packages inside an ES module bundle still call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'warning',
    write: false,
  });
  // Written aside, then renamed: a run that started on the previous bundle keeps reading a whole file while
  // another call rebuilds it (two imports started at once, a restart during a rebuild).
  const [bundle] = result.outputFiles;
  if (bundle === undefined) throw new Error(`esbuild wrote no output for ${actor}`);
  mkdirSync(dirname(outfile), { recursive: true });
  const aside = `${outfile}.${process.pid}.tmp`;
  writeFileSync(aside, bundle.contents);
  renameSync(aside, outfile);
  return outfile;
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const actor = process.argv[2];
  if (actor === undefined || !/^[a-z0-9-]+$/.test(actor)) {
    console.error('usage: tsx scripts/bundle.ts <actor>');
    process.exit(64);
  }
  await bundleActor(actor);
}
