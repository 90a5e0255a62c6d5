/**
 * `tsx scripts/bundle.ts <actor>`: bundles `actors/<actor>/main.ts` and everything it imports (AWS SDK included)
 * into one plain ES module, `dist/<actor>/main.mjs`, that `node` runs without tsx. For batch jobs on small
 * machines: tsx's loader runs in a worker thread of its own and keeps every module's source, about 35-40 MB of RSS
 * that a bundle does not need (csv-to-stream: `--help` 120 MB under tsx, 80 MB bundled). The bundle sits two
 * folders below the repository like the sources, so paths built from `import.meta.url` (`../../config/...`) still
 * resolve. Rebuilt on every call (about a second); `dist/` is not committed.
 */
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { build } from 'esbuild';

const REPO = join(import.meta.dirname, '..');

/**
 * Bundles one actor: `main.ts`, and each `*-worker.ts` beside it (a worker thread's entry, loaded by URL) into its
 * own file, `dist/<actor>/<name>.mjs`. Returns the path of `main.mjs`.
 */
export const bundleActor = async (actor: string): Promise<string> => {
  const src = join(REPO, 'actors', actor);
  const outdir = join(REPO, 'dist', actor);
  const entries = [
    'main',
    ...readdirSync(src)
      .filter((f) => f.endsWith('-worker.ts'))
      .map((f) => f.slice(0, -3)),
  ];
  const result = await build({
    entryPoints: Object.fromEntries(entries.map((e) => [e, join(src, `${e}.ts`)])),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // CommonJS packages inside an ES module bundle still call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'warning',
    write: false,
  });
  if (result.outputFiles.length !== entries.length)
    throw new Error(
      `esbuild wrote ${result.outputFiles.length} files for ${entries.length} entries of ${actor}`,
    );
  // Written aside, then renamed: a run that started on the previous bundle keeps reading a whole file while
  // another call rebuilds it (two imports started at once, a restart during a rebuild). Workers first, so a new
  // main never starts an old worker.
  mkdirSync(outdir, { recursive: true });
  const files = [...result.outputFiles].sort(
    (a, b) => Number(a.path.endsWith('/main.mjs')) - Number(b.path.endsWith('/main.mjs')),
  );
  for (const file of files) {
    const aside = `${file.path}.${process.pid}.tmp`;
    writeFileSync(aside, file.contents);
    renameSync(aside, file.path);
  }
  return join(outdir, 'main.mjs');
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const actor = process.argv[2];
  if (actor === undefined || !/^[a-z0-9-]+$/.test(actor)) {
    console.error('usage: tsx scripts/bundle.ts <actor>');
    process.exit(64);
  }
  await bundleActor(actor);
}
