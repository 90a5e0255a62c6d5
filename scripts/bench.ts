/**
 * `npm run bench -- <name> [options]`: runs `scripts/bench-<name>.ts`, which exports `bench(args)`. Each benchmark
 * starts a local stack of its own (free ports, a temporary data folder) and reports ratios against a baseline
 * measured in the same run, since machines here are noisy.
 */
import '../runtime/node-version.ts';

import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const EX_USAGE = 64;
const here = dirname(fileURLToPath(import.meta.url));
// Files that export `bench` (bench-procs.ts is what the others share).
const names = readdirSync(here)
  .flatMap((f) => /^bench-([a-z0-9-]+)\.ts$/.exec(f)?.slice(1, 2) ?? [])
  .filter((n) =>
    /^export (const|async function) bench\b/m.test(readFileSync(`${here}/bench-${n}.ts`, 'utf8')),
  )
  .sort();

const [name, ...args] = process.argv.slice(2);
const usage = `usage: npm run bench -- <name> [options]   (npm run bench -- <name> --help: its options)\n\nbenchmarks: ${names.join(', ')}`;
if (name === '--help' || name === '-h') {
  console.log(usage);
  process.exit(0);
}
if (name === undefined || !names.includes(name)) {
  console.error(usage);
  process.exit(EX_USAGE);
}
/** A benchmark's usage: the doc comment its file opens with (each names its options there). */
const docOf = (bench: string): string =>
  (/^\/\*\*\n([\s\S]*?)\n \*\//.exec(readFileSync(`${here}/bench-${bench}.ts`, 'utf8'))?.[1] ?? '')
    .split('\n')
    .map((line) => line.replace(/^ \* ?/, ''))
    .join('\n');
if (args.includes('--help') || args.includes('-h')) {
  console.log(docOf(name));
  process.exit(0);
}
const mod = (await import(`./bench-${name}.ts`)) as {
  bench: (args: ReadonlyArray<string>) => Promise<void>;
};
try {
  await mod.bench(args);
} catch (e) {
  // A mistyped option is the user's, not a crash: say which, and where the options are.
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw e;
  console.error(`bench ${name}: ${(e as Error).message}\n(npm run bench -- ${name} --help)`);
  process.exit(EX_USAGE);
}
