import assert from 'node:assert/strict';

import { E, t } from '../../runtime/codec.ts';
import {
  crossCheck,
  derivedId,
  refine,
  show,
  struct,
  taggedUnion,
  withoutBlanks,
} from './codec-kit.ts';
import { assertIssue, decoded, issuesOf } from './spec-helpers.ts';

const Point = struct('Point', { x: t.number }, { label: t.string });

describe('Protocol > codec kit', () => {
  it('struct strips unknown keys, drops undefined optionals and reports flat paths', () => {
    assert.deepStrictEqual(decoded(Point, { x: 1, label: undefined, z: 2 }), { x: 1 });
    assert.deepStrictEqual(Point.encode({ x: 1, label: 'a', z: 3 } as t.TypeOf<typeof Point>), {
      x: 1,
      label: 'a',
    });
    assert.deepStrictEqual(issuesOf(Point, { x: 'a', label: 2 }), [
      'at .x: expected number, got "a"',
      'at .label: expected string, got 2',
    ]);
    assert.deepStrictEqual(issuesOf(Point, [1]), ['at .: expected Point, got [1]']);
  });

  it('derivedId accepts only the id derived from the other fields, and says which', () => {
    const Back = derivedId(
      struct('Back', { id: t.string, of: t.string }, {}),
      (e) => `${e.of}:back`,
    );
    assert.deepStrictEqual(decoded(Back, { id: 'a:back', of: 'a' }), { id: 'a:back', of: 'a' });
    assert.deepStrictEqual(issuesOf(Back, { id: 'b:back', of: 'a' }), ['at .id: must be "a:back"']);
    assert.ok(!Back.is({ id: 'b:back', of: 'a' }));
    assert.equal(Back.name, 'Back');
  });

  it('refine keeps the expected name; crossCheck names the field', () => {
    const Even = refine(t.number, (n) => n % 2 === 0, 'Even');
    assertIssue(issuesOf(Even, 3), 'expected Even', '3');
    const Span = crossCheck(struct('Span', { from: t.number, to: t.number }, {}), (s) =>
      s.from <= s.to ? undefined : { at: 'to', why: 'must not be before from' },
    );
    assert.deepStrictEqual(issuesOf(Span, { from: 2, to: 1 }), ['at .to: must not be before from']);
    assert.ok(Span.is({ from: 1, to: 2 }) && !Span.is({ from: 2, to: 1 }));
  });

  it('withoutBlanks drops null and blank values before decoding', () => {
    const Row = withoutBlanks(struct('Row', {}, { a: t.string, b: t.number }));
    assert.deepStrictEqual(decoded(Row, { a: ' \t', b: null }), {});
    assert.ok(E.isLeft(Row.decode({ a: 1 })));
  });

  it('taggedUnion encodes through the right member', () => {
    const A = struct('A', { type: t.literal('a'), n: t.number }, {});
    const B = struct('B', { type: t.literal('b'), s: t.string }, {});
    const AB = taggedUnion('AB', { a: A, b: B });
    assert.deepStrictEqual(AB.encode({ type: 'b', s: 'x', extra: 1 } as t.TypeOf<typeof AB>), {
      type: 'b',
      s: 'x',
    });
    assertIssue(issuesOf(AB, { type: 'c' }), 'at .type: expected one of "a" | "b", got "c"');
  });

  it('show is short and total', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    assert.equal(show(undefined), 'undefined');
    assert.equal(show(10n), '10n');
    assert.equal(
      show(() => 1),
      'function',
    );
    assert.equal(show(circular), 'a non-JSON value');
    assert.ok(show('x'.repeat(200)).length <= 80);
  });
});
