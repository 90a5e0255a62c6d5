/**
 * The operator console's options, each declared once (runtime/options.ts: flag, env variable, default, one line of
 * doc, the codec), and the checks across options (who may use the console), so `--help`, parsing and error
 * messages come from the same declarations and a bad combination stops it at start (exit 78). A token is never
 * shown in an error.
 */
import {
  E,
  NonEmptyString,
  NonNegativeInt,
  NumberLike,
  pipe,
  Port,
  PositiveInt,
  t,
} from '../../runtime/codec.ts';
import type { LaunchedConfig } from '../../runtime/launcher.ts';
import { isLoopback } from '../../runtime/loopback.ts';
import { option, optional, type OptionGroup, optionGroup } from '../../runtime/options.ts';
import { loadResourcesOrThrow } from '../protocol/index.ts';
import {
  alarmEventsTableOption,
  alarmsTableOption,
  alarmTopicOption,
  bucketOption,
} from '../protocol/options.ts';
import { readOperatorsFile } from './operators-file.ts';
import type { ConsoleAccess } from './service.ts';

const spec = loadResourcesOrThrow();

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

/** `--escalate-after-seconds`: declared here, the swarm's console takes it too. */
export const escalateAfterSecondsOption = option(NonNegativeInt, {
  doc: 'an alarm nobody acknowledged this long after its raise is escalated (re-published to SNS)',
  env: 'PRESTACOP_ESCALATE_AFTER_SECONDS',
  default: '120',
});

/** The console's own options (the launcher adds the AWS and ops ones). */
const fields = optionGroup({
  host: option(NonEmptyString, {
    doc: 'address to serve on (anything but loopback needs --token or --operators)',
    env: 'PRESTACOP_CONSOLE_HOST',
    default: '127.0.0.1',
    // Deployed, on loopback only: operators reach it by an SSH tunnel (no token on loopback).
    deploy: { literal: '127.0.0.1' },
  }),
  port: option(Port, {
    doc: 'port to serve on (0 = any free port; printed)',
    env: 'PRESTACOP_CONSOLE_PORT',
    default: '8090',
    deploy: { literal: '8090' },
  }),
  token: option(OptionalToken, {
    doc: 'a token shared by all operators (16+ characters; the page names the operator); open /?token=... once',
    env: 'PRESTACOP_CONSOLE_TOKEN',
  }),
  operators: optional(NonEmptyString, {
    doc: 'file of per-operator tokens (JSON {"name":"token"} or "name token" lines): decisions carry the token\'s name',
    env: 'PRESTACOP_CONSOLE_OPERATORS',
  }),
  publicOrigin: option(OptionalPublicOrigin, {
    doc: 'https://host[:port] of a TLS proxy in front (needs a token): accepted as Origin; the cookie is Secure',
    env: 'PRESTACOP_CONSOLE_PUBLIC_ORIGIN',
  }),
  sessionHours: option(SessionHours, {
    doc: 'a session opened with /?token= lasts this long; then the page asks to open it again',
    env: 'PRESTACOP_CONSOLE_SESSION_HOURS',
    default: '12',
  }),
  maxStreams: option(PositiveInt, {
    doc: 'open pages (event streams) at once; beyond, 503 with Retry-After and the page retries',
    env: 'PRESTACOP_CONSOLE_MAX_STREAMS',
    default: '100',
  }),
  escalateAfterSeconds: escalateAfterSecondsOption,
  historyHours: option(NonNegativeInt, {
    doc: 'alarms raised this far back are loaded from the alarm store at start',
    env: 'PRESTACOP_CONSOLE_HISTORY_HOURS',
    default: '24',
  }),
  needsHumanPollSeconds: option(NeedsHumanPollSeconds, {
    doc: "how often the alert system's notes on dead letters that need a human (needs-human/ in --bucket) are counted (1-3600)",
    env: 'PRESTACOP_CONSOLE_NEEDS_HUMAN_POLL_SECONDS',
    default: '30',
  }),
  alarmsTable: alarmsTableOption('the alarm store (read at start)'),
  eventsTable: alarmEventsTableOption,
  topic: alarmTopicOption,
  queue: option(NonEmptyString, {
    doc: "the console's own SQS queue on the alarm topic (name or URL)",
    env: 'PRESTACOP_OPERATOR_CONSOLE_QUEUE',
    default: spec.queues.operatorConsole.name,
    // Its URL, not its name: no sqs:GetQueueUrl to allow (runtime/aws/lookup.ts); the topic is given by ARN alike.
    deploy: 'queues.operatorConsole.url',
  }),
  bucket: bucketOption(
    'bucket of the violation images (violation-images/<id>.svg) and the notes on dead letters (needs-human/)',
  ),
});

/** The console's own options, as declared (before the checks across options). */
export type ConsoleOptions = typeof fields.codec._A;

/** The console's options: each declared once, then who may use it ({@link consoleAccessOf}), as `access`. */
export const consoleOptions: OptionGroup<ConsoleOptions & { readonly access: ConsoleAccess }> = {
  ...fields,
  codec: new t.Type<ConsoleOptions & { readonly access: ConsoleAccess }, unknown, unknown>(
    'ConsoleOptions',
    (u): u is ConsoleOptions & { readonly access: ConsoleAccess } =>
      fields.codec.is(u) && typeof (u as { access?: unknown }).access === 'object',
    (u, c) =>
      pipe(
        fields.codec.validate(u, c),
        E.chain((cfg) => {
          const access = consoleAccessOf(cfg);
          return E.isRight(access)
            ? t.success({ ...cfg, access: access.right })
            : t.failures(access.left.map((message) => ({ value: undefined, context: c, message })));
        }),
      ),
    (a) => fields.codec.encode(a),
  ),
};

/** The validated config: the console's options, the AWS and the ops ones. */
export type ConsoleConfig = LaunchedConfig<ConsoleOptions & { readonly access: ConsoleAccess }>;

/**
 * Who may use the console, from the options: reads the operators file and checks the options together (a
 * non-loopback host or a public origin needs a token; a shared token and per-operator tokens exclude each
 * other). Every issue at once, naming the flag; never a token.
 * @example const access = consoleAccessOf(cfg); if (E.isLeft(access)) exit(access.left);
 */
export const consoleAccessOf = (
  cfg: ConsoleOptions,
): E.Either<ReadonlyArray<string>, ConsoleAccess> => {
  const issues: string[] = [];
  // Each issue names the option it is about (`at .<key>:`), so loadConfig adds its flag and env variable.
  const at = (key: keyof ConsoleOptions, why: string) => issues.push(`at .${key}: ${why}`);
  const operators = cfg.operators === undefined ? undefined : readOperatorsFile(cfg.operators);
  if (operators && E.isLeft(operators))
    for (const i of operators.left) at('operators', `--operators ${i}`);
  const hasToken = cfg.token !== undefined || cfg.operators !== undefined;
  if (cfg.token !== undefined && cfg.operators !== undefined)
    at(
      'operators',
      '--token and --operators exclude each other: give one shared token or one per operator',
    );
  if (!isLoopback(cfg.host) && !hasToken)
    at(
      'host',
      `--host ${cfg.host} is not loopback: --token (env PRESTACOP_CONSOLE_TOKEN) or --operators is required`,
    );
  if (cfg.publicOrigin !== undefined && !hasToken)
    at(
      'publicOrigin',
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
