/** `npm run operator-console -- --help`: the operator console as its own service, against any target. */
import '../../runtime/node-version.ts';

import { E } from '../../runtime/codec.ts';
import { configOrExit } from '../../runtime/config.ts';
import { runService } from '../../runtime/service.ts';
import { consoleAccessOf, consoleSpec } from './config.ts';
import { ACTOR } from './service.ts';
import { startConsoleWithClients } from './wiring.ts';

const cfg = configOrExit(consoleSpec(), process.argv.slice(2), process.env);
const access = consoleAccessOf(cfg);
if (E.isLeft(access)) {
  process.stderr.write(
    `${ACTOR}: invalid configuration\n${access.left.map((i) => `  - ${i}`).join('\n')}\n`,
  );
  process.exit(78);
}

await runService(ACTOR, cfg, async ({ clients, metrics, log }) => {
  const running = await startConsoleWithClients(clients, {
    alarmsTable: cfg.alarmsTable,
    eventsTable: cfg.eventsTable,
    topic: cfg.topic,
    queue: cfg.queue,
    bucket: cfg.bucket,
    host: cfg.host,
    port: cfg.port,
    access: access.right,
    escalateAfterMs: cfg.escalateAfterSeconds * 1_000,
    historyMs: cfg.historyHours * 3_600_000,
    needsHumanPollMs: cfg.needsHumanPollSeconds * 1_000,
    log,
    metrics,
  });
  const opened = cfg.publicOrigin === undefined ? running.url : `${cfg.publicOrigin}/`;
  const tokens =
    cfg.operators === undefined ? 'operators' : `${access.right.operators?.length} operators`;
  log.info(
    { url: running.url, publicOrigin: cfg.publicOrigin, tokens: cfg.token ? 'shared' : tokens },
    `operator console: ${running.url}`,
  );
  process.stderr.write(
    `operator console: ${opened}${access.right.token || access.right.operators ? '?token=<your token>' : ''}\n`,
  );
  return { healthy: running.healthy, stop: running.stop };
});
