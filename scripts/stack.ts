/**
 * `npm run stack`: runs the local AWS stack in the foreground until Ctrl-C, or stops one started elsewhere
 * (`--stop`). Prints the endpoints and the environment services need to use it.
 */
import '../runtime/node-version.ts';

import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import {
  DEFAULT_DATA_DIR,
  DEFAULT_PORTS,
  endpointUrlFlags,
  type LocalStack,
  otherToolsEnv,
  PORT_SETTINGS,
  stackEnv,
  type StackService,
  startLocalStack,
  stopRecordedStack,
} from '../runtime/local-stack/index.ts';
import { registerStack, registryDir } from '../runtime/local-stack/registry.ts';

const EX_USAGE = 64;
const SERVICES = Object.keys(DEFAULT_PORTS) as StackService[];

const usage = (): string =>
  [
    'stack: runs kinesalite, DynamoDB Local, s3rver and fauxqs (SNS+SQS) on 127.0.0.1 until Ctrl-C,',
    'and creates the resources of config/resources.json.',
    '',
    'usage: npm run stack -- [options]',
    '',
    'options:',
    '  --help                 this text',
    '  --data DIR             data and logs folder (env PRESTACOP_STACK_DATA, default .stack/data)',
    '  --wipe                 empty the data folder first (env PRESTACOP_STACK_WIPE=1)',
    '  --stop                 stop the stack recorded in the data folder, started by any process',
    '  --dynamodb-memory      DynamoDB Local in memory: several times faster writes, tables lost on stop',
    '                         (env PRESTACOP_STACK_DYNAMODB_MEMORY=1; default on disk in the data folder)',
    ...SERVICES.map(
      (s) =>
        `  ${`${PORT_SETTINGS[s].flag} N`.padEnd(22)} ${s === 'sns' ? 'sns+sqs' : s} port ` +
        `(env ${PORT_SETTINGS[s].env}, default ${DEFAULT_PORTS[s]}; 0 = any free port)`,
    ),
    '',
    'Needs java (DynamoDB Local) and gcc (the loopback shim): scripts/ci-deps.sh installs them.',
    'SNS/SQS state lives in memory: topic, queue and subscription are re-created on every start.',
    '',
  ].join('\n');

/** Command line, or a usage error message. */
interface Cli {
  readonly help: boolean;
  readonly stop: boolean;
  readonly wipe: boolean;
  readonly dynamodbInMemory: boolean;
  readonly dataDir: string;
  readonly ports: Partial<Record<StackService, number>>;
}

const parseCli = (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Cli | string => {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        stop: { type: 'boolean' },
        wipe: { type: 'boolean' },
        'dynamodb-memory': { type: 'boolean' },
        data: { type: 'string' },
        ...Object.fromEntries(
          SERVICES.map((s) => [PORT_SETTINGS[s].flag.slice(2), { type: 'string' as const }]),
        ),
      },
    }).values;
  } catch (err) {
    return (err as Error).message;
  }
  const problems: string[] = [];
  const ports: Partial<Record<StackService, number>> = {};
  for (const s of SERVICES) {
    const { flag, env: name } = PORT_SETTINGS[s];
    const raw = (values[flag.slice(2)] as string | undefined) ?? env[name];
    if (raw === undefined || raw === '') continue;
    const port = Number(raw);
    if (!/^\d+$/.test(raw) || port > 65535)
      problems.push(`${flag} / ${name}: expected a port 0-65535, got ${JSON.stringify(raw)}`);
    else ports[s] = port;
  }
  const wipeEnv = env.PRESTACOP_STACK_WIPE;
  const memoryEnv = env.PRESTACOP_STACK_DYNAMODB_MEMORY;
  for (const [name, v] of [
    ['PRESTACOP_STACK_WIPE', wipeEnv],
    ['PRESTACOP_STACK_DYNAMODB_MEMORY', memoryEnv],
  ] as const)
    if (v !== undefined && !['', '0', '1', 'true', 'false'].includes(v))
      problems.push(`${name}: expected 1/true or 0/false, got ${JSON.stringify(v)}`);
  if (values.stop && values.wipe) problems.push('--stop and --wipe do not go together');
  if (problems.length) return problems.join('\n');
  const data = (values.data as string | undefined) ?? env.PRESTACOP_STACK_DATA;
  return {
    help: values.help === true,
    stop: values.stop === true,
    wipe: values.wipe === true || wipeEnv === '1' || wipeEnv === 'true',
    dynamodbInMemory:
      values['dynamodb-memory'] === true || memoryEnv === '1' || memoryEnv === 'true',
    dataDir: data ? resolve(data) : DEFAULT_DATA_DIR,
    ports,
  };
};

const say = (line: string): void => void process.stderr.write(`stack: ${line}\n`);
/** A path relative to the current folder when it is inside it, else absolute. */
const show = (path: string): string => {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
};

const stopCommand = async (dataDir: string): Promise<number> => {
  const { found, stopped } = await stopRecordedStack(dataDir);
  if (!found) say(`no stack recorded in ${show(dataDir)}; nothing to stop`);
  else if (stopped.length === 0) say(`stack in ${show(dataDir)} was not running; pid file removed`);
  else say(`stopped ${stopped.join(', ')}`);
  return 0;
};

const printStack = (stack: LocalStack, ms: number): void => {
  const out: string[] = [
    `local AWS stack up in ${(ms / 1000).toFixed(1)} s; data in ${show(stack.dataDir)}` +
      (stack.dynamodbInMemory ? ' (DynamoDB in memory: lost on stop)' : ''),
    '',
    ...SERVICES.map(
      (s, i) =>
        `  ${(s === 'sns' ? 'sns+sqs' : s).padEnd(9)} ${stack.endpoints[s].padEnd(24)} ` +
        `pid ${String(stack.pids[i]).padEnd(8)} log ${show(stack.logs[s])}`,
    ),
  ];
  const p = stack.provisioned;
  if (p) {
    out.push(
      '',
      `resources (config/resources.json): ${p.created.length} created, ${p.existing.length} existing`,
    );
    for (const [key, arn] of Object.entries(p.topicArns)) out.push(`  topic ${key}: ${arn}`);
    for (const [key, url] of Object.entries(p.queueUrls)) out.push(`  queue ${key}: ${url}`);
    for (const w of p.warnings) out.push(`  warning: ${w}`);
  }
  out.push('', 'environment for services:');
  for (const [k, v] of Object.entries(stackEnv(stack))) out.push(`export ${k}=${v}`);
  out.push(
    '',
    'for other tools (AWS CLI 2.13+, boto3 1.28+, the SDKs; README "Use it from other tools"):',
  );
  for (const [k, v] of Object.entries(otherToolsEnv(stack))) out.push(`export ${k}=${v}`);
  out.push(
    "older clients (Debian's awscli and boto3) ignore AWS_ENDPOINT_URL_*: pass the endpoint instead",
  );
  for (const [service, flag] of endpointUrlFlags(stack))
    out.push(`  aws ${service.padEnd(8)} ${flag}`);
  out.push('', 'Ctrl-C stops the stack (or, from elsewhere: npm run stack -- --stop).', '');
  process.stdout.write(out.join('\n'));
};

const main = async (): Promise<number> => {
  const cli = parseCli(process.argv.slice(2), process.env);
  if (typeof cli === 'string') {
    process.stderr.write(`stack: ${cli}\n\n${usage()}`);
    return EX_USAGE;
  }
  if (cli.help) {
    process.stdout.write(usage());
    return 0;
  }
  if (cli.stop) return stopCommand(cli.dataDir);

  const began = Date.now();
  let done: (code: number) => void = () => undefined;
  const finished = new Promise<number>((r) => (done = r));
  let stack: LocalStack | undefined;
  let unregister: () => void = () => undefined;
  let stopping = false;
  const shutdown = (why: string, code: number): void => {
    if (stopping) return; // npm forwards Ctrl-C to us on top of the terminal's own SIGINT
    stopping = true;
    say(`${why}: stopping`);
    // Before the stack is up, exiting is enough: startLocalStack's exit hook signals whatever it spawned.
    if (stack === undefined) return process.exit(code);
    unregister();
    stack.stop().then(
      () => {
        say('stopped');
        done(code);
      },
      (err: unknown) => {
        say(`stop failed: ${String(err)}`);
        done(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => shutdown(signal, 0));

  try {
    stack = await startLocalStack({
      dataDir: cli.dataDir,
      wipe: cli.wipe,
      dynamodbInMemory: cli.dynamodbInMemory,
      ports: cli.ports,
      log: say,
      onChildExit: (e) =>
        shutdown(`${e.label} exited (${e.signal ?? `code ${e.code}`}), see ${show(e.logFile)}`, 1),
    });
  } catch (err) {
    say((err as Error).message);
    return 1;
  }
  // Listed for `npm run swarm` (`--stack auto`), wherever its data folder is; a stale entry is ignored.
  unregister = registerStack(registryDir(), stack);
  process.once('exit', () => unregister());
  printStack(stack, Date.now() - began);
  return finished; // the children keep the event loop alive until stop()
};

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
