/**
 * One launcher for every actor (STYLE §2): an actor is a declared value, its name, its own options (declared once,
 * `options.ts`) and how it starts on the launcher's context; the launcher adds the shared AWS and ops options,
 * parses flags, env and `--help` (exit 78 on bad config), and runs it as a service (`launch`, for its `main.ts`)
 * or inside another process (`startDeclared`, for the swarm, the benches and the specs).
 */
import { awsGroup, type AwsOptions, opsGroup, type OpsOptions } from './aws/options.ts';
import type { Bus } from './bus/bus.ts';
import { type ConsumerOptions, createKinesisBus } from './bus/kinesis.ts';
import { E } from './codec.ts';
import { type CommandSpec, configOrExit, loadConfig } from './config.ts';
import { type ConfigError, configError } from './errors.ts';
import { commandOf, type DeployEnv, joinGroups, type OptionGroup } from './options.ts';
import { type RunningService, runService, type ServiceContext } from './service.ts';

/** The config an actor's `start` receives: its own options, the AWS and the ops ones. */
export type LaunchedConfig<O> = O & AwsOptions & OpsOptions;

/**
 * How a deployed actor runs on AWS: Terraform's service catalog (terraform/modules/services) reads it from
 * `config/services.json`, which `npm run gen:services` writes from `actors/catalog.ts`. A resource is a
 * data-plane reference (`streams.drones.arn`, `tables.leases.arn`, `topics.alarms.arn`, `bucket.arn`), optionally
 * followed by an object-key path (`bucket.arn/dead-letter/actor=drone-watchdog/*`).
 */
export interface DeployDeclaration {
  /** Its ops server's port (/healthz, /metrics) on 127.0.0.1 of its host; distinct per host. */
  readonly opsPort: number;
  /** The service whose first host runs it too (its role then carries both policies); absent: a host of its own. */
  readonly colocateWith?: string;
  /** Its IAM statements: exactly the calls it makes, each on its own resources. */
  readonly statements: ReadonlyArray<IamStatement>;
  /** KMS actions it needs, per AWS service it calls through (`kinesis`, `sns`, `s3`, `sqs`). */
  readonly kms: KmsActions;
}

/** One IAM statement of a deployed actor's role: its actions on data-plane references. */
export interface IamStatement {
  readonly Sid: string;
  readonly Action: ReadonlyArray<string>;
  readonly Resource: ReadonlyArray<string>;
  /**
   * An IAM condition, as IAM writes it: operator → condition key → values, literal (no references), e.g.
   * `{ StringLike: { 's3:prefix': ['needs-human/*'] } }` to list only part of a bucket.
   */
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, ReadonlyArray<string>>>>>;
}

/** KMS actions per AWS service an actor calls through. */
export type KmsActions = Readonly<Record<string, ReadonlyArray<string>>>;

/** What an actor declares. */
export interface ActorDeclaration<O> {
  /** The service name: `npm run <name>`, `actors/<name>/main.ts`, its log name and Terraform's catalog key. */
  readonly name: string;
  /** One line for `--help`. */
  readonly summary: string;
  /** More `--help` lines (notes, examples). */
  readonly epilog?: string;
  /** Its own options; the AWS and ops groups are added by the launcher. */
  readonly options: OptionGroup<O>;
  /** How it is deployed (its env on a host comes from its options declared with `deploy`). */
  readonly deploy?: DeployDeclaration;
  /** Builds its ports on the context's clients and starts it. */
  readonly start: (
    ctx: ServiceContext,
    cfg: LaunchedConfig<O>,
  ) => Promise<RunningService> | RunningService;
}

/**
 * Declares an actor (an identity function: it keeps the options' type for `start`).
 * @example export const watchdog = defineActor({ name: 'drone-watchdog', summary: '…', options, start });
 */
export const defineActor = <O>(d: ActorDeclaration<O>): ActorDeclaration<O> => d;

/** The actor's command line: its options, then the AWS and ops groups. */
export const commandOfActor = <O>(d: ActorDeclaration<O>): CommandSpec<LaunchedConfig<O>> =>
  commandOf({
    name: d.name,
    summary: d.summary,
    options: joinGroups(joinGroups(d.options, awsGroup), opsGroup),
    ...(d.epilog === undefined ? {} : { epilog: d.epilog }),
  });

/**
 * For an actor's `main.ts`: config from flags, env and file (or `--help`, or exit 78), then the service frame
 * (ops server, signals, graceful stop).
 * @example await launch(droneWatchdog);
 */
export const launch = <O>(
  d: ActorDeclaration<O>,
  argv: ReadonlyArray<string> = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<never> => {
  const cfg = configOrExit(commandOfActor(d), argv, env);
  return runService(d.name, cfg, (ctx) => d.start(ctx, cfg));
};

/**
 * Starts a declared actor inside the caller's process, on its context (clients, events, metrics, log), with the
 * config its env variables (and defaults) give: the swarm points every actor at its stack and names the same way
 * the fault suite and Ansible do. A bad config is a value, not an exit.
 * @example const running = await startDeclared(droneWatchdog, ctx, { PRESTACOP_DRONE_STREAM: 'x' });
 */
export const startDeclared = async <O>(
  d: ActorDeclaration<O>,
  ctx: ServiceContext,
  env: Readonly<Record<string, string | undefined>>,
  argv: ReadonlyArray<string> = [],
): Promise<E.Either<ConfigError, RunningService>> => {
  const cfg = loadConfig(commandOfActor(d), argv, env);
  if (E.isLeft(cfg))
    return E.left(
      cfg.left._tag === 'HelpRequested' ? configError(['--help is for a command line']) : cfg.left,
    );
  return E.right(await d.start(ctx, cfg.right));
};

/** What a Kinesis consumer's config says about its bus: the target, its lease table and (optionally) worker id. */
export interface ConsumerBusConfig {
  readonly target: 'aws' | 'local';
  readonly leaseTable: string;
  readonly workerId?: string | undefined;
}

/**
 * The Kinesis bus a declared consumer reads through, on the context's clients and events, with the polling the
 * actor chooses (`consumer`); its worker id, when the config sets one, lets a restart take its leases back at once.
 * @example const bus = consumerBus(ctx, cfg, alertConsumerOptions(cfg.target));
 */
export const consumerBus = (
  { clients, events }: Pick<ServiceContext, 'clients' | 'events'>,
  cfg: ConsumerBusConfig,
  consumer: ConsumerOptions = {},
): Bus & { readonly workerId: string } =>
  createKinesisBus({
    clients,
    events,
    leaseTable: cfg.leaseTable,
    target: cfg.target,
    consumer,
    ...(cfg.workerId ? { workerId: cfg.workerId } : {}),
  });

/** A declared actor with its config type hidden, so actors of every shape fit one list (`actors/catalog.ts`). */
export interface Launchable {
  readonly name: string;
  readonly command: CommandSpec<unknown>;
  readonly deploy?: DeployDeclaration;
  /** Its env on a deployed host, from the options declared with `deploy`: references and literals. */
  readonly deployEnv: DeployEnv;
  readonly start: (
    ctx: ServiceContext,
    env: Readonly<Record<string, string | undefined>>,
    argv?: ReadonlyArray<string>,
  ) => Promise<E.Either<ConfigError, RunningService>>;
}

/**
 * Hides a declaration's config type.
 * @example const entries: Launchable[] = [launchable(droneWatchdog)];
 */
export const launchable = <O>(d: ActorDeclaration<O>): Launchable => ({
  name: d.name,
  command: commandOfActor(d) as CommandSpec<unknown>,
  ...(d.deploy === undefined ? {} : { deploy: d.deploy }),
  deployEnv: d.options.deployEnv ?? { refs: {}, literals: {} },
  start: (ctx, env, argv = []) => startDeclared(d, ctx, env, argv),
});
