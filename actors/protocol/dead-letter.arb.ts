/**
 * fast-check arbitrary for dead letters (the codec lives in runtime/dead-letter.ts; its arbitrary lives here with
 * the other message arbitraries, so the runtime does not depend on fast-check).
 */
import fc from 'fast-check';

import { type DeadLetter, toDeadLetter } from '../../runtime/dead-letter.ts';
import { decodeFailure, portFailure, retriesExhausted } from '../../runtime/errors.ts';
import { arbEpochMs } from './common.arb.ts';

const arbError: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .tuple(fc.constantFrom('drone.message', 'nypd.ticket'), fc.array(fc.string(), { maxLength: 4 }))
    .map(([topic, issues]) => decodeFailure(topic, issues)),
  fc
    .tuple(fc.string(), fc.boolean())
    .map(([message, retriable]) => portFailure('dynamodb', new Error(message), retriable)),
  fc
    .nat({ max: 9 })
    .map((n) => retriesExhausted(n + 1, portFailure('kinesis', new Error('throttled'), true))),
  fc.string().map((message) => new TypeError(message)),
);

const arbSource = fc.oneof(
  fc.record(
    {
      stream: fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/),
      shardId: fc.nat({ max: 99 }).map((n) => `shardId-${String(n).padStart(12, '0')}`),
      sequence: fc.stringMatching(/^\d{1,56}$/),
      subSequence: fc.nat({ max: 499 }),
    },
    { noNullPrototype: true },
  ),
  fc.record(
    {
      file: fc.stringMatching(/^[a-z0-9/_.-]{1,40}$/),
      line: fc.integer({ min: 1, max: 1e7 }),
    },
    { noNullPrototype: true },
  ),
);

/** Dead letters from bus records, file lines or unaddressed inputs, for every kind of error. */
export const arbDeadLetter: fc.Arbitrary<DeadLetter> = fc
  .record(
    {
      actor: fc.constantFrom('alert-system', 'stream-to-storage', 'csv-to-stream'),
      error: arbError,
      raw: fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.string()),
      at: arbEpochMs,
      attempts: fc.integer({ min: 1, max: 10 }),
      source: arbSource,
    },
    { noNullPrototype: true, requiredKeys: ['actor', 'error', 'raw', 'at'] },
  )
  .map(toDeadLetter);
