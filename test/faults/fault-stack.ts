/**
 * The stack a fault run uses: a fresh local AWS stack on free ports with its data under a temporary folder, a
 * fault proxy in front of Kinesis, DynamoDB, S3 and SNS/SQS (one endpoint), and a way to restart the
 * Kinesis emulator alone, on the same port and the same LevelDB data, as an emulator crash and recovery.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { ListStreamsCommand } from '@aws-sdk/client-kinesis';

import { loadResourcesOrThrow, type Resources } from '../../actors/protocol/index.ts';
import { type AwsClients, createAwsClients } from '../../runtime/aws/clients.ts';
import type { LocalEndpoints } from '../../runtime/aws/target.ts';
import { writeChildScripts } from '../../runtime/local-stack/child-scripts.ts';
import { EMULATORS } from '../../runtime/local-stack/emulators.ts';
import { DEFAULT_CACHE_DIR, startLocalStack } from '../../runtime/local-stack/index.ts';
import { type RunningChild, spawnChild, stopGroup } from '../../runtime/local-stack/processes.ts';
import { buildShim } from '../../runtime/local-stack/shim.ts';
import { type FaultProxy, startFaultProxy } from './proxy.ts';

/** A running fault stack. */
export interface FaultStack {
  readonly endpoints: LocalEndpoints;
  readonly clients: AwsClients;
  readonly proxies: {
    readonly kinesis: FaultProxy;
    readonly dynamodb: FaultProxy;
    readonly s3: FaultProxy;
    /** SNS and SQS (one emulator, one endpoint). */
    readonly sns: FaultProxy;
  };
  readonly resources: Resources;
  /** The loopback shim (LD_PRELOAD): also arms parent-death SIGTERM for the actors. */
  readonly shim: string;
  readonly restartKinesis: (downMs: number) => Promise<void>;
  readonly stop: () => Promise<void>;
}

/**
 * Starts it. Resources are not provisioned here: each scenario provisions its own, under a prefix.
 * @example const stack = await startFaultStack('/tmp/prestacop-faults-x/data', say);
 */
export const startFaultStack = async (
  dataDir: string,
  log: (line: string) => void,
): Promise<FaultStack> => {
  const stack = await startLocalStack({
    dataDir,
    wipe: true,
    ports: { kinesis: 0, dynamodb: 0, s3: 0, sns: 0 },
    provision: false,
    // In memory: several times the write rate of the on-disk SQLite (each write fsyncs), and DynamoDB is never
    // restarted by a scenario.
    dynamodbInMemory: true,
    log,
  });
  const started: FaultProxy[] = [];
  let kinesalite: RunningChild | undefined;
  const stop = async () => {
    await Promise.all(started.map((p) => p.close().catch(() => undefined)));
    if (kinesalite) await stopGroup(kinesalite.pid, kinesalite.startTime, 5_000, kinesalite.exited);
    clients.destroy();
    await stack.stop();
  };
  const clients = createAwsClients(stack.target);
  try {
    const shim = await buildShim(DEFAULT_CACHE_DIR);
    for (const service of ['kinesis', 'dynamodb', 's3', 'sns'] as const)
      started.push(await startFaultProxy(stack.endpoints[service]));
    const [kinesis, dynamodb, s3, sns] = started as [
      FaultProxy,
      FaultProxy,
      FaultProxy,
      FaultProxy,
    ];
    const kinesisPort = Number(new URL(stack.endpoints.kinesis).port);
    const emulator = EMULATORS.find((e) => e.service === 'kinesis')!;

    const restartKinesis = async (downMs: number): Promise<void> => {
      // The stack's first kinesalite, or the one the last restart started; '': whatever holds the pid now.
      const pid = kinesalite?.pid ?? stack.pids[EMULATORS.indexOf(emulator)]!;
      await stopGroup(pid, kinesalite?.startTime ?? '', 5_000, kinesalite?.exited);
      await sleep(downMs);
      kinesalite = spawnChild(
        emulator.spec({
          ports: { kinesis: kinesisPort, dynamodb: 0, s3: 0, sns: 0 },
          dataDir: stack.dataDir,
          logsDir: join(stack.dataDir, 'logs'),
          region: stack.region,
          java: 'java',
          shim,
          scripts: writeChildScripts(DEFAULT_CACHE_DIR),
          dynamodbHeap: '512m',
          dynamodbJvmFlags: [],
          kinesisShardLimit: 200,
          dynamodbInMemory: false,
        }),
      );
      const deadline = Date.now() + 20_000;
      for (;;) {
        try {
          await clients.kinesis.send(new ListStreamsCommand({ Limit: 1 }));
          return;
        } catch (e) {
          if (Date.now() > deadline || kinesalite.exit())
            throw new Error(
              `kinesalite did not come back: ${String(e)} (log ${stack.logs.kinesis})`,
            );
          await sleep(100);
        }
      }
    };

    return {
      endpoints: stack.endpoints,
      clients,
      proxies: { kinesis, dynamodb, s3, sns },
      resources: loadResourcesOrThrow(),
      shim,
      restartKinesis,
      stop,
    };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
};
