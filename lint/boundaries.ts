/**
 * The repository's import boundaries, as one eslint rule that derives each file's part from its path, so a new
 * actor folder is covered without being named anywhere (ARCHITECTURE / STYLE §1):
 * - `runtime/` imports nothing of ours;
 * - `actors/protocol/` imports only `runtime/`;
 * - an actor (`actors/<name>/`) imports only its own folder, `actors/protocol/` and `runtime/`: never another actor;
 * - `analysis/` imports only `actors/protocol/` and `runtime/`: no actor internals;
 * - `scripts/`, `test/` and the files at the root of `actors/` wire things: they may import anything.
 * A spec (`*.spec.ts`) may also import `test/` (its helpers) and `scripts/` (what it checks), never another actor.
 * Only relative specifiers are ours; a package import is left to the dependency lists.
 */
import { dirname, join, relative, resolve, sep } from 'node:path';

import type { ESLint, Rule } from 'eslint';

/** Where the repository is: this file's parent folder. */
const REPO = resolve(import.meta.dirname, '..');

/** The part of the repository a file belongs to. */
export type Area =
  | { readonly kind: 'runtime' | 'protocol' | 'analysis' | 'test' | 'scripts' | 'wiring' }
  | { readonly kind: 'actor'; readonly name: string };

/**
 * The part of `path` (relative to the repository, either separator). Anything outside the four guarded parts
 * (root files, `lint/`, `config/`, a file outside the repository) is `wiring`: unguarded.
 * @example areaOf('actors/alert-system/service.ts') // { kind: 'actor', name: 'alert-system' }
 */
export const areaOf = (path: string): Area => {
  const parts = path.split(/[\\/]/);
  const [top, second] = parts;
  if (top === 'runtime' || top === 'analysis' || top === 'test' || top === 'scripts')
    return { kind: top };
  if (top === 'actors' && parts.length > 2 && second !== undefined)
    return second === 'protocol' ? { kind: 'protocol' } : { kind: 'actor', name: second };
  return { kind: 'wiring' };
};

const label = (a: Area): string =>
  a.kind === 'actor'
    ? `actors/${a.name}`
    : a.kind === 'protocol'
      ? 'actors/protocol'
      : a.kind === 'wiring'
        ? 'wiring'
        : a.kind;

/**
 * Why `from` may not import `to`, or undefined when it may. `spec` widens a spec's reach to `test/` and `scripts/`.
 * @example refusal(areaOf('actors/a/x.ts'), areaOf('actors/b/y.ts'), false) // 'an actor imports no other actor…'
 */
export const refusal = (from: Area, to: Area, spec: boolean): string | undefined => {
  if (from.kind === 'wiring' || from.kind === 'test' || from.kind === 'scripts') return undefined;
  if (
    to.kind === from.kind &&
    (to.kind !== 'actor' || from.kind !== 'actor' || to.name === from.name)
  )
    return undefined;
  if (spec && (to.kind === 'test' || to.kind === 'scripts')) return undefined;
  switch (from.kind) {
    case 'runtime':
      return 'runtime imports nothing of ours';
    case 'protocol':
      return to.kind === 'runtime'
        ? undefined
        : 'actors/protocol is shared vocabulary: it imports only runtime';
    case 'actor':
      return to.kind === 'runtime' || to.kind === 'protocol'
        ? undefined
        : to.kind === 'actor'
          ? 'an actor imports no other actor (only actors/protocol and runtime); scripts/ and test/ wire actors together'
          : 'an actor imports only its own folder, actors/protocol and runtime';
    case 'analysis':
      return to.kind === 'runtime' || to.kind === 'protocol'
        ? undefined
        : 'analysis imports no actor internals: only actors/protocol and runtime';
  }
};

/** The rule: reports each relative import (static, re-export or `import()`) that crosses a boundary. */
const rule: Rule.RuleModule = {
  meta: {
    type: 'problem',
    docs: { description: 'import boundaries between runtime, protocol, each actor and analysis' },
    schema: [],
    messages: { refused: '{{from}} may not import {{to}}: {{why}}' },
  },
  create: (context) => {
    const file = relative(REPO, context.filename);
    if (file.startsWith('..')) return {};
    const from = areaOf(file);
    const spec = file.endsWith('.spec.ts');
    const check = (node: Rule.Node, source: unknown) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = relative(REPO, join(dirname(context.filename), source));
      const to = target.startsWith('..') ? ({ kind: 'wiring' } as const) : areaOf(target);
      const why = refusal(from, to, spec);
      if (why !== undefined)
        context.report({
          node,
          messageId: 'refused',
          data: { from: label(from), to: target.split(sep).join('/'), why },
        });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => check(node, node.source?.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) =>
        check(node, node.source.type === 'Literal' ? node.source.value : undefined),
    };
  },
};

/** The local plugin eslint.config.js loads: `prestacop/boundaries`. */
export const boundaries: ESLint.Plugin = { rules: { boundaries: rule } };
