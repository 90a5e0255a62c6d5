/**
 * The `--operators FILE`: one token per operator, so a decision is recorded under the name of whoever's token
 * opened the session. Either a JSON object (`{ "sgt.rivera": "<token>", ... }`) or lines `name token` (blank
 * lines and `#` comments skipped). Checked at start, every issue at once; an issue names the line and the
 * operator, never a token (nor a line's text, which may hold one).
 */
import { readFileSync, statSync } from 'node:fs';

import { E } from '../../runtime/codec.ts';
import type { OperatorToken } from './access.ts';

/** An operator's name: what the page shows and the decision records (1-64 characters, no spaces). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
/** A token: 16 to 512 visible ASCII characters (it travels in an address: `/?token=`). */
const TOKEN = /^[\x21-\x7e]{16,512}$/;
/** The file's size and entries at most: it is a list of people. */
const MAX_BYTES = 1_048_576;
const MAX_OPERATORS = 10_000;

const checkEntries = (
  entries: ReadonlyArray<{ readonly where: string; readonly name: string; readonly token: string }>,
): E.Either<ReadonlyArray<string>, ReadonlyArray<OperatorToken>> => {
  const issues: string[] = [];
  const names = new Map<string, string>();
  const tokens = new Map<string, string>();
  for (const { where, name, token } of entries) {
    if (!NAME.test(name)) {
      issues.push(
        `${where}: an operator name is 1 to 64 letters, digits or . _ @ - (starting with a letter or digit)`,
      );
      continue;
    }
    if (!TOKEN.test(token))
      issues.push(
        `${where}: the token of ${name} must be 16 to 512 visible ASCII characters (no spaces)`,
      );
    const sameName = names.get(name);
    if (sameName !== undefined) issues.push(`${where}: ${name} is listed twice (also ${sameName})`);
    const sameToken = tokens.get(token);
    if (sameToken !== undefined && TOKEN.test(token))
      issues.push(`${where}: ${name} has the same token as ${sameToken}: each needs their own`);
    names.set(name, where);
    tokens.set(token, name);
  }
  if (entries.length === 0) issues.push('no operator in it');
  if (entries.length > MAX_OPERATORS) issues.push(`more than ${MAX_OPERATORS} operators`);
  return issues.length > 0
    ? E.left(issues)
    : E.right(entries.map(({ name, token }) => ({ name, token })));
};

/**
 * Parses the file's text: a JSON object of name → token, or `name token` lines.
 * @example parseOperators('sgt.rivera 4f2c9e1d7a3b5c6d8e9f\n') // right([{ name: 'sgt.rivera', token: '4f2c…' }])
 */
export const parseOperators = (
  text: string,
): E.Either<ReadonlyArray<string>, ReadonlyArray<OperatorToken>> => {
  if (text.trimStart().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return E.left(['not valid JSON (expected an object of operator name → token)']);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return E.left(['expected a JSON object of operator name → token']);
    const entries = Object.entries(parsed as Record<string, unknown>);
    const notText = entries.flatMap(([, v], i) =>
      typeof v === 'string' ? [] : [`entry ${i + 1}: the token must be a string`],
    );
    if (notText.length > 0) return E.left(notText);
    return checkEntries(
      entries.map(([name, token], i) => ({
        where: `entry ${i + 1}`,
        name,
        token: token as string,
      })),
    );
  }
  const entries: Array<{ where: string; name: string; token: string }> = [];
  const issues: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/\s+/);
    if (fields.length !== 2) issues.push(`line ${i + 1}: expected "name token"`);
    else entries.push({ where: `line ${i + 1}`, name: fields[0] ?? '', token: fields[1] ?? '' });
  });
  const checked = checkEntries(entries);
  return issues.length > 0
    ? E.left([...issues, ...(E.isLeft(checked) ? checked.left : [])])
    : checked;
};

/**
 * Reads and parses the file; every issue is prefixed with its path.
 * @example const ops = readOperatorsFile('/etc/prestacop/operators');
 */
export const readOperatorsFile = (
  path: string,
): E.Either<ReadonlyArray<string>, ReadonlyArray<OperatorToken>> => {
  let text: string;
  try {
    if (statSync(path).size > MAX_BYTES)
      return E.left([`${path}: larger than ${MAX_BYTES} bytes: not an operators file`]);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return E.left([
      `${path}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}: cannot read it`,
    ]);
  }
  const parsed = parseOperators(text);
  return E.isLeft(parsed) ? E.left(parsed.left.map((i) => `${path}: ${i}`)) : parsed;
};
