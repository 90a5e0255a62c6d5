/**
 * The operator console's command line: every option once (flag, env variable, default, one line of doc), the
 * codec that validates them, and the checks across options (who may use the console), so `--help`, parsing and
 * error messages come from the same declarations (runtime/config.ts). A token is never shown in an error.
 */
import {
  AwsOptions,
  awsOptionSpecs,
  OpsOptions,
  opsOptionSpecs,
} from '../../runtime/aws/options.ts';
import {
  E,
  NonEmptyString,
  NonNegativeInt,
  NumberLike,
  Port,
  PositiveInt,
  t,
} from '../../runtime/codec.ts';
import type { CommandSpec } from '../../runtime/config.ts';
import { isLoopback } from '../../runtime/loopback.ts';
import { loadResourcesOrThrow } from '../protocol/index.ts';
import { readOperatorsFile } from './operators-file.ts';
import { ACTOR, type ConsoleAccess } from './service.ts';

/** An optional secret of 16+ characters whose value no error message repeats (it lands in logs and terminals). */
const OptionalToken = new t.Type<string | undefined, string | undefined, unknown>(
  'Token',
  (u): u is string | undefined => u === undefined || (typeof u === 'string' && u.length >= 16),
  (u, c) =>
    u === undefined
      ? t.success(undefined)
      : typeof u === 'string' && u.length >= 16
        ? t.success(u)
        : t.failure(
            '[not shown]',
            c,
            `expected a token of 16 characters or more (the value given is not shown)`,
          ),
  (s) => s,
);

/** `https://host[:port]`, nothing after: what the browser sends as Origin behind a TLS proxy. */
const OptionalPublicOrigin = new t.Type<string | undefined, string | undefined, unknown>(
  'PublicOrigin',
  (u): u is string | undefined => u === undefined || typeof u === 'string',
  (u, c) => {
    if (u === undefined) return t.success(undefined);
    const given = typeof u === 'string' ? u.trim().replace(/\/$/, '') : '';
    let origin = '';
    try {
      origin = new URL(given).origin;
    } catch {
      // not a URL: refused below
    }
    return origin === given && given.startsWith('https://')
      ? t.success(origin)
      : t.failure(u, c, `expected an https origin such as https://console.example.org (no path)`);
  },
  (s) => s,
);

const SessionHours = t.refinement(
  NumberLike,
  (n) => n > 0 && n <= 24 * 31,
  'SessionHours (more than 0, at most 744)',
);

/** How often the alert system's notes on dead letters are counted again: 1 s to 1 h. */
const NeedsHumanPollSeconds = t.refinement(
  PositiveInt,
  (n) => n <= 3_600,
  'NeedsHumanPollSeconds (an integer from 1 to 3600)',
);

/** The validated options. */
export const ConsoleConfig = t.intersection([
  AwsOptions,
  OpsOptions,
  t.type({
    host: NonEmptyString,
    port: Port,
    token: OptionalToken,
    operators: t.union([NonEmptyString, t.undefined]),
    publicOrigin: OptionalPublicOrigin,
    sessionHours: SessionHours,
    maxStreams: PositiveInt,
    escalateAfterSeconds: NonNegativeInt,
    historyHours: NonNegativeInt,
    needsHumanPollSeconds: NeedsHumanPollSeconds,
    alarmsTable: NonEmptyString,
    eventsTable: NonEmptyString,
    topic: NonEmptyString,
    queue: NonEmptyString,
    bucket: NonEmptyString,
  }),
]);
export type ConsoleConfig = t.TypeOf<typeof ConsoleConfig>;

/**
 * The command spec (resource names default from config/resources.json).
 * @example const cfg = configOrExit(consoleSpec(), process.argv.slice(2), process.env);
 */
export const consoleSpec = (): CommandSpec<ConsoleConfig> => {
  const spec = loadResourcesOrThrow();
  return {
    name: ACTOR,
    summary:
      'a web page where operators see alarms live, acknowledge them and confirm or dismiss them; escalates the ignored ones',
    codec: ConsoleConfig,
    options: {
      host: {
        type: 'string',
        doc: 'address to serve on (anything but loopback needs --token or --operators)',
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
        doc: 'a token shared by all operators (16+ characters; the page names the operator); open /?token=... once',
        env: 'PRESTACOP_CONSOLE_TOKEN',
      },
      operators: {
        type: 'string',
        doc: 'file of per-operator tokens (JSON {"name":"token"} or "name token" lines): decisions carry the token\'s name',
        env: 'PRESTACOP_CONSOLE_OPERATORS',
      },
      'public-origin': {
        type: 'string',
        doc: 'https://host[:port] of a TLS proxy in front (needs a token): accepted as Origin; the cookie is Secure',
        env: 'PRESTACOP_CONSOLE_PUBLIC_ORIGIN',
      },
      'session-hours': {
        type: 'string',
        doc: 'a session opened with /?token= lasts this long; then the page asks to open it again',
        env: 'PRESTACOP_CONSOLE_SESSION_HOURS',
        default: '12',
      },
      'max-streams': {
        type: 'string',
        doc: 'open pages (event streams) at once; beyond, 503 with Retry-After and the page retries',
        env: 'PRESTACOP_CONSOLE_MAX_STREAMS',
        default: '100',
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
      'needs-human-poll-seconds': {
        type: 'string',
        doc: "how often the alert system's notes on dead letters that need a human (needs-human/ in --bucket) are counted (1-3600)",
        env: 'PRESTACOP_CONSOLE_NEEDS_HUMAN_POLL_SECONDS',
        default: '30',
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
        doc: 'bucket of the violation images (violation-images/<id>.svg) and the notes on dead letters (needs-human/)',
        env: 'PRESTACOP_BUCKET',
        default: spec.buckets.archive.name,
      },
      ...awsOptionSpecs,
      ...opsOptionSpecs,
    },
    epilog:
      'JSON API: GET /api/alarms (every alarm with its status, and counts incl. duplicate deliveries);\n' +
      'POST /api/alarms/<id>/acknowledge|confirm|dismiss with {"operator":"name"} (with --operators, the name is the\n' +
      "token's). See actors/operator-console/README.md.",
  };
};

/**
 * Who may use the console, from the options: reads the operators file and checks the options together (a
 * non-loopback host or a public origin needs a token; a shared token and per-operator tokens exclude each
 * other). Every issue at once, naming the flag; never a token.
 * @example const access = consoleAccessOf(cfg); if (E.isLeft(access)) exit(access.left);
 */
export const consoleAccessOf = (
  cfg: ConsoleConfig,
): E.Either<ReadonlyArray<string>, ConsoleAccess> => {
  const issues: string[] = [];
  const operators = cfg.operators === undefined ? undefined : readOperatorsFile(cfg.operators);
  if (operators && E.isLeft(operators))
    issues.push(...operators.left.map((i) => `--operators ${i}`));
  const hasToken = cfg.token !== undefined || cfg.operators !== undefined;
  if (cfg.token !== undefined && cfg.operators !== undefined)
    issues.push(
      '--token and --operators exclude each other: give one shared token or one per operator',
    );
  if (!isLoopback(cfg.host) && !hasToken)
    issues.push(
      `--host ${cfg.host} is not loopback: --token (env PRESTACOP_CONSOLE_TOKEN) or --operators is required`,
    );
  if (cfg.publicOrigin !== undefined && !hasToken)
    issues.push(
      '--public-origin puts the console behind a proxy, off this machine: --token or --operators is required',
    );
  if (issues.length > 0) return E.left(issues);
  return E.right({
    ...(cfg.token === undefined ? {} : { token: cfg.token }),
    ...(operators && E.isRight(operators) ? { operators: operators.right } : {}),
    ...(cfg.publicOrigin === undefined ? {} : { publicOrigin: cfg.publicOrigin }),
    sessionTtlMs: Math.round(cfg.sessionHours * 3_600_000),
    maxStreams: cfg.maxStreams,
  });
};
