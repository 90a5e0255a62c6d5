import assert from 'node:assert/strict';

import { awsGroup } from './aws/options.ts';
import { E, NonEmptyString, PositiveInt } from './codec.ts';
import { type CommandSpec, helpText, loadConfig } from './config.ts';
import { createEventHub } from './events.ts';
import { commandOfActor, consumerBus, defineActor, launchable, startDeclared } from './launcher.ts';
import { createLogger } from './log.ts';
import { MetricsRegistry } from './metrics.ts';
import { flagOf, joinGroups, option, optional, optionGroup, optionsTable } from './options.ts';
import type { ServiceContext } from './service.ts';

const options = optionGroup({
  droneStream: option(NonEmptyString, {
    doc: 'drone stream',
    env: 'PRESTACOP_DRONE_STREAM',
    default: 'prestacop-drones',
  }),
  silentAfterSeconds: option(PositiveInt, {
    doc: 'silence | before a report',
    env: 'PRESTACOP_SILENT_AFTER_SECONDS',
    default: '30',
  }),
  workerId: optional(NonEmptyString, { doc: 'lease owner', env: 'PRESTACOP_WORKER_ID' }),
});

const started: unknown[] = [];
const demo = defineActor({
  name: 'demo-actor',
  summary: 'a demo',
  options,
  start: (_ctx, cfg) => {
    started.push(cfg);
    return { healthy: () => true, stop: () => Promise.resolve() };
  },
});

describe('Runtime > launcher', () => {
  it('derives each flag from its key, as loadConfig finds the key back', () => {
    assert.deepEqual(['droneStream', 's3Endpoint', 'silentAfterSeconds', 'x'].map(flagOf), [
      'drone-stream',
      's3-endpoint',
      'silent-after-seconds',
      'x',
    ]);
  });

  it('declares an option once: flag, env, default and --help, beside the AWS and ops groups', () => {
    const command = commandOfActor(demo);
    const flags = Object.keys(command.options);
    assert.deepEqual(flags.slice(0, 3), ['drone-stream', 'silent-after-seconds', 'worker-id']);
    assert.ok(
      flags.includes('target') && flags.includes('ops-port') && flags.includes('log-level'),
    );
    const help = helpText(command as CommandSpec<unknown>);
    assert.match(
      help,
      /--silent-after-seconds VALUE +silence \| before a report \(env PRESTACOP_SILENT_AFTER_SECONDS, default "30"\)/,
    );
    const cfg = loadConfig(command, ['--silent-after-seconds', '5'], {
      PRESTACOP_DRONE_STREAM: 'd',
    });
    assert.ok(E.isRight(cfg));
    assert.equal(cfg.right.silentAfterSeconds, 5);
    assert.equal(cfg.right.droneStream, 'd');
    assert.equal(cfg.right.workerId, undefined);
    assert.equal(cfg.right.target, 'local');
  });

  it('names the flag and the env variable of a bad value', () => {
    const cfg = loadConfig(commandOfActor(demo), [], { PRESTACOP_SILENT_AFTER_SECONDS: '0' });
    assert.ok(E.isLeft(cfg) && cfg.left._tag === 'ConfigError');
    assert.match(
      cfg.left.issues.join('\n'),
      /silentAfterSeconds.*integer > 0.*--silent-after-seconds, env PRESTACOP_SILENT_AFTER_SECONDS/,
    );
  });

  it('refuses a flag declared twice (an actor option shadowing a shared one)', () => {
    const twice = optionGroup({ region: option(NonEmptyString, { doc: 'mine', default: 'x' }) });
    assert.throws(() => joinGroups(twice, awsGroup), /declared twice: region/);
  });

  it('starts a declared actor in-process with the config its env gives, or says why not', async () => {
    const ctx: ServiceContext = {
      clients: undefined as never,
      events: createEventHub(),
      metrics: new MetricsRegistry(),
      log: createLogger('spec', 'silent'),
    };
    const ok = await startDeclared(demo, ctx, { PRESTACOP_SILENT_AFTER_SECONDS: '7' });
    assert.ok(E.isRight(ok));
    assert.equal((started.at(-1) as { silentAfterSeconds: number }).silentAfterSeconds, 7);
    const bad = await startDeclared(demo, ctx, { PRESTACOP_SILENT_AFTER_SECONDS: 'soon' });
    assert.ok(E.isLeft(bad));
    assert.equal(started.length, 1);
  });

  it("gives a consumer's bus its worker id when the config sets one, else a fresh one", async () => {
    const ctx = { clients: { kinesis: {}, doc: {} } as never, events: createEventHub() };
    const named = consumerBus(ctx, { target: 'local', leaseTable: 'leases', workerId: 'w-1' });
    const fresh = consumerBus(ctx, { target: 'local', leaseTable: 'leases', workerId: undefined });
    assert.equal(named.workerId, 'w-1');
    assert.match(fresh.workerId, new RegExp(`-${process.pid}-`));
    await Promise.all([named.close(), fresh.close()]);
  });

  it('writes the README table from the same declaration', () => {
    assert.equal(
      optionsTable(options.specs),
      [
        '| flag | env | default | what |',
        '|---|---|---|---|',
        '| `--drone-stream` | `PRESTACOP_DRONE_STREAM` | `prestacop-drones` | drone stream |',
        '| `--silent-after-seconds` | `PRESTACOP_SILENT_AFTER_SECONDS` | `30` | silence \\| before a report |',
        '| `--worker-id` | `PRESTACOP_WORKER_ID` |  | lease owner |',
      ].join('\n'),
    );
  });

  it('gives a deployed host the env its options declare: references to resolve apart from literals', () => {
    const deployed = joinGroups(
      optionGroup({
        stream: option(NonEmptyString, {
          doc: 's',
          env: 'X_STREAM',
          deploy: 'streams.drones.name',
        }),
        host: option(NonEmptyString, { doc: 'h', env: 'X_HOST', deploy: { literal: '127.0.0.1' } }),
        other: option(NonEmptyString, { doc: 'o', env: 'X_OTHER', default: 'x' }),
      }),
      optionGroup({
        port: option(NonEmptyString, { doc: 'p', env: 'X_PORT', deploy: { literal: '8090' } }),
      }),
    );
    const actor = launchable(
      defineActor({
        name: 'deployed',
        summary: 'deployed',
        options: deployed,
        start: () => ({ healthy: () => true, stop: () => Promise.resolve() }),
      }),
    );
    assert.deepEqual(actor.deployEnv, {
      refs: { X_STREAM: 'streams.drones.name' },
      literals: { X_HOST: '127.0.0.1', X_PORT: '8090' },
    });
    assert.deepEqual(launchable(demo).deployEnv, { refs: {}, literals: {} });
    assert.throws(
      () => optionGroup({ y: option(NonEmptyString, { doc: 'y', deploy: { literal: '1' } }) }),
      /option y: deploy without an env variable/,
    );
  });
});
