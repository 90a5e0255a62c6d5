/**
 * What a message says, as a number: the SHA-256 of its canonical JSON. Two deliveries of one id with one hash are
 * the same message (a redelivery); one id with two hashes is a conflict (a reused or forged id), which no store
 * resolves by overwriting.
 */
import { hash } from 'node:crypto';

import { t } from '../../runtime/codec.ts';
import { sortSmall } from '../../runtime/sort-small.ts';
import { refine } from './codec-kit.ts';
import { DroneMessage, type DroneMessageJson } from './drone-message.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** A SHA-256 digest as 64 lowercase hex digits. */
export const Sha256Hex = refine(t.string, (s) => /^[0-9a-f]{64}$/.test(s), 'Sha256Hex');

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * JSON with object keys sorted at every level, no spaces: one text per value, whatever the order its keys were
 * set in (a decoded message and one built by hand give the same text).
 *
 * @example
 * canonicalJson({ b: 1, a: { d: 2, c: 3 } }); // '{"a":{"c":3,"d":2},"b":1}'
 */
export const canonicalJson = (u: unknown): string => JSON.stringify(sortedCopy(u)) ?? 'undefined';

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// A copy whose objects have their keys inserted in sorted order, which JSON.stringify then writes as it enumerates
// them: array-index keys first in numeric order (JavaScript's own order for such keys), the others sorted. The
// definition is the replacer that rebuilds every object sorted (the spec holds the two equal on any JSON value);
// a copy and one native stringify is cheaper than the replacer, and than writing the text out with `+=`, whose
// tree of small strings the hash then had to flatten (the storage writer hashes every message).
const sortedCopy = (u: unknown): unknown => {
  if (typeof u !== 'object' || u === null) return u;
  const v: unknown =
    typeof (u as { toJSON?: unknown }).toJSON === 'function'
      ? (u as { toJSON: () => unknown }).toJSON()
      : u;
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(sortedCopy);
  const keys = Object.keys(v);
  sortSmall(keys, byCodeUnit);
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const member = sortedCopy((v as Record<string, unknown>)[k]);
    // A `__proto__` member (JSON.parse makes one) stays a member, as Object.fromEntries keeps it.
    if (k === '__proto__')
      Object.defineProperty(out, k, {
        value: member,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[k] = member;
  }
  return out;
};

/**
 * The SHA-256 (hex) of a drone message as the codec re-encodes it ({@link canonicalJson} of `DroneMessage.encode`):
 * spelling that decoding normalises (legacy JSON, unknown keys, key order, `-0`, stripped control characters)
 * does not change it; any field that decoding keeps does. Stored with the hot-table item and the alarm.
 *
 * @example
 * messageHash(m) === messageHash(redelivered) // a redelivery, not a conflict
 */
export const messageHash = (m: DroneMessage): string => encodedMessageHash(DroneMessage.encode(m));

/**
 * {@link messageHash} of a message already encoded (`DroneMessage.encode(m)`), for a caller that encodes it anyway.
 * @example encodedMessageHash(DroneMessage.encode(m)) === messageHash(m)
 */
export const encodedMessageHash = (encoded: DroneMessageJson): string =>
  hash('sha256', canonicalJson(encoded), 'hex');
