/**
 * What a message says, as a number: the SHA-256 of its canonical JSON. Two deliveries of one id with one hash are
 * the same message (a redelivery); one id with two hashes is a conflict (a reused or forged id), which no store
 * resolves by overwriting.
 */
import { createHash } from 'node:crypto';

import { t } from '../../runtime/codec.ts';
import { refine } from './codec-kit.ts';
import { DroneMessage } from './drone-message.ts';

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
export const canonicalJson = (u: unknown): string =>
  JSON.stringify(u, (_k, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

/**
 * The SHA-256 (hex) of a drone message as the codec re-encodes it ({@link canonicalJson} of `DroneMessage.encode`):
 * spelling that decoding normalises (legacy JSON, unknown keys, key order, `-0`, stripped control characters)
 * does not change it; any field that decoding keeps does. Stored with the hot-table item and the alarm.
 *
 * @example
 * messageHash(m) === messageHash(redelivered) // a redelivery, not a conflict
 */
export const messageHash = (m: DroneMessage): string =>
  createHash('sha256')
    .update(canonicalJson(DroneMessage.encode(m)))
    .digest('hex');
