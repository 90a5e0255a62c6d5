/**
 * The embedded local AWS stack: kinesalite (Kinesis), DynamoDB Local, s3rver (S3) and fauxqs (SNS+SQS), each a
 * child process on 127.0.0.1, with their data in one folder. `npm run stack` runs it in the foreground; the
 * integration tests start one per mocha process (test/helpers/stack.ts).
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { type AwsClients, createAwsClients } from '../aws/clients.ts';
import { localStackEnv } from '../aws/options.ts';
import { pollUntil } from '../aws/poll.ts';
import { provision as provisionSpec, type ProvisionReport } from '../aws/provision.ts';
import { loadResourceSpecOrThrow, type ResourceSpec } from '../aws/resources.ts';
import { type AwsTarget, LOCAL_CREDENTIALS, type LocalEndpoints } from '../aws/target.ts';
import { writeChildScripts } from './child-scripts.ts';
import { EMULATORS } from './emulators.ts';
import { acquireStackLock, PID_FILE } from './pid-file.ts';
import { resolvePorts, type StackService } from './ports.ts';
import { type ChildExit, type RunningChild, spawnChild, stopGroup, tailFile } from './processes.ts';
import { buildShim, requireTool } from './shim.ts';

export { stopRecordedStack } from './pid-file.ts';
export { DEFAULT_PORTS, PORT_SETTINGS, type StackService } from './ports.ts';
export type { ChildExit } from './processes.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Default data folder (git-ignored). */
export const DEFAULT_DATA_DIR = join(REPO, '.stack', 'data');
/** Default cache folder for the compiled shim and child scripts, shared by every stack of this checkout. */
export const DEFAULT_CACHE_DIR = join(REPO, '.stack', 'cache');

/** Options of {@link startLocalStack}; all optional. */
export interface LocalStackOptions {
  /** Folder for emulator data (survives restarts) and logs (`logs/<service>.log`). Default `.stack/data`. */
  readonly dataDir?: string;
  /** Wipe the data folder first. */
  readonly wipe?: boolean;
  /** Ports; 0 picks a free one. Defaults: kinesis 4567, dynamodb 8000, s3 4570, sns/sqs 4571. */
  readonly ports?: Partial<Record<StackService, number>>;
  /** Provision the resources of config/resources.json (default true). */
  readonly provision?: boolean;
  /** Resources to provision instead of config/resources.json. */
  readonly resources?: ResourceSpec;
  readonly log?: (line: string) => void;
  /** Where the loopback shim is compiled to. Default `.stack/cache`. */
  readonly cacheDir?: string;
  /** How long each emulator may take to answer its first call. Default 30 s (DynamoDB Local needs ~1-3 s). */
  readonly readyTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. Default 5 s. */
  readonly stopTimeoutMs?: number;
  /**
   * DynamoDB Local in memory (`-inMemory`): its tables do not survive a stop, but it writes several times faster
   * than on disk, where every write waits for an fsync behind one SQLite lock (leases, checkpoints, the hot table
   * and the alarm store all queue there). For benchmarks and throw-away stacks. Default false (on disk).
   */
  readonly dynamodbInMemory?: boolean;
  /**
   * JVM flags of DynamoDB Local. Default {@link DYNAMODB_JVM_FLAGS} (C1 only, serial GC), or the words of
   * `PRESTACOP_DYNAMODB_JVM_OPTS` when set (empty: the JVM's own defaults).
   */
  readonly dynamodbJvmFlags?: ReadonlyArray<string>;
  /** kinesalite's total shard limit across streams. Default 200. */
  readonly kinesisShardLimit?: number;
  /** Called when an emulator exits while the stack is not stopping (crash, or `npm run stack -- --stop`). */
  readonly onChildExit?: (exit: ChildExit) => void;
}

/**
 * DynamoDB Local's JIT and GC sized for a small machine it shares with the services: the C1 compiler only (no C2,
 * whose compile threads took most of a core for the first minute) and the serial collector (no parallel GC threads).
 * The figures are in README.md's Decisions and `actors/alert-system/README.md`'s Performance.
 */
export const DYNAMODB_JVM_FLAGS: ReadonlyArray<string> = [
  '-XX:TieredStopAtLevel=1',
  '-XX:+UseSerialGC',
];

/** `PRESTACOP_DYNAMODB_JVM_OPTS` as flags (split on spaces), or the defaults when unset. */
export const dynamodbJvmFlagsFromEnv = (env: NodeJS.ProcessEnv): ReadonlyArray<string> => {
  const opts = env.PRESTACOP_DYNAMODB_JVM_OPTS;
  return opts === undefined ? DYNAMODB_JVM_FLAGS : opts.split(/\s+/).filter((w) => w !== '');
};

/** A running stack. */
export interface LocalStack {
  readonly endpoints: LocalEndpoints;
  readonly region: string;
  readonly pids: ReadonlyArray<number>;
  /** Stops every emulator (SIGTERM, SIGKILL after a timeout) and releases the data folder. Idempotent. */
  readonly stop: () => Promise<void>;
  /** The target for {@link createAwsClients}. */
  readonly target: AwsTarget;
  readonly dataDir: string;
  /** DynamoDB Local runs in memory (its tables are lost on stop). */
  readonly dynamodbInMemory: boolean;
  /** Log file of each emulator. */
  readonly logs: Readonly<Record<StackService, string>>;
  /** What provisioning did; undefined with `provision: false`. */
  readonly provisioned?: ProvisionReport;
}

/**
 * Starts the four emulators on 127.0.0.1, waits until each answers a real API call, provisions the resource
 * spec, and returns the endpoints and an idempotent stop(). On failure everything started is stopped again and
 * the error names the emulator and the tail of its log.
 *
 * If the process exits without stop(), an exit hook sends SIGTERM to every emulator; if it dies by SIGKILL,
 * the children get SIGTERM from the kernel (see bind-loopback.c) and the next start cleans the pid file.
 *
 * @example
 * const stack = await startLocalStack({ ports: { kinesis: 0, dynamodb: 0, s3: 0, sns: 0 }, dataDir: tmp });
 * const clients = createAwsClients(stack.target);
 * await stack.stop();
 */
export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  const log = options.log ?? (() => undefined);
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
  const resources = options.resources ?? loadResourceSpecOrThrow();
  const java = requireTool('java'); // before anything else: the commonest set-up problem, said plainly
  mkdirSync(dataDir, { recursive: true });
  const lock = await acquireStackLock(dataDir, log, stopTimeoutMs);

  const children: RunningChild[] = [];
  let stopping: Promise<void> | undefined;
  let probeClients: AwsClients | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      process.off('exit', onExit);
      probeClients?.destroy();
      await Promise.all(
        children.map((c) => stopGroup(c.pid, c.startTime, stopTimeoutMs, c.exited)),
      );
      lock.release();
    })());
  // Last resort when the owner exits without stop(): only synchronous work is possible here.
  const onExit = (): void => {
    for (const c of children) if (!c.exit()) signalQuietly(c.pid);
  };
  process.on('exit', onExit);

  try {
    if (options.wipe) wipe(dataDir, log);
    const logsDir = join(dataDir, 'logs');
    mkdirSync(logsDir, { recursive: true });
    for (const e of EMULATORS)
      if (e.dataSubdir) mkdirSync(join(dataDir, e.dataSubdir), { recursive: true });
    const cacheDir = resolve(options.cacheDir ?? DEFAULT_CACHE_DIR);
    const [shim, ports] = await Promise.all([
      buildShim(cacheDir),
      resolvePorts(options.ports ?? {}),
    ]);
    const ctx = {
      ports,
      dataDir,
      logsDir,
      region: resources.region,
      java,
      shim,
      scripts: writeChildScripts(cacheDir),
      dynamodbHeap: '512m',
      dynamodbJvmFlags: options.dynamodbJvmFlags ?? dynamodbJvmFlagsFromEnv(process.env),
      kinesisShardLimit: options.kinesisShardLimit ?? 200,
      dynamodbInMemory: options.dynamodbInMemory ?? false,
    };
    for (const e of EMULATORS) children.push(spawnChild(e.spec(ctx)));
    const record = (endpoints?: LocalEndpoints) =>
      lock.update({
        children: children.map((c) => ({
          name: c.name,
          pid: c.pid,
          startTime: c.startTime,
          logFile: c.logFile,
        })),
        ...(endpoints ? { endpoints } : {}),
      });
    record();

    const endpoints = toEndpoints(ports);
    const target: AwsTarget = { kind: 'local', region: resources.region, endpoints };
    const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    probeClients = createAwsClients(target, {
      maxAttempts: 1,
      connectionTimeoutMs: 1_000,
      requestTimeoutMs: 5_000,
    });
    const probes = probeClients;
    const started = Date.now();
    await Promise.all(
      EMULATORS.map(async (e, i) => {
        const child = children[i]!;
        await pollUntil(() => e.probe(probes).then(() => true), {
          what: `${e.label} on ${endpoints[e.service]} to answer`,
          timeoutMs: readyTimeoutMs,
          abort: () => {
            const exit = child.exit();
            return exit && `${e.label} exited (${exitText(exit)}) before it was ready`;
          },
        }).catch((err: Error) => {
          throw new Error(
            `local stack: ${err.message}; log ${child.logFile}:\n${tailFile(child.logFile)}`,
          );
        });
        log(
          `${e.label} ready on ${endpoints[e.service]} (pid ${child.pid}, ${Date.now() - started} ms)`,
        );
      }),
    );
    probeClients.destroy();
    record(endpoints);

    for (const c of children)
      void c.exited.then((exit) => {
        if (stopping === undefined) options.onChildExit?.(exit);
      });

    let provisioned: ProvisionReport | undefined;
    if (options.provision ?? true) {
      const clients = createAwsClients(target);
      try {
        provisioned = await provisionSpec(clients, resources, { mode: 'create' });
      } finally {
        clients.destroy();
      }
      log(
        `provisioned: ${provisioned.created.length} created, ${provisioned.existing.length} existing`,
      );
      for (const w of provisioned.warnings) log(`warning: ${w}`);
    }

    const logs = Object.fromEntries(children.map((c) => [c.name, c.logFile])) as Record<
      StackService,
      string
    >;
    return {
      endpoints,
      region: resources.region,
      pids: children.map((c) => c.pid),
      stop,
      target,
      dataDir,
      dynamodbInMemory: ctx.dynamodbInMemory,
      logs,
      ...(provisioned ? { provisioned } : {}),
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
};

/**
 * The environment a service needs to use this stack (the `export` lines of `npm run stack`): the variables of
 * `runtime/aws/options.ts` plus the region.
 * @example stackEnv(stack) // { PRESTACOP_TARGET: 'local', PRESTACOP_KINESIS_ENDPOINT: 'http://127.0.0.1:4567', ... }
 */
export const stackEnv = (
  stack: Pick<LocalStack, 'endpoints' | 'region'>,
): Record<string, string> => ({
  ...localStackEnv(stack.endpoints),
  PRESTACOP_REGION: stack.region,
});

/**
 * The same stack for other tools (the AWS CLI, boto3, any SDK): the credentials every emulator accepts (s3rver
 * checks them), the region, and the standard per-service endpoint variables (AWS CLI 2.13+, boto3 1.28+). Older
 * clients (Debian's awscli and boto3 among them) ignore those: `--endpoint-url` per command serves them
 * ({@link endpointUrlFlags}). Our own services read these variables too, below `PRESTACOP_*`, loopback only.
 * @example otherToolsEnv(stack).AWS_ENDPOINT_URL_S3 // 'http://127.0.0.1:4569'
 */
export const otherToolsEnv = (
  stack: Pick<LocalStack, 'endpoints' | 'region'>,
): Record<string, string> => ({
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  AWS_REGION: stack.region,
  AWS_DEFAULT_REGION: stack.region,
  AWS_ENDPOINT_URL_KINESIS: stack.endpoints.kinesis,
  AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
  AWS_ENDPOINT_URL_S3: stack.endpoints.s3,
  AWS_ENDPOINT_URL_SNS: stack.endpoints.sns,
  AWS_ENDPOINT_URL_SQS: stack.endpoints.sqs,
});

/** `aws <service> --endpoint-url URL`, per AWS CLI service name, for clients too old for the variables. */
export const endpointUrlFlags = (
  stack: Pick<LocalStack, 'endpoints'>,
): ReadonlyArray<readonly [service: string, flag: string]> =>
  (['kinesis', 'dynamodb', 's3', 'sns', 'sqs'] as const).map(
    (s) => [s, `--endpoint-url ${stack.endpoints[s]}`] as const,
  );

const toEndpoints = (ports: Record<StackService, number>): LocalEndpoints => {
  const url = (port: number) => `http://127.0.0.1:${port}`;
  return {
    kinesis: url(ports.kinesis),
    dynamodb: url(ports.dynamodb),
    s3: url(ports.s3),
    sns: url(ports.sns),
    sqs: url(ports.sns),
  };
};

/** Empties the data folder except the pid file, which is the lock this process now holds. */
const wipe = (dataDir: string, log: (line: string) => void): void => {
  log(`wiping ${dataDir}`);
  for (const entry of readdirSync(dataDir))
    if (entry !== PID_FILE) rmSync(join(dataDir, entry), { recursive: true, force: true });
};

const exitText = (exit: ChildExit): string =>
  exit.error ? exit.error.message : exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;

const signalQuietly = (pid: number): void => {
  try {
    if (pid > 0) process.kill(-pid, 'SIGTERM');
  } catch {
    // already gone
  }
};
