/**
 * Configuration: defaults < JSON file < environment < flags, then decoded by the service's codec (STYLE §6).
 * Each option is declared once — flag, env variable, default, one line of doc — and that one declaration drives
 * parsing, the `--help` text and the error messages. `process.env` is read only by the caller of `loadConfig`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { decodeWith, E, type t } from './codec.ts';
import { type ConfigError, configError } from './errors.ts';

/** One option: a flag `--name`, an env variable, a default, a line of doc. Values arrive as strings. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly doc: string;
  readonly env?: string;
  /** Standard variables of other tools (`AWS_REGION`...) read, in order, when `env` is not set. */
  readonly envFallbacks?: ReadonlyArray<string>;
  readonly default?: string | boolean;
  /** Repeatable flag (`--file a --file b`); the env variable then holds a comma-separated list. */
  readonly multiple?: boolean;
  readonly short?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** What a service's command line is: name, one-line summary, options, and the codec that validates them. */
export interface CommandSpec<A> {
  readonly name: string;
  readonly summary: string;
  readonly options: OptionSpecs;
  readonly codec: t.Type<A, unknown, unknown>;
  /** Extra lines for `--help` (examples, notes). */
  readonly epilog?: string;
}

/** `--help` was asked for: print `text`, exit 0. */
export interface HelpRequested {
  readonly _tag: 'HelpRequested';
  readonly text: string;
}

const camel = (flag: string): string =>
  flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The `--help` text, generated from the specs. */
export const helpText = (spec: CommandSpec<unknown>): string => {
  const rows = Object.entries(spec.options).map(([flag, o]) => {
    const left = `  --${flag}${o.type === 'string' ? ' VALUE' : ''}${o.multiple ? ' ...' : ''}`;
    const extra = [
      o.env ? `env ${[o.env, ...(o.envFallbacks ?? [])].join(' > ')}` : undefined,
      o.default !== undefined ? `default ${JSON.stringify(o.default)}` : undefined,
    ].filter(Boolean);
    return `${left.padEnd(30)} ${o.doc}${extra.length ? ` (${extra.join(', ')})` : ''}`;
  });
  return [
    `${spec.name}: ${spec.summary}`,
    '',
    `usage: npm run ${spec.name} -- [options]`,
    '',
    'options:',
    `  ${'--help'.padEnd(28)} this text`,
    `  ${'--config FILE'.padEnd(28)} JSON file of option values (env PRESTACOP_CONFIG)`,
    ...rows,
    ...(spec.epilog ? ['', spec.epilog] : []),
    '',
  ].join('\n');
};

const readJsonFile = (path: string): E.Either<ConfigError, Record<string, unknown>> => {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return E.left(configError([`${path}: expected a JSON object of option values`]));
    return E.right(parsed as Record<string, unknown>);
  } catch (e) {
    return E.left(configError([`${path}: ${(e as Error).message}`]));
  }
};

/**
 * Parses argv + env into the service's config, or says why not (every issue, each naming the flag and env
 * variable to fix), or that help was asked for.
 * @example
 * const cfg = loadConfig(spec, process.argv.slice(2), process.env);
 */
export const loadConfig = <A>(
  spec: CommandSpec<A>,
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>,
): E.Either<ConfigError | HelpRequested, A> => {
  let flags: Record<string, string | boolean | Array<string | boolean> | undefined>;
  try {
    flags = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        config: { type: 'string' },
        ...Object.fromEntries(
          Object.entries(spec.options).map(([k, o]) => [
            k,
            { type: o.type, multiple: o.multiple ?? false, ...(o.short ? { short: o.short } : {}) },
          ]),
        ),
      },
    }).values;
  } catch (e) {
    return E.left(configError([`${(e as Error).message} (see --help)`]));
  }
  if (flags.help)
    return E.left({ _tag: 'HelpRequested', text: helpText(spec as CommandSpec<unknown>) });

  const merged: Record<string, unknown> = {};
  for (const [flag, o] of Object.entries(spec.options)) {
    if (o.default !== undefined) merged[camel(flag)] = o.default;
  }
  const file = (flags.config as string | undefined) ?? env.PRESTACOP_CONFIG;
  if (file) {
    const fromFile = readJsonFile(file);
    if (E.isLeft(fromFile)) return fromFile;
    Object.assign(merged, fromFile.right);
  }
  for (const [flag, o] of Object.entries(spec.options)) {
    const value = [o.env, ...(o.envFallbacks ?? [])]
      .map((name) => (name === undefined ? undefined : env[name]))
      .find((v) => v !== undefined && v !== '');
    if (value === undefined) continue;
    merged[camel(flag)] = o.multiple
      ? value.split(',').map((v) => v.trim())
      : o.type === 'boolean'
        ? value
        : value;
  }
  for (const flag of Object.keys(spec.options)) {
    if (flags[flag] !== undefined) merged[camel(flag)] = flags[flag];
  }
  const decoded = decodeWith(spec.codec, spec.name)(merged);
  if (E.isRight(decoded)) return decoded;
  const hint = (issue: string): string => {
    const key = /^at \.([A-Za-z0-9]+)/.exec(issue)?.[1];
    const entry = Object.entries(spec.options).find(([flag]) => camel(flag) === key);
    return entry
      ? `${issue} (flag --${entry[0]}${entry[1].env ? `, env ${[entry[1].env, ...(entry[1].envFallbacks ?? [])].join(' > ')}` : ''})`
      : issue;
  };
  return E.left(configError(decoded.left.issues.map(hint)));
};

/**
 * For `main`: returns the config, or prints help (exit 0) / every config issue (exit 78, EX_CONFIG).
 * @example const cfg = configOrExit(spec, process.argv.slice(2), process.env);
 */
export const configOrExit = <A>(
  spec: CommandSpec<A>,
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>,
): A => {
  const result = loadConfig(spec, argv, env);
  if (E.isRight(result)) return result.right;
  if (result.left._tag === 'HelpRequested') {
    process.stdout.write(result.left.text);
    process.exit(0);
  }
  process.stderr.write(
    `${spec.name}: invalid configuration\n${result.left.issues.map((i) => `  - ${i}`).join('\n')}\n` +
      `run with --help for the options\n`,
  );
  process.exit(78);
};
