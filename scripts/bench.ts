/**
 * `npm run bench -- <name> [options]`: runs `scripts/bench-<name>.ts`, which exports `bench(args)`. Each benchmark
 * starts a local stack of its own (free ports, a temporary data folder) and reports ratios against a baseline
 * measured in the same run, since machines here are noisy.
 */
import '../runtime/node-version.ts';

import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const EX_USAGE = 64;
const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here)
  .flatMap((f) => /^bench-([a-z0-9-]+)\.ts$/.exec(f)?.slice(1, 2) ?? [])
  .sort();

const [name, ...args] = process.argv.slice(2);
if (name === undefined || !names.includes(name)) {
  console.error(`usage: npm run bench -- <name> [options]\n\nbenchmarks: ${names.join(', ')}`);
  process.exit(EX_USAGE);
}
const mod = (await import(`./bench-${name}.ts`)) as {
  bench: (args: ReadonlyArray<string>) => Promise<void>;
};
await mod.bench(args);
