/**
 * `tsx scripts/bundle.ts <actor>`: bundles `actors/<actor>/main.ts` and everything it imports (AWS SDK included)
 * into one plain ES module, `dist/<actor>/main.mjs`, that `node` runs without tsx. For batch jobs on small
 * machines: tsx's loader runs in a worker thread of its own and keeps every module's source, about 35-40 MB of RSS
 * that a bundle does not need (csv-to-stream: `--help` 120 MB under tsx, 80 MB bundled). The bundle sits two
 * folders below the repository like the sources, so paths built from `import.meta.url` (`../../config/...`) still
 * resolve. Rebuilt on every call (about a second); `dist/` is not committed.
 */
import { join } from 'node:path';

import { build } from 'esbuild';

const REPO = join(import.meta.dirname, '..');

/** Bundles one actor; returns the path of its `main.mjs`. */
export const bundleActor = async (actor: string): Promise<string> => {
  const outfile = join(REPO, 'dist', actor, 'main.mjs');
  await build({
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
  });
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
