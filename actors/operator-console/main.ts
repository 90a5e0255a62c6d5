/** `npm run operator-console -- --help`: the operator console as its own service, against any target. */
import '../../runtime/node-version.ts';

import {
  AwsOptions,
  awsOptionSpecs,
  OpsOptions,
  opsOptionSpecs,
} from '../../runtime/aws/options.ts';
import { loadResourcesOrThrow } from '../../runtime/aws/resources.ts';
import { NonEmptyString, NonNegativeInt, Port, t } from '../../runtime/codec.ts';
import { configOrExit } from '../../runtime/config.ts';
import { runService } from '../../runtime/service.ts';
import { isLoopback } from './server.ts';
import { ACTOR } from './service.ts';
import { startConsoleWithClients } from './wiring.ts';

const spec = loadResourcesOrThrow();
const Token = t.refinement(t.string, (s) => s.length >= 16, 'Token (16 characters or more)');
const Config = t.intersection([
  AwsOptions,
  OpsOptions,
  t.type({
    host: NonEmptyString,
    port: Port,
    token: t.union([Token, t.undefined]),
    escalateAfterSeconds: NonNegativeInt,
    historyHours: NonNegativeInt,
    alarmsTable: NonEmptyString,
    eventsTable: NonEmptyString,
    topic: NonEmptyString,
    queue: NonEmptyString,
    bucket: NonEmptyString,
  }),
]);

const cfg = configOrExit(
  {
    name: ACTOR,
    summary:
      'a web page where operators see alarms live, acknowledge them and confirm or dismiss them; escalates the ignored ones',
    codec: Config,
    options: {
      host: {
        type: 'string',
        doc: 'address to serve on (anything but loopback needs --token)',
        env: 'PRESTACOP_CONSOLE_HOST',
        default: '127.0.0.1',
      },
      port: {
        type: 'string',
        doc: 'port to serve on (0 = any free port; printed)',
        env: 'PRESTACOP_CONSOLE_PORT',
        default: '8090',
      },
      token: {
        type: 'string',
        doc: 'access token (16+ characters); required unless --host is loopback; open /?token=... once',
        env: 'PRESTACOP_CONSOLE_TOKEN',
      },
      'escalate-after-seconds': {
        type: 'string',
        doc: 'an alarm nobody acknowledged this long after its raise is escalated (re-published to SNS)',
        env: 'PRESTACOP_ESCALATE_AFTER_SECONDS',
        default: '120',
      },
      'history-hours': {
        type: 'string',
        doc: 'alarms raised this far back are loaded from the alarm store at start',
        env: 'PRESTACOP_CONSOLE_HISTORY_HOURS',
        default: '24',
      },
      'alarms-table': {
        type: 'string',
        doc: 'the alarm store (read at start)',
        env: 'PRESTACOP_ALARMS_TABLE',
        default: spec.tables.alarms.name,
      },
      'events-table': {
        type: 'string',
        doc: 'decisions and escalations (alarm.resolved, alarm.escalated)',
        env: 'PRESTACOP_ALARM_EVENTS_TABLE',
        default: spec.tables.alarmEvents.name,
      },
      topic: {
        type: 'string',
        doc: 'SNS alarm topic (name or ARN): escalations are published there',
        env: 'PRESTACOP_ALARM_TOPIC',
        default: spec.topics.alarms.name,
      },
      queue: {
        type: 'string',
        doc: "the console's own SQS queue on the alarm topic (name or URL)",
        env: 'PRESTACOP_OPERATOR_CONSOLE_QUEUE',
        default: spec.queues.operatorConsole.name,
      },
      bucket: {
        type: 'string',
        doc: 'bucket of the violation images (violation-images/<id>.svg)',
        env: 'PRESTACOP_BUCKET',
        default: spec.buckets.archive.name,
      },
      ...awsOptionSpecs,
      ...opsOptionSpecs,
    },
    epilog:
      'JSON API: GET /api/alarms (every alarm with its status, and counts incl. duplicate deliveries);\n' +
      'POST /api/alarms/<id>/acknowledge|confirm|dismiss with {"operator":"name"}. See actors/operator-console/README.md.',
  },
  process.argv.slice(2),
  process.env,
);
if (!isLoopback(cfg.host) && cfg.token === undefined) {
  process.stderr.write(
    `${ACTOR}: invalid configuration\n  - --host ${cfg.host} is not loopback: a --token (env PRESTACOP_CONSOLE_TOKEN) is required\n`,
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
    ...(cfg.token ? { token: cfg.token } : {}),
    escalateAfterMs: cfg.escalateAfterSeconds * 1_000,
    historyMs: cfg.historyHours * 3_600_000,
    log,
    metrics,
  });
  log.info({ url: running.url }, `operator console: ${running.url}`);
  process.stderr.write(
    `operator console: ${running.url}${cfg.token ? '?token=<your token>' : ''}\n`,
  );
  return { healthy: running.healthy, stop: running.stop };
});
