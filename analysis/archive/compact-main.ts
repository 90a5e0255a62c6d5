/** `npm run compact -- [--dry-run] [--type T ...]`: see compact.ts and `--help`. */
import '../../runtime/node-version.ts';

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createAwsClients } from '../../runtime/aws/clients.ts';
import { toAwsTarget } from '../../runtime/aws/options.ts';
import { configOrExit } from '../../runtime/config.ts';
import { createEngine } from '../engine/duckdb.ts';
import { compactArchive } from './compact.ts';
import { compactSpec } from './config.ts';

const spec = compactSpec();
const cfg = configOrExit(spec, process.argv.slice(2), process.env);
const workDir = mkdtempSync(join(tmpdir(), 'prestacop-compact-'));
const clients = createAwsClients(toAwsTarget(cfg));
const engine = await createEngine({ workDir, threads: cfg.threads, memoryLimit: cfg.memoryLimit });
const started = Date.now();
try {
  const results = await compactArchive(
    {
      bucket: cfg.bucket,
      graceMs: cfg.graceMinutes * 60_000,
      workDir,
      dryRun: cfg.dryRun,
      ...(cfg.type === undefined ? {} : { types: cfg.type }),
    },
    {
      s3: clients.s3,
      engine,
      now: Date.now,
      progress: (line) => process.stderr.write(`${line}\n`),
    },
  );
  const count = (kind: string) => results.filter((r) => r.outcome.kind === kind).length;
  process.stdout.write(
    `${spec.name}: ${results.length} closed hours: ${count('compacted')} compacted, ${count('up-to-date')} up to date, ` +
      `${count('would-compact')} to compact (dry run), ${count('refused')} refused, in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  if (count('refused') > 0) process.exitCode = 65;
} catch (err) {
  process.stderr.write(`${spec.name}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  engine.close();
  clients.destroy();
  rmSync(workDir, { recursive: true, force: true });
}
