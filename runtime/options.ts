/**
 * Options declared once (STYLE §6, Redpanda Connect's `service.NewIntField(...).Description(...).Default(...)`):
 * one {@link option} gives the codec that validates the value, the flag (the key in kebab-case), the env variable,
 * the default, the `--help` line and the README table row. Options come in groups ({@link optionGroup}); a
 * service's command line is its own group beside the shared ones (AWS, ops: `aws/options.ts`), and
 * {@link commandOf} joins them into the `CommandSpec` that `loadConfig` reads.
 */
import { t } from './codec.ts';
import type { CommandSpec, OptionSpec, OptionSpecs } from './config.ts';

/** One declared option: its codec and how it is given. Values from env and flags arrive as strings. */
export interface Option<A> {
  /** Decodes to `A` (typed loosely so that options of every type fit one record: `_A` carries the type). */
  readonly codec: t.Mixed;
  readonly spec: OptionSpec;
  /** On a deployed host, the value Terraform gives its env variable ({@link DeployValue}). */
  readonly deploy?: DeployValue;
  /** Phantom: the decoded type. */
  readonly _A?: A;
}

/**
 * What Terraform sets an option's env variable to on a deployed host: a data-plane reference such as
 * `streams.drones.name` or `queues.operatorConsole.url` (modules/services resolves it, and fails on one it does not
 * know), or a value written as is (`{ literal: '127.0.0.1' }`), never taken for a reference.
 */
export type DeployValue = string | { readonly literal: string };

/** What a group's options declared with `deploy` give their env variables on a deployed host. */
export interface DeployEnv {
  /** Env variable → data-plane reference. */
  readonly refs: Readonly<Record<string, string>>;
  /** Env variable → literal value. */
  readonly literals: Readonly<Record<string, string>>;
}

/**
 * Declares an option: `doc` is its one line of documentation; `default` is what it is when nothing sets it (a
 * string, as a flag would give it; omit it and the codec must accept `undefined`).
 * @example const silentAfterSeconds = option(PositiveInt, { doc: 'silence before a drone is reported', env: 'PRESTACOP_SILENT_AFTER_SECONDS', default: '30' });
 */
export const option = <A, O>(
  codec: t.Type<A, O, unknown>,
  {
    deploy,
    ...spec
  }: Omit<OptionSpec, 'type'> & {
    readonly type?: OptionSpec['type'];
    readonly deploy?: DeployValue;
  },
): Option<A> => ({
  codec,
  spec: { type: 'string', ...spec },
  ...(deploy === undefined ? {} : { deploy }),
});

/** An optional option: `undefined` when nothing sets it (no default). */
export const optional = <A, O>(
  codec: t.Type<A, O, unknown>,
  spec: Omit<OptionSpec, 'type' | 'default'> & { readonly deploy?: DeployValue },
): Option<A | undefined> => option(t.union([codec, t.undefined]), spec);

/** A group of options and the codec of the whole group (cross-field checks included). */
export interface OptionGroup<A> {
  readonly specs: OptionSpecs;
  readonly codec: t.Type<A, unknown, unknown>;
  /** The env of the options declared with `deploy` (none: absent or empty). */
  readonly deployEnv?: DeployEnv;
}

/** The config a record of declared options decodes to. */
export type OptionsOf<R extends Readonly<Record<string, Option<unknown>>>> = {
  readonly [K in keyof R]: R[K] extends Option<infer A> ? A : never;
};

/**
 * The flag of a config key: `droneStream` → `drone-stream`, `s3Endpoint` → `s3-endpoint` (the inverse of what
 * `loadConfig` does to find a flag's key).
 */
export const flagOf = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The env variables of the options declared with `deploy`, references apart from literals. */
const deployEnvOf = (options: Readonly<Record<string, Option<unknown>>>): DeployEnv => {
  const refs: Record<string, string> = {};
  const literals: Record<string, string> = {};
  for (const [k, o] of Object.entries(options)) {
    if (o.deploy === undefined) continue;
    // A programming error, thrown at once: a deployed host is configured by env variables only.
    if (o.spec.env === undefined) throw new Error(`option ${k}: deploy without an env variable`);
    if (typeof o.deploy === 'string') refs[o.spec.env] = o.deploy;
    else literals[o.spec.env] = o.deploy.literal;
  }
  return { refs, literals };
};

/**
 * A group from declared options, keyed by config field (camelCase).
 * @example const own = optionGroup({ silentAfterSeconds: option(PositiveInt, { doc: '…', default: '30' }) });
 */
export const optionGroup = <R extends Readonly<Record<string, Option<unknown>>>>(
  options: R,
): OptionGroup<OptionsOf<R>> => ({
  specs: Object.fromEntries(Object.entries(options).map(([k, o]) => [flagOf(k), o.spec])),
  codec: t.type(
    Object.fromEntries(Object.entries(options).map(([k, o]) => [k, o.codec])),
  ) as unknown as t.Type<OptionsOf<R>, unknown, unknown>,
  deployEnv: deployEnvOf(options),
});

/** Joins groups (later ones cannot redeclare a flag: that is a programming error, thrown at once). */
export const joinGroups = <A, B>(a: OptionGroup<A>, b: OptionGroup<B>): OptionGroup<A & B> => {
  const twice = Object.keys(b.specs).filter((flag) => flag in a.specs);
  if (twice.length > 0) throw new Error(`options declared twice: ${twice.join(', ')}`);
  return {
    specs: { ...a.specs, ...b.specs },
    codec: t.intersection([a.codec, b.codec]),
    deployEnv: {
      refs: { ...a.deployEnv?.refs, ...b.deployEnv?.refs },
      literals: { ...a.deployEnv?.literals, ...b.deployEnv?.literals },
    },
  };
};

/**
 * The command line of a service: its name, summary, options and validation in one `CommandSpec`.
 * @example configOrExit(commandOf({ name: 'x', summary: '…', options: joinGroups(own, awsGroup) }), argv, env)
 */
export const commandOf = <A>(c: {
  readonly name: string;
  readonly summary: string;
  readonly options: OptionGroup<A>;
  readonly epilog?: string;
}): CommandSpec<A> => ({
  name: c.name,
  summary: c.summary,
  options: c.options.specs,
  codec: c.options.codec,
  ...(c.epilog === undefined ? {} : { epilog: c.epilog }),
});

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/**
 * The options as a Markdown table (flag, env variable, default, doc), for a README: the same declaration as
 * `--help`, so they cannot drift (a spec compares an actor's README with it).
 * @example optionsTable(watchdog.options.specs)
 */
export const optionsTable = (specs: OptionSpecs): string =>
  [
    '| flag | env | default | what |',
    '|---|---|---|---|',
    ...Object.entries(specs).map(
      ([flag, o]) =>
        `| \`--${flag}\` | ${o.env ? `\`${o.env}\`` : ''} | ${
          o.default === undefined ? '' : `\`${String(o.default)}\``
        } | ${cell(o.doc)} |`,
    ),
  ].join('\n');
