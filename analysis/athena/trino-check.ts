/**
 * Checks an Athena text without an account: Trino's grammar (dt-sql-parser's TrinoSQL, which rejects DuckDB's
 * `DISTINCT ON` and `::`) and the Athena engine 3 allow-list (engine3-allow-list.json: every function called and
 * every type named must be one Athena documents).
 */
import { readFileSync } from 'node:fs';

import { TrinoSQL, TrinoSqlListener } from 'dt-sql-parser';

/** The allow-list: lower-case function names, upper-case type names. */
export interface AllowList {
  readonly functions: ReadonlyArray<string>;
  readonly types: ReadonlyArray<string>;
}

/** The committed allow-list. */
export const ALLOW_LIST: AllowList = JSON.parse(
  readFileSync(new URL('engine3-allow-list.json', import.meta.url), 'utf8'),
) as AllowList;

interface Named {
  getText(): string;
}

/** The function names and type names an Athena text uses, as Trino's parser reads it. */
export const namesIn = (sql: string): { functions: string[]; types: string[] } => {
  const parser = new TrinoSQL();
  const functions: string[] = [];
  const types: string[] = [];
  const listener = new (class extends TrinoSqlListener {
    override enterFunctionCall = (ctx: { functionName(): Named }) => {
      functions.push(ctx.functionName().getText().toLowerCase());
    };
    override enterGenericType = (ctx: { identifier(): Named }) => {
      types.push(ctx.identifier().getText().toUpperCase());
    };
    override enterDateTimeType = (ctx: Named) => {
      types.push(
        ctx
          .getText()
          .toUpperCase()
          .replace(/\(\d+\)/, ''),
      );
    };
    override enterDoublePrecisionType = () => {
      types.push('DOUBLE');
    };
  })();
  parser.listen(listener as never, parser.parse(sql));
  return { functions, types };
};

/**
 * Every problem of an Athena text: grammar errors (with line and column), then functions and types missing from
 * the allow-list. Empty when the text is fine.
 *
 * @example
 * checkAthenaSql('SELECT DISTINCT ON (a) a FROM t'); // ['1:…: …']
 */
export const checkAthenaSql = (sql: string, allow: AllowList = ALLOW_LIST): string[] => {
  const errors = new TrinoSQL().validate(sql);
  if (errors.length > 0) return errors.map((e) => `${e.startLine}:${e.startColumn}: ${e.message}`);
  const { functions, types } = namesIn(sql);
  return [
    ...[...new Set(functions)]
      .filter((f) => !allow.functions.includes(f))
      .map((f) => `function ${f}() is not in the Athena engine 3 allow-list`),
    ...[...new Set(types)]
      .filter((t) => !allow.types.includes(t))
      .map((t) => `type ${t} is not in the Athena engine 3 allow-list`),
  ];
};
