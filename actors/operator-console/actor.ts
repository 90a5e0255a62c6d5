/**
 * The operator console, declared (runtime/launcher.ts): its queue on the alarm topic in, a web page out, escalations
 * to the alarm topic. `main.ts` launches it; its options are declared once in `config.ts` (flags, env, `--help`).
 */
import { defineActor } from '../../runtime/launcher.ts';
import { consoleOptions } from './config.ts';
import { ACTOR } from './service.ts';
import { startConsoleWithClients } from './wiring.ts';

/** The console: `launch(operatorConsole)`. */
export const operatorConsole = defineActor({
  name: ACTOR,
  summary:
    'a web page where operators see alarms live, acknowledge them and confirm or dismiss them; escalates the ignored ones',
  epilog:
    'JSON API: GET /api/alarms (every alarm with its status, and counts incl. duplicate deliveries);\n' +
    'POST /api/alarms/<id>/acknowledge|confirm|dismiss with {"operator":"name"} (with --operators, the name is the\n' +
    "token's). See actors/operator-console/README.md.",
  options: consoleOptions,
  start: async ({ clients, metrics, log }, cfg) => {
    const running = await startConsoleWithClients(clients, {
      alarmsTable: cfg.alarmsTable,
      eventsTable: cfg.eventsTable,
      topic: cfg.topic,
      queue: cfg.queue,
      bucket: cfg.bucket,
      host: cfg.host,
      port: cfg.port,
      access: cfg.access,
      escalateAfterMs: cfg.escalateAfterSeconds * 1_000,
      historyMs: cfg.historyHours * 3_600_000,
      needsHumanPollMs: cfg.needsHumanPollSeconds * 1_000,
      log,
      metrics,
    });
    const opened = cfg.publicOrigin === undefined ? running.url : `${cfg.publicOrigin}/`;
    const tokens =
      cfg.operators === undefined ? 'operators' : `${cfg.access.operators?.length} operators`;
    log.info(
      { url: running.url, publicOrigin: cfg.publicOrigin, tokens: cfg.token ? 'shared' : tokens },
      `operator console: ${running.url}`,
    );
    process.stderr.write(
      `operator console: ${opened}${cfg.access.token || cfg.access.operators ? '?token=<your token>' : ''}\n`,
    );
    return { healthy: running.healthy, stop: running.stop };
  },
});
