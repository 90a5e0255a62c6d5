/** `npm run archive:relayout -- [--dry-run]`: see relayout.ts and `--help`. */
import '../../runtime/node-version.ts';

import { createAwsClients } from '../../runtime/aws/clients.ts';
import { toAwsTarget } from '../../runtime/aws/options.ts';
import { configOrExit } from '../../runtime/config.ts';
import { relayoutSpec } from './config.ts';
import { relayout } from './relayout.ts';

const spec = relayoutSpec();
const cfg = configOrExit(spec, process.argv.slice(2), process.env);
const clients = createAwsClients(toAwsTarget(cfg));
try {
  const { listed, moved } = await relayout(clients.s3, cfg.bucket, {
    dryRun: cfg.dryRun,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(
    `${spec.name}: ${listed} objects listed, ${moved.length} ${cfg.dryRun ? 'to move (dry run: nothing changed)' : 'moved'}\n`,
  );
} catch (err) {
  process.stderr.write(`${spec.name}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  clients.destroy();
}
