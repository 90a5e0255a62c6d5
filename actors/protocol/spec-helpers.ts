/** Assertions shared by the protocol specs (test-only). */
import assert from 'node:assert/strict';

import { decodeWith, E, type t } from '../../runtime/codec.ts';

/** encode → JSON text → parse → decode, as a message travels on the bus. */
export const viaJson = <A, O>(codec: t.Type<A, O, unknown>, a: A): t.Validation<A> =>
  codec.decode(JSON.parse(JSON.stringify(codec.encode(a))));

/** Asserts that a value survives {@link viaJson} unchanged. */
export const assertRoundTrip = <A, O>(codec: t.Type<A, O, unknown>, a: A): void => {
  assert.deepStrictEqual(viaJson(codec, a), E.right(a));
};

/** Decodes a value that must fail and returns the readable issues (`at .path: expected X, got Y`). */
export const issuesOf = <A, O>(codec: t.Type<A, O, unknown>, u: unknown): ReadonlyArray<string> => {
  const result = decodeWith(codec, 'spec')(u);
  if (E.isRight(result)) assert.fail(`expected ${codec.name} to reject ${JSON.stringify(u)}`);
  return result.left.issues;
};

/** Decodes a value that must succeed and returns it. */
export const decoded = <A, O>(codec: t.Type<A, O, unknown>, u: unknown): A => {
  const result = decodeWith(codec, 'spec')(u);
  if (E.isLeft(result))
    assert.fail(`expected ${codec.name} to accept: ${result.left.issues.join('; ')}`);
  return result.right;
};

/** Asserts that some issue line contains every given fragment. */
export const assertIssue = (
  issues: ReadonlyArray<string>,
  ...fragments: ReadonlyArray<string>
): void => {
  assert.ok(
    issues.some((i) => fragments.every((f) => i.includes(f))),
    `no issue contains ${fragments.map((f) => JSON.stringify(f)).join(' and ')} in:\n  ${issues.join('\n  ')}`,
  );
};
